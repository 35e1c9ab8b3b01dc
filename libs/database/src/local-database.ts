import { Client } from 'pg';
import { dataPath } from '@app/config';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';

const EMBEDDED_PORT = 54329;
const DATABASE = 'librery';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The database to run against: DATABASE_URL when set; otherwise the embedded PostgreSQL kept
 * under .data/postgres (started if it is not already running), with a `librery` database.
 */
export async function resolveLocalDatabase(databaseUrl: string | undefined): Promise<RunningPostgres> {
  if (databaseUrl) return { url: databaseUrl, stop: async () => undefined };
  const server = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
  const running: RunningPostgres = (await answers(server))
    ? { url: server, stop: async () => undefined }
    : await startEmbeddedPostgres(dataPath('postgres'), { port: EMBEDDED_PORT, persistent: true });
  const client = new Client({ connectionString: running.url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return { url: running.url.replace(/\/postgres$/, `/${DATABASE}`), stop: running.stop };
}
