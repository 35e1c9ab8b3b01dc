import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in: single-use email links (only their hash is kept), OpenID Connect identities linked to
 * users (issuer + subject), and the requests of users who signed in with the SIRET of a known
 * organisation to act for it, which an administrator approves.
 */
export class CreateSignIn1764710000001 implements MigrationInterface {
  name = 'CreateSignIn1764710000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_links (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT sign_in_links_pkey PRIMARY KEY (id),
        CONSTRAINT sign_in_links_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT sign_in_links_token_hash_key UNIQUE (token_hash),
        CONSTRAINT sign_in_links_expiry_check CHECK (expires_at > created_at)
      );
      CREATE INDEX sign_in_links_user_idx ON sign_in_links (user_id, created_at);

      CREATE TABLE oidc_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL,
        provider text NOT NULL,
        email text,
        claims jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT oidc_identities_pkey PRIMARY KEY (issuer, subject),
        CONSTRAINT oidc_identities_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT oidc_identities_subject_check CHECK (length(subject) BETWEEN 1 AND 255)
      );
      CREATE INDEX oidc_identities_user_idx ON oidc_identities (user_id);

      CREATE TABLE organisation_access_requests (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        siret char(14) NOT NULL,
        source text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        decided_by uuid,
        CONSTRAINT organisation_access_requests_pkey PRIMARY KEY (id),
        CONSTRAINT organisation_access_requests_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT organisation_access_requests_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        CONSTRAINT organisation_access_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected')),
        CONSTRAINT organisation_access_requests_decided_check CHECK ((status = 'pending') = (decided_at IS NULL))
      );
      CREATE UNIQUE INDEX organisation_access_requests_user_organisation_key
        ON organisation_access_requests (user_id, organisation_id);
      CREATE INDEX organisation_access_requests_pending_idx
        ON organisation_access_requests (created_at) WHERE status = 'pending';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE organisation_access_requests, oidc_identities, sign_in_links');
  }
}
