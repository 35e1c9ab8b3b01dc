import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sessions, kept on the server: the cookie holds a random id, only its SHA-256 is stored.
 * A session is anonymous (it only carries a CSRF token and sign-in state) until someone signs in;
 * signing in replaces the row (a new id). Idle and absolute expiry are checked on every read.
 */
export class CreateWebSessions1764700000000 implements MigrationInterface {
  name = 'CreateWebSessions1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE web_sessions (
        id_hash bytea NOT NULL,
        csrf_token text NOT NULL,
        user_id uuid,
        auth_method text,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        signed_in_at timestamptz,
        CONSTRAINT web_sessions_pkey PRIMARY KEY (id_hash),
        CONSTRAINT web_sessions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT web_sessions_id_hash_check CHECK (octet_length(id_hash) = 32),
        CONSTRAINT web_sessions_csrf_token_check CHECK (length(csrf_token) >= 32),
        CONSTRAINT web_sessions_signed_in_check CHECK (
          (user_id IS NULL) = (auth_method IS NULL) AND (user_id IS NULL) = (signed_in_at IS NULL)),
        CONSTRAINT web_sessions_auth_method_check CHECK (auth_method IS NULL OR auth_method ~ '^[a-z][a-z0-9_:-]{0,63}$')
      );
      CREATE INDEX web_sessions_user_idx ON web_sessions (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX web_sessions_last_seen_idx ON web_sessions (last_seen_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE web_sessions');
  }
}
