import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log queue is read through its position index, never scanned whole.
 *
 * Every money-moving COMMIT and every sequencing round asked "is anything queued?" with
 * `EXISTS (SELECT 1 FROM transparency_log_queue)`: a sequential scan. The queue holds a handful of
 * live rows but, being inserted into and deleted from hundreds of times a second, thousands of
 * dead ones between two autovacuum passes, and the scan read them all, at every commit. Now the
 * question is the queue's smallest position, read from its index (whose dead entries are skipped
 * once marked),
 * and autovacuum visits the table after every thousand deletions instead of a fifth of its size.
 *
 * Also drops `transparency_append()`, unused since 1763769620003.
 */
export class ReadLogQueueByPosition1763769620004 implements MigrationInterface {
  name = 'ReadLogQueueByPosition1763769620004';

  async up(q: QueryRunner): Promise<void> {
    const appendQueued = (await q.query(
      `SELECT pg_get_functiondef('transparency_append_queued(integer)'::regprocedure) AS def`,
    )) as { def: string }[];
    const tryAppend = (await q.query(
      `SELECT pg_get_functiondef('transparency_log_queue_try_append()'::regprocedure) AS def`,
    )) as { def: string }[];
    const scan = 'NOT EXISTS (SELECT 1 FROM transparency_log_queue)';
    // min() is read from the index's first live entry; an EXISTS would be planned as a scan
    const probe = '(SELECT min(position) FROM transparency_log_queue) IS NULL';
    for (const { def } of [...appendQueued, ...tryAppend]) {
      if (!def.includes(scan)) throw new Error('unexpected definition of a log function');
      await q.query(def.replace(scan, probe));
    }
    await q.query(`
      ALTER TABLE transparency_log_queue SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
      DROP FUNCTION transparency_append(bigint, text, text);
    `);
  }

  async down(): Promise<void> {
    throw new Error('ReadLogQueueByPosition1763769620004 is not reversible');
  }
}
