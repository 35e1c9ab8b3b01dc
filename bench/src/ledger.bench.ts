import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { Accounts, LedgerModule, LedgerService } from '@app/ledger';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { benchEnvironment, percentile, round } from './bench-database';

const CONCURRENCY = 16;

@Module({ imports: [ConfigModule, DatabaseModule, LedgerModule] })
class LedgerOnlyModule {}
const ENTRIES = 4000;

/**
 * Measured in one run, same concurrency, same number of entries:
 * (a) a raw baseline: plain pg clients writing, per transaction, the same rows as one ledger
 * entry (one entry row, four posting rows) into plain tables without triggers;
 * (b) LedgerService.post() through the real code: contribution-shaped entries crediting the hot
 * pool and operating accounts, debiting the hot bank account, and crediting a project account.
 * (c) the same post() without the public log.
 */
export async function run(): Promise<Record<string, number>> {
  const env = await benchEnvironment('ledger');
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.REDIS_URL = env.redisUrl;
  process.env.LOG_LEVEL = 'silent';
  const pool = new Pool({ connectionString: env.databaseUrl, max: CONCURRENCY });
  let app: NestExpressApplication | undefined;
  let ledgerOnly: INestApplicationContext | undefined;
  try {
    await pool.query(`
      CREATE TABLE bench_entries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text, business_ref text,
        idempotency_key text UNIQUE, request_hash bytea, metadata jsonb, recorded_at timestamptz DEFAULT now());
      CREATE TABLE bench_postings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry_id bigint REFERENCES bench_entries,
        account_id bigint, currency char(3), direction char(1), amount bigint)`);
    const raw = await measure(async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const [e] = (
          await client.query(
            `INSERT INTO bench_entries (kind, business_ref, idempotency_key, request_hash, metadata) VALUES ('contribution', $1, $1, $2, '{}') RETURNING id`,
            [randomUUID(), Buffer.alloc(32)],
          )
        ).rows;
        await client.query(
          `INSERT INTO bench_postings (entry_id, account_id, currency, direction, amount)
           SELECT $1, a, 'EUR', d, m FROM unnest($2::bigint[], $3::char(1)[], $4::bigint[]) AS t(a, d, m)`,
          [e.id, [1, 2, 3, 4], ['D', 'C', 'C', 'C'], [1000, 500, 250, 250]],
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });

    app = await createApiApp();
    await app.init();
    const ledger = app.get(LedgerService);
    const projects = Array.from({ length: 50 }, (_, i) => Accounts.projectDirected(`bench-${i}`));
    await ledger.ensureAccounts([Accounts.bank(), Accounts.pool(), Accounts.operatingIncome(), ...projects]);
    let n = 0;
    const service = await measure(async () => {
      const key = randomUUID();
      const project = projects[n++ % projects.length];
      await ledger.post({
        kind: 'contribution',
        businessRef: key,
        idempotencyKey: key,
        postings: [
          { account: Accounts.bank().code, direction: 'debit', amount: 1000n, currency: 'EUR' },
          { account: Accounts.pool().code, direction: 'credit', amount: 500n, currency: 'EUR' },
          { account: Accounts.operatingIncome().code, direction: 'credit', amount: 250n, currency: 'EUR' },
          { account: project.code, direction: 'credit', amount: 250n, currency: 'EUR' },
        ],
      });
    });
    // The same post() without the public log (a ledger-only context; the schema's "every entry is
    // logged" check lifted in this throwaway database), to show what the public log costs.
    await pool.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_logged');
    ledgerOnly = await NestFactory.createApplicationContext(LedgerOnlyModule, { logger: false });
    const bare = ledgerOnly.get(LedgerService);
    const withoutLog = await measure(async () => {
      const key = randomUUID();
      const project = projects[n++ % projects.length];
      await bare.post({
        kind: 'contribution',
        businessRef: key,
        idempotencyKey: key,
        postings: [
          { account: Accounts.bank().code, direction: 'debit', amount: 1000n, currency: 'EUR' },
          { account: Accounts.pool().code, direction: 'credit', amount: 500n, currency: 'EUR' },
          { account: Accounts.operatingIncome().code, direction: 'credit', amount: 250n, currency: 'EUR' },
          { account: project.code, direction: 'credit', amount: 250n, currency: 'EUR' },
        ],
      });
    });
    const figures = {
      ledger_raw_entries_per_s: round(raw.throughput, 1),
      ledger_raw_p50_ms: round(raw.p50),
      ledger_raw_p99_ms: round(raw.p99),
      ledger_post_entries_per_s: round(service.throughput, 1),
      ledger_post_p50_ms: round(service.p50),
      ledger_post_p99_ms: round(service.p99),
      ledger_post_vs_raw_ratio: round(service.throughput / raw.throughput),
      ledger_post_without_log_entries_per_s: round(withoutLog.throughput, 1),
      ledger_post_without_log_p50_ms: round(withoutLog.p50),
      ledger_post_without_log_p99_ms: round(withoutLog.p99),
      ledger_post_without_log_vs_raw_ratio: round(withoutLog.throughput / raw.throughput),
      ledger_concurrency: CONCURRENCY,
    };
    console.log(
      `ledger: raw ${figures.ledger_raw_entries_per_s}/s (p50 ${figures.ledger_raw_p50_ms} ms, p99 ${figures.ledger_raw_p99_ms} ms); ` +
        `post() ${figures.ledger_post_entries_per_s}/s (p50 ${figures.ledger_post_p50_ms} ms, p99 ${figures.ledger_post_p99_ms} ms); ` +
        `ratio ${figures.ledger_post_vs_raw_ratio} (target >= 0.5) at concurrency ${CONCURRENCY}; ` +
        `without the public log ${figures.ledger_post_without_log_entries_per_s}/s, ratio ${figures.ledger_post_without_log_vs_raw_ratio}`,
    );
    return figures;
  } finally {
    await app?.close();
    await ledgerOnly?.close();
    await pool.end();
    await env.stop();
  }
}

async function measure(
  operation: () => Promise<void>,
): Promise<{ throughput: number; p50: number; p99: number }> {
  // warm-up
  await Promise.all(Array.from({ length: CONCURRENCY }, () => operation()));
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ENTRIES) {
        next += 1;
        const t = process.hrtime.bigint();
        await operation();
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
