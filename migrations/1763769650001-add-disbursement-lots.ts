import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credits of every project balance account (`liability:project:<id>:(directed|allocated):<ccy>`)
 * as lots, kept by a statement trigger on ledger_postings: one row per credit posting of a posted
 * entry (or of the post of a pending one), with the entry's id and date.
 *
 * A disbursement run no longer recomputes FIFO from every posting. What it needs per account is
 * three sums (algorithm v2): the total debited and credited, which the ledger already keeps in
 * `ledger_account_balances`, and, for a project that has not claimed its money, the credits older
 * than the claim deadline, read here through (account_id, occurred_at). The lots after the
 * cut-off are found through (occurred_at), and a statement lists a run's sources by reading one
 * account's lots in FIFO order (occurred_at, entry id). Back-dated credits need no care: nothing
 * cumulative is stored, the order is computed when read.
 *
 * The table is derived from the ledger (append-only, like it) and refilled from it here.
 */
export class AddDisbursementLots1763769650001 implements MigrationInterface {
  name = 'AddDisbursementLots1763769650001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE disbursement_lots (
        account_id bigint NOT NULL,
        entry_id bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        amount bigint NOT NULL,
        CONSTRAINT disbursement_lots_amount_check CHECK (amount > 0)
      );

      CREATE FUNCTION disbursement_lots_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO disbursement_lots (account_id, entry_id, occurred_at, amount)
        SELECT p.account_id, p.entry_id, e.occurred_at, p.amount
          FROM added_postings p
          JOIN ledger_accounts a ON a.id = p.account_id
          JOIN ledger_entries e ON e.id = p.entry_id
         WHERE p.direction = 'C' AND e.flow IN ('posted', 'post_pending')
           AND a.code LIKE 'liability:project:%' AND split_part(a.code, ':', 4) IN ('directed', 'allocated');
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_postings_disbursement_lots AFTER INSERT ON ledger_postings
        REFERENCING NEW TABLE AS added_postings
        FOR EACH STATEMENT EXECUTE FUNCTION disbursement_lots_added();

      INSERT INTO disbursement_lots (account_id, entry_id, occurred_at, amount)
      SELECT p.account_id, p.entry_id, e.occurred_at, p.amount
        FROM ledger_postings p
        JOIN ledger_accounts a ON a.id = p.account_id
        JOIN ledger_entries e ON e.id = p.entry_id
       WHERE p.direction = 'C' AND e.flow IN ('posted', 'post_pending')
         AND a.code LIKE 'liability:project:%' AND split_part(a.code, ':', 4) IN ('directed', 'allocated');

      CREATE INDEX disbursement_lots_account_idx ON disbursement_lots (account_id, occurred_at, entry_id);
      CREATE INDEX disbursement_lots_occurred_at_idx ON disbursement_lots (occurred_at);

      CREATE TRIGGER disbursement_lots_immutable BEFORE UPDATE OR DELETE ON disbursement_lots
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER disbursement_lots_no_truncate BEFORE TRUNCATE ON disbursement_lots
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER ledger_postings_disbursement_lots ON ledger_postings;
      DROP FUNCTION disbursement_lots_added();
      DROP TABLE disbursement_lots;
    `);
  }
}
