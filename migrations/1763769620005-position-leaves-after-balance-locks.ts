import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A leaf queued by the statement that inserts its entry gets its queue position after that
 * statement's balance locks.
 *
 * The ledger now queues an entry's leaf in the entry's own statement (one round trip fewer,
 * LedgerService and TransparencyLogService.writeWithEntry). The queue position, drawn when the row
 * is inserted, would then come before the statement's postings take their balance locks (the
 * posting trigger runs at the end of the statement), and an entry that waited on another's lock
 * could be positioned, and so logged, before it (1763769620003 relies on the opposite). So the
 * posting trigger, once its balances are updated, draws the position again for the leaves of its
 * statement's entries. A leaf queued by a later statement (a bulk load, an entry without a known
 * time) draws it at its insert, after the postings, as before.
 */
export class PositionLeavesAfterBalanceLocks1763769620005 implements MigrationInterface {
  name = 'PositionLeavesAfterBalanceLocks1763769620005';

  async up(q: QueryRunner): Promise<void> {
    const [{ def }] = (await q.query(
      `SELECT pg_get_functiondef('ledger_postings_applied()'::regprocedure) AS def`,
    )) as { def: string }[];
    const end = '        RETURN NULL;\n      END $';
    const redraw = `        -- leaves queued by this statement: positioned after its balance locks
        UPDATE transparency_log_queue SET position = nextval('transparency_log_queue_position_seq')
         WHERE entry_id IN (SELECT DISTINCT entry_id FROM new_postings);
`;
    if (def.split(end).length !== 2) throw new Error('unexpected definition of ledger_postings_applied()');
    await q.query(def.replace(end, redraw + end));
  }

  async down(): Promise<void> {
    throw new Error('PositionLeavesAfterBalanceLocks1763769620005 is not reversible');
  }
}
