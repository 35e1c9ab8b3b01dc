import { EntityManager } from 'typeorm';

/**
 * Rows of a query. TypeORM's PostgreSQL driver answers UPDATE/DELETE … RETURNING with
 * `[rows, affectedCount]` but SELECT and INSERT with the rows alone; this reads both.
 */
export async function queryRows<T>(m: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = (await m.query(sql, params)) as unknown;
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
