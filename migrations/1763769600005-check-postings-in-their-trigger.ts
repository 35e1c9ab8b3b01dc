import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A posting's entry and account are checked by the posting trigger, which reads both anyway,
 * instead of by two foreign keys.
 *
 * Each foreign-key check on `ledger_postings` ran a query of its own per posting and locked the
 * account's row (FOR KEY SHARE): a lock written into the row, and a multixact when concurrent
 * transactions post to the same hot account. Measured at ~22 % of a posting's database cost.
 * What the keys guaranteed still holds:
 *
 * - The account exists and holds the posting's currency: the trigger already read the account
 *   (limit, shards); it now also reads its currency and refuses a missing account or another
 *   currency with the same error the key gave (23503, `ledger_postings_account_currency_fkey`).
 *   Accounts are never deleted (their rows are immutable), so nothing can orphan a posting later.
 * - The entry exists: the trigger accepts a posting only for the entry this transaction inserted
 *   last (the `ledger.open_entry` setting) or for an entry inserted by this transaction (its xmin).
 *   The setting is now made by an AFTER trigger, so it names only a row that was inserted: a
 *   BEFORE trigger also ran for an insert that ON CONFLICT DO NOTHING then skipped, and named an
 *   entry that does not exist. Entries are never deleted either.
 */
export class CheckPostingsInTheirTrigger1763769600005 implements MigrationInterface {
  name = 'CheckPostingsInTheirTrigger1763769600005';

  async up(q: QueryRunner): Promise<void> {
    const [{ def }] = (await q.query(
      `SELECT pg_get_functiondef('ledger_posting_applied()'::regprocedure) AS def`,
    )) as { def: string }[];
    const lookup =
      'SELECT code, balance_limit, shard_count INTO acct FROM ledger_accounts WHERE id = NEW.account_id;';
    const checked = `SELECT code, currency, balance_limit, shard_count INTO acct FROM ledger_accounts WHERE id = NEW.account_id;
        IF NOT FOUND OR acct.currency <> NEW.currency THEN
          RAISE EXCEPTION USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_account_currency_fkey',
            MESSAGE = 'a posting must name an existing account of its currency', DETAIL = NEW.account_id::text;
        END IF;`;
    if (!def.includes(lookup)) throw new Error('unexpected definition of ledger_posting_applied()');
    await q.query(def.replace(lookup, checked));
    await q.query(`
      ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_entry_fkey,
        DROP CONSTRAINT ledger_postings_account_currency_fkey;
      DROP TRIGGER ledger_entries_opened ON ledger_entries;
      CREATE TRIGGER ledger_entries_opened AFTER INSERT ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_opened();
    `);
  }

  async down(): Promise<void> {
    throw new Error('CheckPostingsInTheirTrigger1763769600005 is not reversible');
  }
}
