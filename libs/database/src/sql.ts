import { DataSource, EntityManager, QueryResult } from 'typeorm';

/** Where a statement runs: a transaction's manager (its connection), or the pool. */
export type SqlTarget = DataSource | EntityManager;

/**
 * The one way to read a raw statement's result. TypeORM's `query()` answers a SELECT or an
 * INSERT … RETURNING with its rows but an UPDATE or DELETE (… RETURNING or not) with
 * `[rows, affectedCount]` on PostgreSQL, so `rows.length > 0` is always true after an UPDATE.
 * These helpers ask the driver for its structured result and return what was meant:
 * `queryRows` the rows, `queryOne` the only row or null, `execute` the affected row count.
 */
async function run(target: SqlTarget, sql: string, params: readonly unknown[]): Promise<QueryResult> {
  const inTransaction = target instanceof DataSource ? undefined : target.queryRunner;
  const dataSource = target instanceof DataSource ? target : target.connection;
  const runner = inTransaction && !inTransaction.isReleased ? inTransaction : dataSource.createQueryRunner();
  try {
    const result = (await runner.query(sql, params as unknown[], true)) as QueryResult | undefined;
    if (!result || !Array.isArray(result.records)) {
      throw new Error('one SQL statement expected (a multi-statement string has no single result)');
    }
    return result;
  } finally {
    if (runner !== inTransaction) await runner.release();
  }
}

/** The rows a statement returns: a SELECT's, or an INSERT/UPDATE/DELETE … RETURNING's. */
export async function queryRows<T>(
  target: SqlTarget,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  return (await run(target, sql, params)).records as T[];
}

/** The one row a statement returns, or null when none; more than one is a programming error. */
export async function queryOne<T>(
  target: SqlTarget,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T | null> {
  const rows = (await run(target, sql, params)).records as T[];
  if (rows.length > 1) throw new Error(`at most one row expected, got ${rows.length}`);
  return rows[0] ?? null;
}

/** The number of rows a statement inserted, updated, deleted (or selected). */
export async function execute(
  target: SqlTarget,
  sql: string,
  params: readonly unknown[] = [],
): Promise<number> {
  return (await run(target, sql, params)).affected ?? 0;
}
