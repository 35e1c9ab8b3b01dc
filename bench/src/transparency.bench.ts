import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { IdentityModule } from '@app/identity';
import { Accounts, LedgerModule, LedgerService } from '@app/ledger';
import {
  appendLeaves,
  decodeFrontier,
  encodeFrontier,
  leafHash,
  TransparencyModule,
  verifyInclusion,
} from '@app/transparency';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { benchEnvironment, percentile, round } from './bench-database';
import { measureLeafChecking, sampleLeaves } from './transparency-leaf-check';

/** Leaves in the log for the proof-latency figure (scale with TRANSPARENCY_BENCH_LEAVES). */
const LOG_LEAVES = Number(process.env.TRANSPARENCY_BENCH_LEAVES ?? 1_000_000);
const ENTRIES_PER_ROUND = Number(process.env.TRANSPARENCY_BENCH_ENTRIES ?? 1000);
const PROOF_REQUESTS = 2000;

@Module({ imports: [ConfigModule, DatabaseModule, LedgerModule] })
class LedgerOnlyModule {}

@Module({ imports: [ConfigModule, DatabaseModule, LedgerModule, IdentityModule, TransparencyModule] })
class LedgerWithLogModule {}

async function postMany(
  ledger: LedgerService,
  count: number,
  concurrency: number,
  projects: string[],
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const key = randomUUID();
        await ledger.post({
          kind: 'contribution.bench',
          businessRef: key,
          idempotencyKey: key,
          postings: [
            { account: Accounts.bank().code, direction: 'debit', amount: 1000n, currency: 'EUR' },
            { account: Accounts.pool().code, direction: 'credit', amount: 500n, currency: 'EUR' },
            { account: Accounts.operatingIncome().code, direction: 'credit', amount: 250n, currency: 'EUR' },
            { account: projects[i % projects.length], direction: 'credit', amount: 250n, currency: 'EUR' },
          ],
        });
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** Grows the log to `target` leaves with synthetic leaf hashes (node hashes and head only: what proofs read). */
async function growLog(db: DataSource, target: number): Promise<void> {
  const [head] = (await db.query('SELECT size, frontier FROM transparency_log_head WHERE id = 1')) as {
    size: bigint;
    frontier: Buffer;
  }[];
  let frontier = decodeFrontier(Number(head.size), head.frontier);
  const batch = 50_000;
  while (frontier.size < target) {
    const n = Math.min(batch, target - frontier.size);
    const leaves = Array.from({ length: n }, (_, i) => leafHash(`synthetic leaf ${frontier.size + i}`));
    const { frontier: next, completed } = appendLeaves(frontier, leaves);
    await db.query(
      `INSERT INTO transparency_log_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
      [completed.map((c) => c.level), completed.map((c) => String(c.index)), completed.map((c) => c.hash)],
    );
    frontier = next;
  }
  await db.query('UPDATE transparency_log_head SET size = $1, frontier = $2 WHERE id = 1', [
    frontier.size,
    encodeFrontier(frontier),
  ]);
}

/**
 * (1) ledger posting throughput with the log against without it, same run, same database,
 * rounds interleaved, at 1 and 8 concurrent writers; (2) inclusion-proof latency over HTTP on a
 * log of LOG_LEAVES leaves; (3) the verifier's leaf checking against plain SHA-256 of the same bytes.
 */
export async function run(): Promise<Record<string, number>> {
  const env = await benchEnvironment('transparency');
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.REDIS_URL = env.redisUrl;
  process.env.LOG_LEVEL = 'silent';
  process.env.LOG_SIGNING_SEED ??= randomBytes(32).toString('hex');
  const figures: Record<string, number> = {};
  // CPU-only figure first, before the database phases fill the heap.
  const leafCheck = measureLeafChecking(sampleLeaves(200_000));
  figures.transparency_verifier_leaves_per_s = round(leafCheck.verifierLeavesPerSecond, 0);
  figures.transparency_sha256_leaves_per_s = round(leafCheck.sha256LeavesPerSecond, 0);
  figures.transparency_sha256_oneshot_leaves_per_s = round(leafCheck.sha256OneShotLeavesPerSecond, 0);
  figures.transparency_verifier_vs_sha256_ratio = round(leafCheck.ratio);
  figures.transparency_verifier_vs_sha256_oneshot_ratio = round(leafCheck.ratioOneShot);
  let without: INestApplicationContext | undefined;
  let withLog: INestApplicationContext | undefined;
  let api: NestExpressApplication | undefined;
  try {
    without = await NestFactory.createApplicationContext(LedgerOnlyModule, {
      logger: false,
      abortOnError: false,
    });
    withLog = await NestFactory.createApplicationContext(LedgerWithLogModule, {
      logger: false,
      abortOnError: false,
    });
    const plain = without.get(LedgerService);
    const logged = withLog.get(LedgerService);
    // The baseline posts without the log, which the schema refuses at COMMIT (migration
    // 1763769620002): lift that check in this throwaway bench database only. The with-log runs
    // lose the cost of that one EXISTS lookup per entry.
    await withLog.get(DataSource).query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_logged');
    const projects = Array.from({ length: 50 }, (_, i) => Accounts.projectDirected(`bench-${i}`));
    await plain.ensureAccounts([Accounts.bank(), Accounts.pool(), Accounts.operatingIncome(), ...projects]);
    await logged.ensureAccounts([Accounts.bank(), Accounts.pool(), Accounts.operatingIncome(), ...projects]);
    const codes = projects.map((p) => p.code);
    for (const concurrency of [1, 8]) {
      await postMany(plain, 100, concurrency, codes); // warm-up
      await postMany(logged, 100, concurrency, codes);
      const a: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < 2; r++) {
        a.push(await postMany(plain, ENTRIES_PER_ROUND, concurrency, codes));
        b.push(await postMany(logged, ENTRIES_PER_ROUND, concurrency, codes));
      }
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      figures[`transparency_post_c${concurrency}_without_log_per_s`] = round(mean(a), 1);
      figures[`transparency_post_c${concurrency}_with_log_per_s`] = round(mean(b), 1);
      figures[`transparency_post_c${concurrency}_with_vs_without_ratio`] = round(mean(b) / mean(a));
    }

    const db = withLog.get(DataSource);
    const t0 = performance.now();
    await growLog(db, LOG_LEAVES);
    figures.transparency_log_fill_seconds = round((performance.now() - t0) / 1000, 1);
    api = await createApiApp();
    await api.listen(0, '127.0.0.1');
    const base = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    const [{ size }] = (await db.query('SELECT size::int AS size FROM transparency_log_head')) as {
      size: number;
    }[];
    const latencies: number[] = [];
    let checked = 0;
    for (let i = 0; i < PROOF_REQUESTS + 50; i++) {
      const index = Math.floor(Math.random() * size);
      const started = performance.now();
      const res = await fetch(`${base}/log/proof/inclusion?index=${index}&size=${size}`);
      const body = (await res.json()) as { leafHash: string; root: string; proof: string[] };
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`inclusion proof: HTTP ${res.status}`);
      if (i >= 50) latencies.push(ms);
      if (i % 100 === 0) {
        const ok = verifyInclusion(
          index,
          size,
          Buffer.from(body.leafHash, 'base64'),
          body.proof.map((p) => Buffer.from(p, 'base64')),
          Buffer.from(body.root, 'base64'),
        );
        if (!ok) throw new Error(`inclusion proof for ${index} does not verify`);
        checked += 1;
      }
    }
    latencies.sort((x, y) => x - y);
    // The same HTTP stack without any database read, for scale.
    const baseline: number[] = [];
    for (let i = 0; i < 500; i++) {
      const started = performance.now();
      await (await fetch(`${base}/log/key`)).text();
      baseline.push(performance.now() - started);
    }
    baseline.sort((x, y) => x - y);
    figures.transparency_http_baseline_p50_ms = round(percentile(baseline, 50));
    figures.transparency_log_leaves = size;
    figures.transparency_inclusion_proof_p50_ms = round(percentile(latencies, 50));
    figures.transparency_inclusion_proof_p99_ms = round(percentile(latencies, 99));
    figures.transparency_inclusion_proofs_verified = checked;

    for (const [k, v] of Object.entries(figures)) console.error(`${k}: ${v}`);
    return figures;
  } finally {
    await api?.close();
    await withLog?.close();
    await without?.close();
    await env.stop();
  }
}
