import { writeFile } from 'node:fs/promises';
import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { resolveLocalDatabase } from '@app/database';
import { ensureRedis } from '@app/queue';
import { runMigrations } from '../../migrations/run-migrations';

export interface BenchEnvironment {
  databaseUrl: string;
  /** The database was copied from the requested template (already loaded by an earlier run). */
  fromTemplate: boolean;
  /** Saves this database as the template (nobody may be connected to it). */
  saveAsTemplate(): Promise<void>;
  redisUrl: string;
  stop(): Promise<void>;
}

/** A fresh, migrated database for one suite on the configured (or embedded) server, dropped afterwards. */
export async function benchEnvironment(
  name: string,
  options: { template?: string } = {},
): Promise<BenchEnvironment> {
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
  const template = options.template && /^[a-z0-9_]+$/.test(options.template) ? options.template : null;
  let fromTemplate = false;
  if (template) {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      fromTemplate =
        (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1;
    } finally {
      await c.end();
    }
  }
  await run(
    fromTemplate ? `CREATE DATABASE ${database} TEMPLATE ${template}` : `CREATE DATABASE ${database}`,
  );
  const url = new URL(server.url);
  url.pathname = `/${database}`;
  await runMigrations(url.toString());
  return {
    fromTemplate,
    saveAsTemplate: async () => {
      if (!template) return;
      await run(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await run(`CREATE DATABASE ${template} TEMPLATE ${database}`);
    },
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

/**
 * CPU seconds used so far by every process named `postgres` on this machine, exited ones included (Linux /proc; null
 * elsewhere): with a local server, the database's share of an operation's cost.
 */
export async function postgresCpuSeconds(): Promise<number | null> {
  const { readdir, readFile } = await import('node:fs/promises');
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^[0-9]+$/.test(p));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime, stime, and cutime, cstime: the server's exited backends are counted by the postmaster
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The CPU seconds PostgreSQL spent since `before` (a `postgresCpuSeconds()` reading), or null off Linux. */
export async function cpuSince(before: number | null): Promise<number | null> {
  const now = await postgresCpuSeconds();
  return before === null || now === null ? null : now - before;
}

/** Starts the V8 profiler in this process when `file` is set; `stop()` writes the profile there. */
export async function startCpuProfile(file: string | undefined): Promise<{ stop(): Promise<void> } | null> {
  if (!file) return null;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
