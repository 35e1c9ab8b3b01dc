import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A donor who gives without an account gets, at checkout, a statement key shown once: its SHA-256
 * is kept on the donation intent, and the key alone opens that donation's yearly statements
 * (every payment of a subscription included). Intents made before have none.
 */
export class AddDonationStatementKey1763769640001 implements MigrationInterface {
  name = 'AddDonationStatementKey1763769640001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donation_intents ADD COLUMN statement_key_hash bytea;
      ALTER TABLE donation_intents ADD CONSTRAINT donation_intents_statement_key_hash_key UNIQUE (statement_key_hash);
      ALTER TABLE donation_intents ADD CONSTRAINT donation_intents_statement_key_hash_check
        CHECK (statement_key_hash IS NULL OR octet_length(statement_key_hash) = 32);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE donation_intents DROP COLUMN statement_key_hash');
  }
}
