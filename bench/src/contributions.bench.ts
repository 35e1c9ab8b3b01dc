import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { IdentityService, Principal } from '@app/identity';
import { FakeStripe, StripeObject } from '@app/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { ApiCluster, startApiCluster } from '../../apps/launcher/src/api-cluster';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';
import {
  benchEnvironment,
  cpuSince,
  percentile,
  postgresCpuSeconds,
  round,
  startCpuProfile,
} from './bench-database';

const CONCURRENCY = 16;
const RECEIPTS = Number(process.env.CONTRIBUTIONS_BENCH_RECEIPTS ?? 2000);
const WARM_UP = Math.min(600, RECEIPTS);
// The API as deployed on this 2-core machine: API_PROCESSES=2 (`npm start` defaults to 1).
const API_PROCESSES = Number(process.env.API_PROCESSES ?? Math.min(2, availableParallelism()));
const WEBHOOK_EVENTS = Number(process.env.CONTRIBUTIONS_BENCH_EVENTS ?? 10_000);
const DUPLICATE_SHARE = 0.1;
const CLI: Principal = { kind: 'cli', userId: null, tokenId: null, grants: [] };

/**
 * (1) Bank receipts over HTTP (bearer token, validation, Idempotency-Key, obligation lock, booking
 * of the split entry, audit) against a raw baseline: plain pg clients writing the same rows into
 * plain tables (the idempotency record claimed and completed; in one transaction one entry, its
 * postings, the contribution, the receipt, the obligation update, the audit row, the log leaf).
 * Same concurrency, same count, same run. Receipts and donations direct to 200 projects, spread as
 * different contributors would.
 * (2) WEBHOOK_EVENTS signed Stripe webhook deliveries, 10 % of them duplicates, through the API
 * (signature, store once, enqueue) and the worker (re-fetch from a local fake Stripe, book once),
 * timed until every event is processed, then checked: every payment booked exactly once. The raw
 * baseline stores the same events and writes the same booking rows with plain SQL.
 */
export async function run(): Promise<Record<string, number>> {
  const env = await benchEnvironment('contributions');
  const fake = await new FakeStripe().start();
  Object.assign(process.env, {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `librery-bench-${process.pid}`,
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
    STRIPE_API_BASE: fake.apiBase,
  });
  const pool = new Pool({ connectionString: env.databaseUrl, max: CONCURRENCY });
  let app: NestExpressApplication | undefined;
  let worker: INestApplicationContext | undefined;
  let api: ApiCluster | undefined;
  try {
    // One API process in this one (also used to set up), and the API as deployed: API_PROCESSES
    // processes sharing a port.
    app = await createApiApp();
    await app.listen(0, '127.0.0.1');
    const single = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    api = await startApiCluster({ processes: API_PROCESSES, env: process.env, port: 0, host: '127.0.0.1' });
    const base = api.base;
    const identity = app.get(IdentityService);
    const user = await identity.createUser(CLI, {
      email: `bench-${randomUUID()}@example.test`,
      roles: [{ role: 'treasurer', scopeId: '' }],
    });
    const token = (await identity.issueToken(CLI, user.id, 'bench')).token;
    const projects = (
      await pool.query(
        `INSERT INTO projects (slug, name, repository_url, licence, openness_level)
         SELECT 'bench-' || i, 'Bench ' || i, 'https://example.org/' || i, 'MIT', 'A' FROM generate_series(1, 200) AS i RETURNING id::text`,
      )
    ).rows.map((r: { id: string }) => r.id);

    // ---------------------------------------------------------------- (1) bank receipts
    const [org] = (
      await pool.query(
        `INSERT INTO organisations (siret, siren, name) VALUES ('13002526500013', '130025265', 'Bench') RETURNING id::text`,
      )
    ).rows;
    const declarations: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const [d] = (
        await pool.query(
          `INSERT INTO levy_declarations (organisation_id, project_title, budget_excl_vat, fiscal_year, directions, levy_rate_bps, policy_version, amount_due, due_date)
           VALUES ($1, 'bench', 1000000000000, 2026, $2, 200, 1, 20000000000, current_date + 60) RETURNING id::text`,
          // Each obligation directs to its own three projects, as different buyers would.
          [
            org.id,
            JSON.stringify(
              [0, 1, 2].map((k) => ({
                projectId: projects[(i * 3 + k) % projects.length],
                weight: String(k + 1),
              })),
            ),
          ],
        )
      ).rows;
      declarations.push(d.id);
    }
    // The HTTP clients run in a child process, so that load generation does not compete with the
    // API's own event loop (as real clients would not).
    const receiptRequest = (lane: number, n: number): PlannedRequest => ({
      path: `/obligations/${declarations[lane]}/receipts`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        bankReference: `BENCH-${n}-${randomUUID()}`,
        amount: String(1000 + (Math.abs(n) % 997)),
        valueDate: '2026-03-01',
      }),
      lane,
    });
    // Warm-up: the API's code paths compiled by V8 (a few hundred requests per process), as a
    // running service's are; the raw baseline gets the same number of warm-up operations.
    const warmUp = (target: string, offset: number) =>
      sendFromChild(
        target,
        Array.from({ length: WARM_UP }, (_, n) => receiptRequest(n % CONCURRENCY, -1 - offset - n)),
        201,
      );
    await warmUp(base, 0);
    await warmUp(single, WARM_UP);
    const dbCpuBeforeHttp = await postgresCpuSeconds();
    const http = await sendFromChild(
      base,
      Array.from({ length: RECEIPTS }, (_, n) => receiptRequest(n % CONCURRENCY, n)),
      201,
    );
    const dbCpuHttp = await cpuSince(dbCpuBeforeHttp);
    // The one API process is this one: its CPU time per receipt (HTTP, auth, idempotency, booking).
    // CONTRIBUTIONS_BENCH_CPU_PROFILE=<file>: a V8 CPU profile of this process over that window.
    const profiler = await startCpuProfile(process.env.CONTRIBUTIONS_BENCH_CPU_PROFILE);
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const httpOneProcess = await sendFromChild(
      single,
      Array.from({ length: RECEIPTS / 2 }, (_, n) => receiptRequest(n % CONCURRENCY, RECEIPTS + n)),
      201,
    );
    const apiCpu = process.cpuUsage(cpuBefore);
    await profiler?.stop();
    const apiCpuMsPerReceipt = (apiCpu.user + apiCpu.system) / 1000 / (RECEIPTS / 2);
    const apiEventLoopUtilization = performance.eventLoopUtilization(eluBefore).utilization;
    await pool.query(`
      CREATE TABLE bench_entries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text, business_ref text,
        idempotency_key text UNIQUE, request_hash bytea, policy_version int, metadata jsonb, recorded_at timestamptz DEFAULT now());
      CREATE TABLE bench_postings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry_id bigint REFERENCES bench_entries,
        account_id bigint, currency char(3), direction char(1), amount bigint);
      CREATE TABLE bench_contributions (id uuid PRIMARY KEY, source_ref text UNIQUE, gross bigint, net bigint, pool bigint, directed jsonb, entry_id bigint);
      CREATE TABLE bench_receipts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bank_reference text UNIQUE, amount bigint, contribution_id uuid);
      CREATE TABLE bench_obligations (id int PRIMARY KEY, amount_paid bigint);
      INSERT INTO bench_obligations SELECT i, 0 FROM generate_series(0, ${CONCURRENCY - 1}) AS i;
      CREATE TABLE bench_events (event_id text PRIMARY KEY, type text, payload jsonb, received_at timestamptz DEFAULT now());
      CREATE TABLE bench_idempotency (key text PRIMARY KEY, request_hash bytea, state text, response jsonb);
      CREATE TABLE bench_audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, action text, target_id text, details jsonb);
      CREATE TABLE bench_leaves (log_index bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry_id bigint, leaf_data text, leaf_hash bytea);`);
    // The same rows as a receipt over HTTP, written with plain SQL: the idempotency record (claimed,
    // then completed, each in its own commit), and in one transaction the entry and its postings,
    // the contribution, the receipt, the obligation's total, the audit row and the log leaf.
    const dbCpuBeforeRaw = await postgresCpuSeconds();
    const raw = await measure(RECEIPTS, async (worker, n) => {
      const ref = `RAW-${n}-${randomUUID()}`;
      const key = randomUUID();
      await pool.query(
        "INSERT INTO bench_idempotency (key, request_hash, state) VALUES ($1, $2, 'in_flight')",
        [key, Buffer.alloc(32)],
      );
      await rawBooking(pool, ref, 1000 + (n % 997), async (c, contributionId, entryId) => {
        await c.query(
          'INSERT INTO bench_receipts (bank_reference, amount, contribution_id) VALUES ($1, $2, $3)',
          [ref, 1000 + (n % 997), contributionId],
        );
        await c.query('UPDATE bench_obligations SET amount_paid = amount_paid + $2 WHERE id = $1', [
          worker,
          1000 + (n % 997),
        ]);
        await c.query(
          "INSERT INTO bench_audit (action, target_id, details) VALUES ('receipt.recorded', $1, $2)",
          [String(worker), JSON.stringify({ bankReference: ref })],
        );
        await c.query('INSERT INTO bench_leaves (entry_id, leaf_data, leaf_hash) VALUES ($1, $2, $3)', [
          entryId,
          JSON.stringify({ tx: entryId, ref, amount: String(1000 + (n % 997)) }).padEnd(600),
          Buffer.alloc(32),
        ]);
      });
      await pool.query("UPDATE bench_idempotency SET state = 'completed', response = $2 WHERE key = $1", [
        key,
        JSON.stringify({ ref }),
      ]);
    });
    // measure() runs WARM_UP operations before the measured ones
    const dbCpuRaw = await cpuSince(dbCpuBeforeRaw);

    // ---------------------------------------------------------------- (2) webhook events
    const unique = Math.round(WEBHOOK_EVENTS / (1 + DUPLICATE_SHARE));
    const payments = Math.ceil(unique / 3);
    const intents = (
      await pool.query(
        `INSERT INTO donation_intents (mode, amount, currency, directions, pseudonym)
         SELECT 'one_time', 2500, 'EUR',
                jsonb_build_array(jsonb_build_object('projectId', p[1 + i % 200], 'weight', '1'), jsonb_build_object('projectId', p[1 + (i * 7 + 3) % 200], 'weight', '2')),
                'donor-bench-' || i
           FROM generate_series(1, $2::int) AS i, (SELECT $1::text[] AS p) AS ps RETURNING id::text`,
        [projects, payments],
      )
    ).rows.map((r: { id: string }) => r.id);
    const stripe = fake.client();
    const events: StripeObject[] = [];
    for (const intent of intents) {
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: { currency: 'eur', unit_amount: 2500, product_data: { name: 'Donation' } },
          },
        ],
        metadata: { donation_intent_id: intent },
        payment_intent_data: { metadata: { donation_intent_id: intent } },
      });
      events.push(...fake.completeCheckout(session.id));
    }
    const uniqueEvents = events.slice(0, unique);
    const duplicates = WEBHOOK_EVENTS - uniqueEvents.length;
    const deliveries = [...uniqueEvents];
    for (let i = 0; i < duplicates; i++)
      deliveries.splice(
        Math.floor(Math.random() * deliveries.length),
        0,
        uniqueEvents[(i * 7919) % uniqueEvents.length],
      );
    const signed = deliveries.map((e) => ({ id: e.id, payload: JSON.stringify(e) }));

    worker = await createWorkerApp();
    await worker.init();
    const started = process.hrtime.bigint();
    const ack = await sendFromChild(
      base,
      signed.map((d, i) => ({
        path: '/webhooks/stripe',
        headers: { 'content-type': 'application/json' },
        body: d.payload,
        lane: i,
        signWith: fake.webhookSecret,
      })),
      200,
    );
    const acknowledged = Number(process.hrtime.bigint() - started) / 1e9;
    const ids = uniqueEvents.map((e) => e.id);
    for (;;) {
      const [{ n }] = (
        await pool.query(
          'SELECT count(*)::int AS n FROM stripe_events WHERE processed_at IS NOT NULL AND event_id = ANY($1)',
          [ids],
        )
      ).rows;
      if (n === ids.length) break;
      if (Number(process.hrtime.bigint() - started) / 1e9 > 600)
        throw new Error(`only ${n} of ${ids.length} events processed in 600 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const webhookSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const paidIntents = new Set(
      uniqueEvents.map((e) => {
        const obj = (e.data as { object: Record<string, unknown> }).object;
        return (obj.metadata as Record<string, string> | undefined)?.donation_intent_id;
      }),
    );
    const expectedPayments = intents.filter((i) => paidIntents.has(i)).length;
    const booked = (
      await pool.query(
        `SELECT count(*)::int AS contributions, count(DISTINCT source_ref)::int AS refs,
                (SELECT count(*)::int FROM ledger_entries WHERE kind = 'contribution.donation') AS entries
           FROM contributions WHERE source = 'stripe'`,
      )
    ).rows[0] as { contributions: number; refs: number; entries: number };
    const exactlyOnce =
      booked.contributions === expectedPayments &&
      booked.refs === expectedPayments &&
      booked.entries === expectedPayments;

    // Raw baseline: store every delivery once by id, and book each payment with plain SQL.
    const rawStarted = process.hrtime.bigint();
    let rawNext = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (rawNext < deliveries.length) {
          const e = deliveries[rawNext++];
          const inserted = await pool.query(
            'INSERT INTO bench_events (event_id, type, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING 1',
            [e.id, e.type, JSON.stringify(e)],
          );
          if (inserted.rowCount === 1 && e.type === 'payment_intent.succeeded') {
            await rawBooking(
              pool,
              `raw:${(e.data as { object: { id: string } }).object.id}`,
              2500,
              async () => undefined,
            );
          }
        }
      }),
    );
    const rawSeconds = Number(process.hrtime.bigint() - rawStarted) / 1e9;

    const figures = {
      contributions_receipts_http_per_s: round(http.throughput, 1),
      contributions_receipts_http_p50_ms: round(http.p50),
      contributions_receipts_http_p99_ms: round(http.p99),
      contributions_receipts_raw_per_s: round(raw.throughput, 1),
      contributions_receipts_http_vs_raw_ratio: round(http.throughput / raw.throughput),
      contributions_api_processes: API_PROCESSES,
      contributions_receipts_http_one_process_per_s: round(httpOneProcess.throughput, 1),
      contributions_receipts_http_one_process_vs_raw_ratio: round(httpOneProcess.throughput / raw.throughput),
      contributions_receipts_api_cpu_ms_per_receipt: round(apiCpuMsPerReceipt),
      // system time is mostly the loopback TCP stack: each query's send runs the receiver's side too
      contributions_receipts_api_cpu_system_ms_per_receipt: round(apiCpu.system / 1000 / (RECEIPTS / 2)),
      contributions_receipts_api_event_loop_utilization: round(apiEventLoopUtilization),
      ...(dbCpuHttp !== null && dbCpuRaw !== null
        ? {
            contributions_receipts_db_cpu_ms_per_receipt: round((dbCpuHttp * 1000) / RECEIPTS),
            contributions_receipts_raw_db_cpu_ms_per_receipt: round((dbCpuRaw * 1000) / (RECEIPTS + WARM_UP)),
          }
        : {}),
      contributions_webhook_deliveries: deliveries.length,
      contributions_webhook_duplicates: duplicates,
      contributions_webhook_events_per_s: round(deliveries.length / webhookSeconds, 1),
      contributions_webhook_ack_per_s: round(deliveries.length / acknowledged, 1),
      contributions_webhook_ack_p50_ms: round(ack.p50),
      contributions_webhook_ack_p99_ms: round(ack.p99),
      contributions_webhook_raw_events_per_s: round(deliveries.length / rawSeconds, 1),
      contributions_webhook_vs_raw_ratio: round(rawSeconds / webhookSeconds),
      contributions_webhook_payments_booked: booked.contributions,
      contributions_webhook_payments_expected: expectedPayments,
      contributions_webhook_exactly_once: exactlyOnce ? 1 : 0,
      contributions_concurrency: CONCURRENCY,
    };
    console.log(
      `contributions: receipts over HTTP ${figures.contributions_receipts_http_per_s}/s vs raw ${figures.contributions_receipts_raw_per_s}/s ` +
        `= ${figures.contributions_receipts_http_vs_raw_ratio} (target >= 0.25) with ${API_PROCESSES} API processes ` +
        `(one process: ${figures.contributions_receipts_http_one_process_per_s}/s = ${figures.contributions_receipts_http_one_process_vs_raw_ratio}); webhooks ${figures.contributions_webhook_events_per_s} events/s ` +
        `(ack ${figures.contributions_webhook_ack_per_s}/s) vs raw ${figures.contributions_webhook_raw_events_per_s}/s, ` +
        `${booked.contributions}/${expectedPayments} payments booked, exactly once: ${exactlyOnce}`,
    );
    if (!exactlyOnce)
      throw new Error(`payments not booked exactly once: ${JSON.stringify(booked)} for ${expectedPayments}`);
    return figures;
  } finally {
    await api?.stop();
    await worker?.close();
    await app?.close();
    await pool.end();
    await fake.stop();
    // Dropping the database ends its connections; a pool connection closed a moment late must not
    // take the whole bench run down with it.
    const ignoreTermination = (error: unknown) => {
      if ((error as { code?: string }).code !== '57P01') throw error;
    };
    process.on('uncaughtException', ignoreTermination);
    try {
      await env.stop();
    } finally {
      setTimeout(() => process.off('uncaughtException', ignoreTermination), 2000).unref();
    }
  }
}

/** The rows one booking writes (entry, four postings, contribution), plus the caller's, in one transaction. */
async function rawBooking(
  pool: Pool,
  ref: string,
  amount: number,
  extra: (client: import('pg').PoolClient, contributionId: string, entryId: string) => Promise<void>,
): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const [e] = (
      await c.query(
        `INSERT INTO bench_entries (kind, business_ref, idempotency_key, request_hash, policy_version, metadata) VALUES ('contribution', $1, $1, $2, 1, '{}') RETURNING id`,
        [ref, Buffer.alloc(32)],
      )
    ).rows;
    const half = Math.floor(amount / 2);
    await c.query(
      `INSERT INTO bench_postings (entry_id, account_id, currency, direction, amount)
       SELECT $1, a, 'EUR', d, m FROM unnest($2::bigint[], $3::char(1)[], $4::bigint[]) AS t(a, d, m)`,
      [
        e.id,
        [1, 2, 3, 4],
        ['D', 'C', 'C', 'C'],
        [amount, amount - half, Math.floor(half / 3), half - Math.floor(half / 3)],
      ],
    );
    const id = randomUUID();
    await c.query(
      'INSERT INTO bench_contributions (id, source_ref, gross, net, pool, directed, entry_id) VALUES ($1, $2, $3, $3, $4, $5, $6)',
      [id, ref, amount, amount - half, JSON.stringify([{ amount: half }]), e.id],
    );
    await extra(c, id, String(e.id));
    await c.query('COMMIT');
  } catch (error) {
    await c.query('ROLLBACK');
    throw error;
  } finally {
    c.release();
  }
}

async function measure(
  count: number,
  operation: (worker: number, n: number) => Promise<void>,
): Promise<{ throughput: number; p50: number; p99: number }> {
  // Warm-up: as many operations as the HTTP side gets.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let k = 0; k * CONCURRENCY < WARM_UP; k++) await operation(w, -1 - w - k * CONCURRENCY);
    }),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (next < count) {
        const n = next++;
        const t = process.hrtime.bigint();
        await operation(w, n);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface PlannedRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Requests with the same lane are sent one after another by the same client. */
  readonly lane: number;
  /** A Stripe webhook secret: the child signs the body just before sending it (the SDK's test helper). */
  readonly signWith?: string;
}

/**
 * Sends planned POSTs from a child process (CONCURRENCY clients, one per lane), so that load
 * generation does not compete with the API's event loop, as real clients would not; returns the
 * throughput and latencies. Plain node:http with keep-alive (fetch costs the shared cores about three
 * times as much per request). Any status other than `expected` fails the run.
 */
async function sendFromChild(
  base: string,
  requests: PlannedRequest[],
  expected: number,
): Promise<{ throughput: number; p50: number; p99: number }> {
  const file = join(tmpdir(), `librery-bench-${process.pid}-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(requests));
  const script = `
    const [base, file, expectedText, concurrencyText, stripePath] = process.argv.slice(1);
    const Stripe = require(stripePath);
    const requests = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
    const post = (url, headers, body) => new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    const expected = Number(expectedText), concurrency = Number(concurrencyText);
    const lanes = Array.from({ length: concurrency }, () => []);
    for (const r of requests) lanes[r.lane % concurrency].push(r);
    (async () => {
      const latencies = [];
      const started = process.hrtime.bigint();
      await Promise.all(lanes.map(async (lane) => {
        for (const r of lane) {
          const t = process.hrtime.bigint();
          if (r.signWith) r.headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({ payload: r.body, secret: r.signWith });
          const res = await post(base + r.path, r.headers, r.body);
          if (res.status !== expected) throw new Error(r.path + ' answered ' + res.status + ': ' + res.text);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p / 100 * latencies.length))];
      agent.destroy();
      process.stdout.write(JSON.stringify({ throughput: latencies.length / seconds, p50: at(50), p99: at(99) }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-e', script, '--', base, file, String(expected), String(CONCURRENCY), require.resolve('stripe')],
        { maxBuffer: 1 << 20 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`load generator failed: ${stderr || error.message}`)) : resolve(stdout),
      ),
    );
    return JSON.parse(output) as { throughput: number; p50: number; p99: number };
  } finally {
    await rm(file, { force: true });
  }
}
