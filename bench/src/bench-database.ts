import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { resolveLocalDatabase } from '@app/database';
import { ensureRedis } from '@app/queue';
import { runMigrations } from '../../migrations/run-migrations';

export interface BenchEnvironment {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/** A fresh, migrated database for one suite on the configured (or embedded) server, dropped afterwards. */
export async function benchEnvironment(name: string): Promise<BenchEnvironment> {
  const config = loadConfig();
  const server = await resolveLocalDatabase(config.DATABASE_URL);
  const redis = await ensureRedis(config.REDIS_URL);
  const database = `librery_bench_${name.replace(/[^a-z0-9]/g, '_')}_${process.pid}`;
  const admin = new URL(server.url);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await run(`CREATE DATABASE ${database}`);
  const url = new URL(server.url);
  url.pathname = `/${database}`;
  await runMigrations(url.toString());
  return {
    databaseUrl: url.toString(),
    redisUrl: redis.url,
    stop: async () => {
      await run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await redis.stop();
      await server.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));
