import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { executePrepared } from './prepared-query';
import { execute, queryOne, queryRows } from './sql';

/** The shapes of raw statements' results (issue 15: TypeORM's query() gives [rows, count] for UPDATE). */
describe('SQL result helpers', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!, [], 2)).initialize();
  });
  afterAll(() => db.destroy());

  it('shows the trap: query() answers an UPDATE … RETURNING that matched nothing with [[], 0]', async () => {
    await db.transaction(async (m) => {
      await m.query('CREATE TEMP TABLE t_trap (id int) ON COMMIT DROP');
      const raw = (await m.query('UPDATE t_trap SET id = 1 WHERE id = 2 RETURNING id')) as unknown[];
      expect(raw).toEqual([[], 0]);
      expect(await queryRows(m, 'UPDATE t_trap SET id = 1 WHERE id = 2 RETURNING id')).toEqual([]);
    });
  });

  it('reads rows, one row and counts for SELECT, INSERT, UPDATE and DELETE, in and out of a transaction', async () => {
    await db.transaction(async (m) => {
      await m.query('CREATE TEMP TABLE t_shape (id int PRIMARY KEY, v text) ON COMMIT DROP');
      expect(await queryRows(m, `INSERT INTO t_shape VALUES (1, 'a'), (2, 'b') RETURNING id`)).toEqual([
        { id: 1 },
        { id: 2 },
      ]);
      expect(await queryRows(m, 'UPDATE t_shape SET v = $1 WHERE id = 3 RETURNING id', ['z'])).toEqual([]);
      expect(await queryOne(m, 'UPDATE t_shape SET v = $1 WHERE id = 3 RETURNING id', ['z'])).toBeNull();
      expect(await queryOne(m, 'UPDATE t_shape SET v = $1 WHERE id = 1 RETURNING id, v', ['y'])).toEqual({
        id: 1,
        v: 'y',
      });
      expect(await execute(m, 'UPDATE t_shape SET v = v WHERE id > 0')).toBe(2);
      expect(await execute(m, 'UPDATE t_shape SET v = v WHERE id > 5')).toBe(0);
      expect(await queryRows(m, 'DELETE FROM t_shape WHERE id = 9 RETURNING id')).toEqual([]);
      expect(await execute(m, 'DELETE FROM t_shape WHERE id = 2')).toBe(1);
      expect(await queryRows(m, 'SELECT id FROM t_shape')).toEqual([{ id: 1 }]);
      await expect(queryOne(m, 'SELECT * FROM generate_series(1, 2)')).rejects.toThrow(/at most one row/);
      expect(await executePrepared(m, 'UPDATE t_shape SET v = $1 WHERE id = 1', ['x'])).toBe(1);
      expect(await executePrepared(m, 'UPDATE t_shape SET v = $1 WHERE id = 7', ['x'])).toBe(0);
    });
    expect(await queryOne(db, 'SELECT 1 AS one')).toEqual({ one: 1 });
    expect(await queryRows(db, 'SELECT 1 AS one WHERE false')).toEqual([]);
    expect(await execute(db.manager, 'SELECT * FROM generate_series(1, 3)')).toBe(3);
  });
});
