import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, scoped role grants, hashed API tokens, the audit trail and HTTP idempotency records. */
export class CreateIdentity1763769600002 implements MigrationInterface {
  name = 'CreateIdentity1763769600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text,
        display_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CONSTRAINT users_pkey PRIMARY KEY (id),
        CONSTRAINT users_email_check CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+$')
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;

      CREATE TABLE role_grants (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        role text NOT NULL,
        scope_id text NOT NULL DEFAULT '',
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by uuid,
        revoked_at timestamptz,
        CONSTRAINT role_grants_pkey PRIMARY KEY (id),
        CONSTRAINT role_grants_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT role_grants_role_check CHECK (
          role IN ('admin', 'treasurer', 'buyer', 'donor', 'committee_member', 'maintainer')),
        CONSTRAINT role_grants_scope_check CHECK (
          (role IN ('buyer', 'committee_member', 'maintainer')) = (scope_id <> ''))
      );
      CREATE UNIQUE INDEX role_grants_active_key ON role_grants (user_id, role, scope_id) WHERE revoked_at IS NULL;

      CREATE TABLE api_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name text NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
        CONSTRAINT api_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT api_tokens_name_check CHECK (length(name) BETWEEN 1 AND 100)
      );

      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid,
        actor_kind text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT audit_events_pkey PRIMARY KEY (id),
        CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('user', 'system', 'cli'))
      );
      CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id);
      CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      CREATE TABLE idempotency_records (
        scope text NOT NULL,
        key text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        request_hash bytea NOT NULL,
        state text NOT NULL DEFAULT 'started',
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT idempotency_records_pkey PRIMARY KEY (scope, key),
        CONSTRAINT idempotency_records_key_check CHECK (length(key) BETWEEN 1 AND 255),
        CONSTRAINT idempotency_records_state_check CHECK (state IN ('started', 'completed'))
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_records, audit_events, api_tokens, role_grants, users');
  }
}
