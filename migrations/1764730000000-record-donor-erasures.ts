import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A donation whose donor was erased (GDPR) keeps its amounts and directions, which the ledger
 * needs, and loses its name, e-mail, statement key and account link; `erased_at` says when, so
 * that an erasure is counted once. Pseudonyms no longer derive from user ids (an HMAC under a
 * server key now): nothing to migrate, the stored ones stay as they were shown.
 */
export class RecordDonorErasures1764730000000 implements MigrationInterface {
  name = 'RecordDonorErasures1764730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donation_intents ADD COLUMN erased_at timestamptz;
      ALTER TABLE donation_intents ADD CONSTRAINT donation_intents_erased_check
        CHECK (erased_at IS NULL OR (public_name IS NULL AND donor_email IS NULL AND statement_key_hash IS NULL
                                     AND donor_user_id IS NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE donation_intents DROP COLUMN erased_at');
  }
}
