import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account codes indexed in bytewise ("C") order, whatever the database's collation: a disbursement
 * run reads every project balance account in that order (a project's accounts share a code
 * prefix, so they come together) and streams them page by page instead of sorting them all first.
 */
export class IndexAccountCodesBytewise1763769650002 implements MigrationInterface {
  name = 'IndexAccountCodesBytewise1763769650002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ledger_accounts_code_bytewise_idx ON ledger_accounts (code COLLATE "C")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ledger_accounts_code_bytewise_idx`);
  }
}
