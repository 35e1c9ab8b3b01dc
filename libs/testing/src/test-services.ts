import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dataPath } from '@app/config';
import { startEmbeddedPostgres, RunningPostgres } from '@app/database';
export { ensureRedis, redisAnswers } from '@app/queue';

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
