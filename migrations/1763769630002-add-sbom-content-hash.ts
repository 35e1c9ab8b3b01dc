import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of each uploaded SBOM: the same document uploaded again for the same organisation
 * under the same policy is the same analysis (returned, not counted twice in the public aggregate).
 */
export class AddSbomContentHash1763769630002 implements MigrationInterface {
  name = 'AddSbomContentHash1763769630002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE sbom_analyses ADD COLUMN content_sha256 bytea;
      ALTER TABLE sbom_analyses ADD CONSTRAINT sbom_analyses_content_sha256_check CHECK (content_sha256 IS NULL OR length(content_sha256) = 32);
      CREATE UNIQUE INDEX sbom_analyses_same_document_key
        ON sbom_analyses (coalesce(organisation_id, ''), content_sha256, policy_version) WHERE content_sha256 IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX sbom_analyses_same_document_key;
      ALTER TABLE sbom_analyses DROP COLUMN content_sha256;
    `);
  }
}
