import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Redis from 'ioredis';
import { dataPath } from '@app/config';
import { freePort, startEmbeddedPostgres, RunningPostgres } from '@app/database';

export interface RunningRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/** True when a Redis answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The Redis at `url` if it answers; otherwise a `redis-server` from the PATH on a free port,
 * keeping nothing on disk. Throws one clear sentence when neither is possible.
 */
export async function ensureRedis(url: string): Promise<RunningRedis> {
  if (await redisAnswers(url)) return { url, stop: async () => undefined };
  let binary: string;
  try {
    binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    binary = '';
  }
  if (!binary) {
    throw new Error(
      `No Redis answers at ${url} and no redis-server is on the PATH: install Redis 7 (e.g. apt install redis-server) or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(started)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url: started,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

/** The PostgreSQL at DATABASE_URL, or an embedded one under .data/ (a throwaway cluster for tests). */
export async function ensurePostgres(url: string | undefined, folder: string): Promise<RunningPostgres> {
  if (url) return { url, stop: async () => undefined };
  return startEmbeddedPostgres(dataPath(folder), { persistent: false });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}
