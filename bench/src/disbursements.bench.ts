import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import {
  BalanceSums,
  claimDeadline,
  computeProjectOutcomeFromSums,
  DisbursementRunScheduler,
  DisbursementRunService,
  FixedPayeeDirectory,
  PayeeDirectory,
  PayoutsService,
  PayoutTransfers,
  readProjectBalances,
} from '@app/disbursements';
import { IdentityModule, Principal } from '@app/identity';
import { Accounts, LedgerModule, LedgerService } from '@app/ledger';
import { PolicyModule } from '@app/policy';
import { TransparencyModule } from '@app/transparency';
import { benchEnvironment, cpuSince, postgresCpuSeconds, round, startCpuProfile } from './bench-database';

const CONTRIBUTIONS = Number(process.env.DISBURSEMENTS_BENCH_CONTRIBUTIONS ?? 1_000_000);
const PROJECTS = Number(process.env.DISBURSEMENTS_BENCH_PROJECTS ?? 10_000);
// Entries per transaction (see the comment in load()).
const CHUNK = 500;
const treasurer: Principal = { kind: 'cli', userId: null, tokenId: null, grants: [] };

/**
 * A disbursement run over CONTRIBUTIONS booked contributions across PROJECTS projects, against a
 * bare SQL aggregation of the same balances in the same database and the same run.
 *
 * Loading goes through the real ledger tables and triggers (balances kept by trigger, entries
 * checked at COMMIT): each contribution is one entry (bank debit, project directed credit)
 * inserted with INSERT … SELECT generate_series in transactions of 500 (see CHUNK); occurred dates spread over
 * 1,000 days, so unclaimed money past the 730-day deadline expires. Round allocations credit
 * every project's allocated balance. 80 % of projects are admitted with verified details
 * (70 % SEPA, 10 % Stripe), 10 % unverified, 10 % not admitted (an in-memory payee directory).
 * The bulk-loaded entries then get synthetic leaves (a run sees the entries logged below its mark).
 */
export async function run(): Promise<Record<string, number>> {
  // DISBURSEMENTS_BENCH_TEMPLATE=<database name>: a development aid. The first run saves the loaded
  // database under that name; later runs copy it instead of loading again (minutes saved). Drop
  // the template after changing migrations or the load.
  const env = await benchEnvironment('disbursements', { template: process.env.DISBURSEMENTS_BENCH_TEMPLATE });
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.REDIS_URL = env.redisUrl;
  process.env.LOG_LEVEL = 'silent';
  const payees = new FixedPayeeDirectory();

  @Module({
    imports: [ConfigModule, DatabaseModule, LedgerModule, PolicyModule, IdentityModule, TransparencyModule],
    providers: [
      DisbursementRunService,
      PayoutsService,
      { provide: PayeeDirectory, useValue: payees },
      { provide: DisbursementRunScheduler, useValue: { schedule: async () => undefined } },
      { provide: PayoutTransfers, useValue: { transfer: async () => ({ ok: false, failure: 'bench' }) } },
    ],
  })
  class DisbursementsBenchModule {}

  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(DisbursementsBenchModule, { logger: false });
    const ledger = app.get(LedgerService);
    let db = app.get(DataSource);
    const loadStarted = Date.now();
    const leavesSeconds = env.fromTemplate ? 0 : await load(env.databaseUrl, ledger, db);
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    if (!env.fromTemplate && process.env.DISBURSEMENTS_BENCH_TEMPLATE) {
      await app.close();
      await env.saveAsTemplate();
      app = await NestFactory.createApplicationContext(DisbursementsBenchModule, { logger: false });
      db = app.get(DataSource);
    }

    const projectIds = (
      (await db.query(
        `SELECT split_part(code, ':', 3) AS id FROM ledger_accounts WHERE code LIKE 'liability:project:%:directed:eur' ORDER BY 1`,
      )) as { id: string }[]
    ).map((r) => r.id);
    projectIds.forEach((id, i) => {
      const bucket = i % 10;
      payees.set({
        projectId: id,
        name: `Project ${i}`,
        admitted: bucket !== 9,
        destination:
          bucket === 8
            ? null
            : bucket === 7
              ? { rail: 'stripe', stripeAccountId: `acct_bench${i}` }
              : {
                  rail: 'sepa',
                  accountHolder: `Project ${i}`,
                  iban: 'FR1420041010050500013M02606',
                  bic: null,
                },
      });
    });

    // Admission opens a project's payable account (ProjectsService.changeStatus, in the API): the
    // admitted projects have theirs before any run, as in the fund. Plain SQL, so that this
    // process's ledger (the worker's) has none of them cached.
    const payable = projectIds.filter((_, i) => i % 10 !== 9).map((id) => Accounts.payable(id, 'EUR'));
    await db.query(
      `INSERT INTO ledger_accounts (code, currency, normal_side, balance_limit)
       SELECT code, 'EUR', 'credit', 'debits_must_not_exceed_credits' FROM unnest($1::text[]) AS code`,
      [payable.map((a) => a.code)],
    );

    // Baseline: the bare SQL aggregation of the same balances (median of 3).
    const aggregate = async () => {
      const t = process.hrtime.bigint();
      await db.query(
        `SELECT a.code, sum(CASE p.direction WHEN 'C' THEN p.amount ELSE -p.amount END) AS balance
           FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
          WHERE a.code LIKE 'liability:project:%' GROUP BY a.code`,
      );
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const dbCpuBeforeSql = await postgresCpuSeconds();
    const sqlSeconds = [await aggregate(), await aggregate(), await aggregate()].sort((a, b) => a - b)[1];
    const dbCpuSql = await cpuSince(dbCpuBeforeSql);

    // The computation alone (streamed reads + pure function, no writes).
    const runs = app.get(DisbursementRunService);
    const policy = { cutoff: new Date(), minimumPayout: 5000n, claimDeadlineDays: 730 };
    const [{ mark }] = (await db.query(
      'SELECT size::text AS mark FROM transparency_log_head WHERE id = 1',
    )) as {
      mark: string;
    }[];
    const t0 = process.hrtime.bigint();
    let computed = 0;
    const none: BalanceSums = { credited: 0n, debited: 0n };
    for await (const page of readProjectBalances(db, {
      currency: 'EUR',
      cutoff: policy.cutoff,
      ledgerMark: mark,
    })) {
      const found = await payees.find(page.projects.map((p) => p.projectId));
      const claimed = (id: string) => found.get(id)?.admitted === true && found.get(id)?.destination != null;
      const before = await page.creditedBefore(
        page.projects.filter((p) => p.directed && !claimed(p.projectId)).map((p) => p.directed!.accountId),
        claimDeadline(policy),
      );
      for (const p of page.projects) {
        const payee = found.get(p.projectId);
        computeProjectOutcomeFromSums(
          {
            projectId: p.projectId,
            admitted: payee?.admitted ?? false,
            payoutVerified: payee?.destination != null,
            directed: p.directed
              ? { ...p.directed, creditedBeforeDeadline: before.get(p.directed.accountId) ?? 0n }
              : none,
            allocated: p.allocated ?? none,
          },
          policy,
        );
        computed += 1;
      }
    }
    const computeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

    // The run itself, with its ledger entries, outcomes, sources and payout batches; RSS sampled.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let heapPeak = process.memoryUsage().heapUsed;
    // rss() alone every 10 ms (cheap); the heap, whose reading costs more, every 50 ms
    let ticks = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      if (++ticks % 5 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 10);
    // DISBURSEMENTS_BENCH_CPU_PROFILE=<file>: a V8 CPU profile of this process (the worker) over the run.
    const profiler = await startCpuProfile(process.env.DISBURSEMENTS_BENCH_CPU_PROFILE);
    const dbCpuBeforeRun = await postgresCpuSeconds();
    const workerCpuBefore = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    const started = await runs.start(treasurer, { cutoff: new Date() });
    const done = await runs.execute(started.run.id);
    const runSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    const workerCpu = process.cpuUsage(workerCpuBefore);
    const dbCpuRun = await cpuSince(dbCpuBeforeRun);
    await profiler?.stop();
    clearInterval(sampler);
    if (done.status !== 'completed' || !done.totals)
      throw new Error(`run ended ${done.status}: ${done.error}`);

    // The run's figures equal the aggregation: what was on the project accounts is now payable, expired or carried over.
    const [check] = (await db.query(
      `SELECT (SELECT coalesce(sum(payable + expired + carried_over), 0) FROM disbursement_run_projects WHERE run_id = $1)::text AS run_total,
              (SELECT coalesce(sum(CASE p.direction WHEN 'C' THEN p.amount ELSE -p.amount END), 0)
                 FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
                 JOIN transparency_log_leaves t ON t.entry_id = p.entry_id AND t.log_index < $2
                WHERE a.code LIKE 'liability:project:%')::text AS ledger_total`,
      [done.id, done.ledgerMark],
    )) as { run_total: string; ledger_total: string }[];
    if (check.run_total !== check.ledger_total)
      throw new Error(`run total ${check.run_total} != ledger ${check.ledger_total}`);

    const figures = {
      disbursements_contributions: CONTRIBUTIONS,
      disbursements_projects: PROJECTS,
      disbursements_load_seconds: round(loadSeconds, 1),
      disbursements_load_leaves_seconds: round(leavesSeconds, 1),
      disbursements_sql_aggregate_seconds: round(sqlSeconds),
      disbursements_compute_only_seconds: round(computeSeconds),
      disbursements_run_seconds: round(runSeconds),
      disbursements_run_vs_sql_ratio: round(runSeconds / sqlSeconds, 2),
      disbursements_compute_vs_sql_ratio: round(computeSeconds / sqlSeconds, 2),
      // Where the time goes: CPU seconds of PostgreSQL (all its processes) and of this process (the
      // worker) during the run, and of PostgreSQL for one aggregation (2 cores: wall time is at
      // least the sum over 2).
      disbursements_run_worker_cpu_seconds: round((workerCpu.user + workerCpu.system) / 1e6),
      ...(dbCpuRun !== null && dbCpuSql !== null
        ? {
            disbursements_run_db_cpu_seconds: round(dbCpuRun),
            disbursements_sql_aggregate_db_cpu_seconds: round(dbCpuSql / 3),
          }
        : {}),
      disbursements_payable_projects: done.totals.payableProjects,
      disbursements_projects_computed: computed,
      disbursements_peak_rss_mb: round(rssPeak / 2 ** 20, 1),
      disbursements_rss_growth_mb: round((rssPeak - rssBefore) / 2 ** 20, 1),
      disbursements_peak_heap_mb: round(heapPeak / 2 ** 20, 1),
    };
    console.error(`disbursements bench: ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await app?.close();
    await env.stop();
  }
}

/** Loads the fund; returns the seconds spent giving the bulk-loaded entries their leaves. */
async function load(url: string, ledger: LedgerService, db: DataSource): Promise<number> {
  // A synthetic fund of a million entries is bulk-loaded by SQL, outside the public log (which the
  // schema otherwise requires at COMMIT); the run's own entries are logged as in production.
  await db.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_logged');
  try {
    await loadFund(url, ledger, db);
  } finally {
    await db.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_logged');
  }
  const started = Date.now();
  await loadLeaves(db);
  return (Date.now() - started) / 1000;
}

/**
 * A run sees the entries logged below its mark (the log's size at its start), so the bulk-loaded
 * entries get synthetic leaves (no hashing, no subtree nodes: only their indices matter here) and
 * the head moves past them, with a frontier of the right length so that the sequencer can go on
 * appending the run's own entries.
 */
async function loadLeaves(db: DataSource): Promise<void> {
  await db.query(
    `INSERT INTO transparency_log_leaves (log_index, entry_id, leaf_data, leaf_hash)
     SELECT h.size + row_number() OVER (ORDER BY e.id) - 1, e.id, 'bench', decode(repeat('00', 32), 'hex')
       FROM ledger_entries e, transparency_log_head h
      WHERE h.id = 1 AND NOT EXISTS (SELECT 1 FROM transparency_log_leaves l WHERE l.entry_id = e.id)
        AND NOT EXISTS (SELECT 1 FROM transparency_log_queue q WHERE q.entry_id = e.id)`,
  );
  const [{ size }] = (await db.query(`SELECT max(log_index) + 1 AS size FROM transparency_log_leaves`)) as {
    size: string;
  }[];
  const ones = BigInt(size).toString(2).replace(/0/g, '').length;
  await db.query('UPDATE transparency_log_head SET size = $1, frontier = $2 WHERE id = 1', [
    size,
    Buffer.alloc(32 * ones),
  ]);
  await db.query('ANALYZE transparency_log_leaves');
}

async function loadFund(url: string, ledger: LedgerService, db: DataSource): Promise<void> {
  await ledger.ensureAccounts([Accounts.bank(), Accounts.pool()]);
  await db.query(
    `INSERT INTO ledger_accounts (code, currency, normal_side, balance_limit)
     SELECT 'liability:project:' || md5('bench-project-' || i)::uuid || ':' || kind || ':eur', 'EUR', 'credit', 'debits_must_not_exceed_credits'
       FROM generate_series(0, $1 - 1) AS i, (VALUES ('directed'), ('allocated')) AS k(kind)`,
    [PROJECTS],
  );
  await db.query(
    `CREATE TABLE bench_project_accounts AS
     SELECT i AS n, d.id AS directed_id, a.id AS allocated_id
       FROM generate_series(0, $1 - 1) AS i
       JOIN ledger_accounts d ON d.code = 'liability:project:' || md5('bench-project-' || i)::uuid || ':directed:eur'
       JOIN ledger_accounts a ON a.code = 'liability:project:' || md5('bench-project-' || i)::uuid || ':allocated:eur'`,
    [PROJECTS],
  );
  await db.query('CREATE UNIQUE INDEX ON bench_project_accounts (n)');
  const [{ id: bank }] = (await db.query(`SELECT id::text AS id FROM ledger_accounts WHERE code = $1`, [
    Accounts.bank().code,
  ])) as { id: string }[];
  // A fresh connection per transaction of CHUNK entries: the ledger's entry trigger leaves one
  // custom setting per entry in the session, and on PostgreSQL 15 each new one costs time in
  // proportion to how many the session already holds (a 500-entry transaction: 0.2 s on a fresh
  // connection, 10 s after 48,000 entries on the same one).
  for (let from = 0; from < CONTRIBUTIONS; from += CHUNK) {
    const to = Math.min(CONTRIBUTIONS, from + CHUNK) - 1;
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `WITH e AS (
           INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash, occurred_at)
           SELECT 'contribution.booked', 'bench-contribution:' || g, 'bench-contribution:' || g,
                  sha256(convert_to('bench-contribution:' || g, 'UTF8')),
                  now() - make_interval(days => g % 1000, hours => 1)
             FROM generate_series($1::int, $2::int) AS g
           RETURNING id, business_ref
         ), x AS (SELECT id, split_part(business_ref, ':', 2)::int AS g FROM e)
         INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
         SELECT x.id, $3::bigint, 'EUR', 'D', 100 + (x.g::bigint * 7919) % 1900 FROM x
         UNION ALL
         SELECT x.id, pa.directed_id, 'EUR', 'C', 100 + (x.g::bigint * 7919) % 1900
           FROM x JOIN bench_project_accounts pa ON pa.n = x.g % $4`,
        [from, to, bank, PROJECTS],
      );
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }
  // Money for the rounds, then one round entry per 1,000 projects (pool → allocated).
  await ledger.post({
    kind: 'contribution.booked',
    businessRef: 'bench-pool',
    idempotencyKey: 'bench-pool',
    postings: [
      {
        account: Accounts.bank().code,
        direction: 'debit',
        amount: BigInt(PROJECTS) * 2000n,
        currency: 'EUR',
      },
      {
        account: Accounts.pool().code,
        direction: 'credit',
        amount: BigInt(PROJECTS) * 2000n,
        currency: 'EUR',
      },
    ],
  });
  const codes = (
    (await db.query(
      `SELECT code FROM ledger_accounts WHERE code LIKE 'liability:project:%:allocated:eur' ORDER BY code`,
    )) as { code: string }[]
  ).map((r) => r.code);
  for (let i = 0; i < codes.length; i += 1000) {
    const part = codes.slice(i, i + 1000);
    const amounts = part.map((_, j) => 500n + BigInt((i + j) % 1000));
    await ledger.post({
      kind: 'round.allocation',
      businessRef: `bench-round:${i}`,
      idempotencyKey: `bench-round:${i}`,
      postings: [
        {
          account: Accounts.pool().code,
          direction: 'debit',
          amount: amounts.reduce((s, a) => s + a, 0n),
          currency: 'EUR',
        },
        ...part.map((code, j) => ({
          account: code,
          direction: 'credit' as const,
          amount: amounts[j],
          currency: 'EUR',
        })),
      ],
    });
  }
  // As autovacuum would have long before a real run (and not during the measurement): the load
  // rewrote every balance row a hundred times.
  await db.query('VACUUM (ANALYZE)');
}
