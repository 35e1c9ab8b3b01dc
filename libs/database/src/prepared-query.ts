import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

const names = new Map<string, string>();

/**
 * Runs `sql` as a named prepared statement: PostgreSQL parses and plans it once per connection
 * instead of at every call (~0.1–0.2 ms of database time saved on each). For the statements of the
 * hot paths (a receipt: authentication, idempotency record, locked read, booking, ledger entry).
 * With a manager in a transaction it runs on that transaction's connection; otherwise on a pooled
 * connection, as `DataSource.query` does. The statement is named after a hash of its text, so a
 * different text never reuses another's plan. Prepared statements live as long as the connection:
 * migrations run before the application connects (a column added while it runs would invalidate
 * a prepared `SELECT *`).
 */
export async function queryPrepared<T = unknown>(
  target: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  return (await runPrepared(target, sql, params)).rows as T[];
}

/** `queryPrepared` for a statement whose affected row count matters (an UPDATE or DELETE). */
export async function executePrepared(
  target: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<number> {
  return (await runPrepared(target, sql, params)).rowCount ?? 0;
}

async function runPrepared(
  target: EntityManager | DataSource,
  sql: string,
  params: unknown[],
): Promise<{ rows: unknown[]; rowCount: number | null }> {
  let name = names.get(sql);
  if (!name) {
    name = `librery_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  const statement = { name, text: sql, values: params };
  const runner = target instanceof DataSource ? undefined : target.queryRunner;
  if (runner?.isTransactionActive) return clientOf(runner).query(statement);
  const pooled = (target instanceof DataSource ? target : target.connection).createQueryRunner();
  try {
    await pooled.connect();
    return await clientOf(pooled).query(statement);
  } finally {
    await pooled.release();
  }
}

function clientOf(runner: QueryRunner): PgClient {
  const client = (runner as QueryRunner & { databaseConnection?: PgClient }).databaseConnection;
  if (!client || typeof client.query !== 'function') throw new Error('a pg connection is required');
  return client;
}
