import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public Merkle log (reference §4.8): one leaf per committed ledger entry, gapless, appended
 * in the entry's transaction under the single head row's lock; the hashes of every completed
 * perfect subtree, so any proof is O(log n) reads; signed checkpoints, one root per size; and the
 * salts of private donors' commitments (erasure deletes the salt, the log still verifies).
 */
export class CreateTransparencyLog1763769620000 implements MigrationInterface {
  name = 'CreateTransparencyLog1763769620000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transparency_log_head (
        id smallint NOT NULL,
        size bigint NOT NULL,
        frontier bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transparency_log_head_pkey PRIMARY KEY (id),
        CONSTRAINT transparency_log_head_single_row_check CHECK (id = 1),
        CONSTRAINT transparency_log_head_size_check CHECK (size >= 0),
        CONSTRAINT transparency_log_head_frontier_check CHECK (octet_length(frontier) % 32 = 0)
      );
      INSERT INTO transparency_log_head (id, size, frontier) VALUES (1, 0, '');
      CREATE TRIGGER transparency_log_head_no_delete BEFORE DELETE ON transparency_log_head
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      CREATE TABLE transparency_log_leaves (
        log_index bigint NOT NULL,
        entry_id bigint NOT NULL,
        leaf_data text NOT NULL,
        leaf_hash bytea NOT NULL,
        appended_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT transparency_log_leaves_pkey PRIMARY KEY (log_index),
        CONSTRAINT transparency_log_leaves_entry_key UNIQUE (entry_id),
        CONSTRAINT transparency_log_leaves_entry_fkey FOREIGN KEY (entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT transparency_log_leaves_index_check CHECK (log_index >= 0),
        CONSTRAINT transparency_log_leaves_hash_check CHECK (octet_length(leaf_hash) = 32)
      );

      CREATE TABLE transparency_log_nodes (
        level smallint NOT NULL,
        idx bigint NOT NULL,
        hash bytea NOT NULL,
        CONSTRAINT transparency_log_nodes_pkey PRIMARY KEY (level, idx),
        CONSTRAINT transparency_log_nodes_position_check CHECK (level BETWEEN 0 AND 62 AND idx >= 0),
        CONSTRAINT transparency_log_nodes_hash_check CHECK (octet_length(hash) = 32)
      );

      CREATE TABLE transparency_checkpoints (
        tree_size bigint NOT NULL,
        root_hash bytea NOT NULL,
        signed_note text NOT NULL,
        key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transparency_checkpoints_pkey PRIMARY KEY (tree_size),
        CONSTRAINT transparency_checkpoints_root_check CHECK (octet_length(root_hash) = 32)
      );

      CREATE TRIGGER transparency_log_leaves_immutable BEFORE UPDATE OR DELETE ON transparency_log_leaves
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER transparency_log_leaves_no_truncate BEFORE TRUNCATE ON transparency_log_leaves
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER transparency_log_nodes_immutable BEFORE UPDATE OR DELETE ON transparency_log_nodes
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER transparency_log_nodes_no_truncate BEFORE TRUNCATE ON transparency_log_nodes
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER transparency_checkpoints_immutable BEFORE UPDATE OR DELETE ON transparency_checkpoints
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER transparency_checkpoints_no_truncate BEFORE TRUNCATE ON transparency_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      CREATE TABLE transparency_donor_salts (
        subject text NOT NULL,
        salt bytea NOT NULL,
        commitment text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transparency_donor_salts_pkey PRIMARY KEY (subject),
        CONSTRAINT transparency_donor_salts_commitment_key UNIQUE (commitment),
        CONSTRAINT transparency_donor_salts_salt_check CHECK (octet_length(salt) = 32)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE transparency_donor_salts, transparency_checkpoints, transparency_log_nodes,
        transparency_log_leaves, transparency_log_head;
    `);
  }
}
