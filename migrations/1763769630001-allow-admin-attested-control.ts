import { MigrationInterface, QueryRunner } from 'typeorm';

/** An admin may attest a project's control after checking it by other means (audited with a reason). */
export class AllowAdminAttestedControl1763769630001 implements MigrationInterface {
  name = 'AllowAdminAttestedControl1763769630001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE projects DROP CONSTRAINT projects_control_method_check;
      ALTER TABLE projects ADD CONSTRAINT projects_control_method_check CHECK (
        control_method IS NULL OR control_method IN ('well_known_token', 'funding_manifest', 'admin_attestation'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE projects DROP CONSTRAINT projects_control_method_check;
      ALTER TABLE projects ADD CONSTRAINT projects_control_method_check CHECK (
        control_method IS NULL OR control_method IN ('well_known_token', 'funding_manifest'));
    `);
  }
}
