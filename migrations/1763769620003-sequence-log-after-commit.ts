import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log's indices are assigned right after COMMIT by one sequencer, many leaves per commit.
 *
 * Until now a deferred trigger appended each entry's leaf at COMMIT under the head row's lock,
 * held through the commit's WAL flush: every transaction that wrote money waited for the previous
 * one's fsync, whatever the number of writers. Now the entry's transaction only queues its leaf
 * (content complete but for the index) with a queue position drawn *after* its postings took
 * their balance locks; the database still refuses at COMMIT any entry that is neither queued nor
 * appended (trigger `ledger_entries_logged`). After the commit, `transparency_sequence()` takes
 * one advisory lock, reads every committed queued leaf (a fresh snapshot, taken once the lock is
 * held) in position order, appends them all — gapless indices, subtrees, head — and deletes them
 * from the queue, in one transaction: one WAL flush for a whole batch. A caller with nothing left
 * to append writes nothing and flushes nothing. Each process runs one sequencing round at a time
 * for all its writers (libs/transparency, CommitSequencer), so a handful of callers, not one per
 * writer, ever wait for the lock. A writer that finds the lock free at its COMMIT appends in its
 * own transaction instead (no second flush when writers do not contend).
 *
 * Order: if entry B relied on A (read A's committed money, or waited on A's balance lock), B's
 * position was drawn after A committed, so B is both later in position and committed later: when
 * the sequencer sees B it sees A, and appends A first. Entries that did not see each other may be
 * appended in either order; the log is a linearisation of commits that every dependency respects.
 */
export class SequenceLogAfterCommit1763769620003 implements MigrationInterface {
  name = 'SequenceLogAfterCommit1763769620003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER transparency_log_queue_appended ON transparency_log_queue;
      DROP FUNCTION transparency_log_dequeued();

      CREATE SEQUENCE transparency_log_queue_position_seq AS bigint;
      ALTER TABLE transparency_log_queue
        ADD COLUMN position bigint NOT NULL DEFAULT nextval('transparency_log_queue_position_seq'),
        ADD COLUMN queued_at timestamptz NOT NULL DEFAULT clock_timestamp();
      ALTER SEQUENCE transparency_log_queue_position_seq OWNED BY transparency_log_queue.position;
      CREATE INDEX transparency_log_queue_position_idx ON transparency_log_queue (position);

      -- Appends up to p_limit committed queued leaves, oldest position first; returns how many.
      -- The caller holds the sequencer's lock. Same hashing as transparency_append (RFC 6962: leaf =
      -- SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right)), with the frontier kept in
      -- variables and every row written in three statements.
      CREATE FUNCTION transparency_append_queued(p_limit integer) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        n bigint;
        fr bytea;
        data text;
        h bytea;
        lvl integer;
        pos bigint;
        r record;
        leaf_idx bigint[] := '{}';
        leaf_entry bigint[] := '{}';
        leaf_data text[] := '{}';
        leaf_hash bytea[] := '{}';
        node_lvl smallint[] := '{}';
        node_idx bigint[] := '{}';
        node_hash bytea[] := '{}';
        appended integer := 0;
      BEGIN
        -- Each statement takes its own snapshot, after the lock: this one sees every queued leaf
        -- committed before, and none of those the previous holder appended.
        IF NOT EXISTS (SELECT 1 FROM transparency_log_queue) THEN
          RETURN 0;
        END IF;
        SELECT size, frontier INTO n, fr FROM transparency_log_head WHERE id = 1 FOR UPDATE;
        FOR r IN SELECT entry_id, prefix, suffix FROM transparency_log_queue ORDER BY position LIMIT p_limit LOOP
          data := r.prefix || n::text || r.suffix;
          h := sha256('\\x00'::bytea || convert_to(data, 'UTF8'));
          leaf_idx := leaf_idx || n;
          leaf_entry := leaf_entry || r.entry_id;
          leaf_data := leaf_data || data;
          leaf_hash := leaf_hash || h;
          node_lvl := node_lvl || 0::smallint;
          node_idx := node_idx || n;
          node_hash := node_hash || h;
          lvl := 0;
          pos := n;
          WHILE ((n >> lvl) & 1) = 1 LOOP
            h := sha256('\\x01'::bytea || substring(fr FROM length(fr) - 31 FOR 32) || h);
            fr := substring(fr FROM 1 FOR length(fr) - 32);
            lvl := lvl + 1;
            pos := pos >> 1;
            node_lvl := node_lvl || lvl::smallint;
            node_idx := node_idx || pos;
            node_hash := node_hash || h;
          END LOOP;
          fr := fr || h;
          n := n + 1;
          appended := appended + 1;
        END LOOP;
        INSERT INTO transparency_log_leaves (log_index, entry_id, leaf_data, leaf_hash)
          SELECT * FROM unnest(leaf_idx, leaf_entry, leaf_data, leaf_hash);
        INSERT INTO transparency_log_nodes (level, idx, hash) SELECT * FROM unnest(node_lvl, node_idx, node_hash);
        UPDATE transparency_log_head SET size = n, frontier = fr, updated_at = now() WHERE id = 1;
        DELETE FROM transparency_log_queue WHERE entry_id = ANY (leaf_entry);
        RETURN appended;
      END $$;

      -- The sweep: waits for the sequencer's lock, appends up to p_limit queued leaves. The lock
      -- is advisory, not a row lock: a caller that finds nothing to do writes nothing, so its
      -- commit needs no WAL flush.
      CREATE FUNCTION transparency_sequence(p_limit integer DEFAULT 5000) RETURNS integer
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7361626474);
        RETURN transparency_append_queued(p_limit);
      END $$;

      -- At COMMIT, a writer that finds the sequencer's lock free appends in its own transaction
      -- (the lock then held to the end of its commit), as before this migration: one WAL flush for
      -- the entry and its leaf when writers do not contend. A writer that finds the lock taken
      -- leaves its leaf queued for the next round, without waiting.
      -- When the queue it sees is then empty (its own leaves included), it tells its client with a
      -- notice, which arrives before COMMIT's answer: that writer needs no round after it.
      CREATE FUNCTION transparency_log_queue_try_append() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Three statements, not one condition: each takes its own snapshot, so the last one sees
        -- what the append deleted.
        IF pg_try_advisory_xact_lock(7361626474) THEN
          IF transparency_append_queued(5000) > 0 THEN
            IF NOT EXISTS (SELECT 1 FROM transparency_log_queue) THEN
              RAISE NOTICE USING MESSAGE = 'librery: leaves appended at commit';
            END IF;
          END IF;
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transparency_log_queue_appended_at_commit AFTER INSERT ON transparency_log_queue
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transparency_log_queue_try_append();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER transparency_log_queue_appended_at_commit ON transparency_log_queue;
      DROP FUNCTION transparency_log_queue_try_append();
      DROP FUNCTION transparency_sequence(integer);
      DROP FUNCTION transparency_append_queued(integer);
      DROP INDEX transparency_log_queue_position_idx;
      ALTER TABLE transparency_log_queue DROP COLUMN position, DROP COLUMN queued_at;
      CREATE FUNCTION transparency_log_dequeued() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM transparency_append(NEW.entry_id, NEW.prefix, NEW.suffix);
        DELETE FROM transparency_log_queue WHERE entry_id = NEW.entry_id;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transparency_log_queue_appended AFTER INSERT ON transparency_log_queue
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transparency_log_dequeued();
    `);
  }
}
