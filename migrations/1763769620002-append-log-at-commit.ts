import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public log appends at COMMIT, and every entry must be in it.
 *
 * The ledger hook now only queues the entry's canonical leaf (built in TypeScript, without its
 * index) in the entry's transaction; a deferred trigger appends it when the transaction commits.
 * The head row is locked from that moment to the end of the commit only — no client round trip
 * while holding it — so indices still follow commit order with no gap, and concurrent writers do
 * everything else in parallel. A second deferred trigger refuses, at COMMIT, any ledger entry
 * that was neither appended nor queued: no process can write money outside the public log.
 */
export class AppendLogAtCommit1763769620002 implements MigrationInterface {
  name = 'AppendLogAtCommit1763769620002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transparency_log_queue (
        entry_id bigint NOT NULL,
        prefix text NOT NULL,
        suffix text NOT NULL,
        CONSTRAINT transparency_log_queue_pkey PRIMARY KEY (entry_id),
        CONSTRAINT transparency_log_queue_entry_fkey FOREIGN KEY (entry_id) REFERENCES ledger_entries (id)
      );

      CREATE FUNCTION transparency_log_dequeued() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM transparency_append(NEW.entry_id, NEW.prefix, NEW.suffix);
        DELETE FROM transparency_log_queue WHERE entry_id = NEW.entry_id;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transparency_log_queue_appended AFTER INSERT ON transparency_log_queue
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transparency_log_dequeued();

      CREATE FUNCTION ledger_entry_logged() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM transparency_log_queue WHERE entry_id = NEW.id)
           AND NOT EXISTS (SELECT 1 FROM transparency_log_leaves WHERE entry_id = NEW.id) THEN
          RAISE EXCEPTION USING ERRCODE = 'LG005', MESSAGE = 'every ledger entry must be appended to the public log',
            DETAIL = NEW.id::text;
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER ledger_entries_logged AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_logged();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER ledger_entries_logged ON ledger_entries;
      DROP FUNCTION ledger_entry_logged();
      DROP TABLE transparency_log_queue;
      DROP FUNCTION transparency_log_dequeued();
    `);
  }
}
