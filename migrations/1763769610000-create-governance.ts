import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Governance: college members with terms, motions and funding rounds with their lifecycle,
 * hash-chained ballots (append-only), per-vote pseudonymous credentials and proxies.
 */
export class CreateGovernance1763769610000 implements MigrationInterface {
  name = 'CreateGovernance1763769610000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE governance_members (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        college_id text NOT NULL,
        term_start timestamptz NOT NULL,
        term_end timestamptz NOT NULL,
        appointed_by uuid,
        appointed_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        CONSTRAINT governance_members_pkey PRIMARY KEY (id),
        CONSTRAINT governance_members_user_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT governance_members_college_check CHECK (college_id ~ '^[a-z][a-z0-9_-]{0,62}$'),
        CONSTRAINT governance_members_term_check CHECK (term_end > term_start),
        CONSTRAINT governance_members_ended_check CHECK (ended_at IS NULL OR ended_at >= term_start)
      );
      CREATE INDEX governance_members_user_idx ON governance_members (user_id);
      CREATE INDEX governance_members_college_idx ON governance_members (college_id, term_start);

      CREATE TABLE governance_motions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        method text NOT NULL DEFAULT 'yes-no',
        title text NOT NULL,
        body text NOT NULL DEFAULT '',
        options jsonb,
        effect jsonb NOT NULL DEFAULT '{"type":"none"}',
        state text NOT NULL DEFAULT 'draft',
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        policy_version integer,
        settings jsonb,
        genesis_hash text,
        head_hash text,
        ballot_count integer NOT NULL DEFAULT 0,
        outcome text,
        audit jsonb,
        effect_status text,
        effect_result jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        opened_at timestamptz,
        closed_at timestamptz,
        tallied_at timestamptz,
        CONSTRAINT governance_motions_pkey PRIMARY KEY (id),
        CONSTRAINT governance_motions_kind_check CHECK (kind IN ('ordinary', 'policy', 'statute')),
        CONSTRAINT governance_motions_method_check CHECK (method IN ('yes-no', 'majority-judgment', 'schulze')),
        CONSTRAINT governance_motions_state_check CHECK (state IN ('draft', 'open', 'closed', 'tallied')),
        CONSTRAINT governance_motions_window_check CHECK (closes_at > opens_at),
        CONSTRAINT governance_motions_title_check CHECK (length(title) BETWEEN 1 AND 300),
        CONSTRAINT governance_motions_opened_check CHECK (state = 'draft' OR (settings IS NOT NULL AND genesis_hash IS NOT NULL)),
        CONSTRAINT governance_motions_tallied_check CHECK (state <> 'tallied' OR (outcome IS NOT NULL AND audit IS NOT NULL)),
        CONSTRAINT governance_motions_effect_status_check CHECK (
          effect_status IS NULL OR effect_status IN ('none', 'applied', 'pending', 'not_applied'))
      );
      CREATE INDEX governance_motions_due_idx ON governance_motions (closes_at) WHERE state IN ('open', 'closed');

      CREATE TABLE governance_rounds (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        title text NOT NULL,
        state text NOT NULL DEFAULT 'draft',
        currency char(3) NOT NULL DEFAULT 'EUR',
        budget bigint NOT NULL,
        threshold text,
        caps jsonb NOT NULL DEFAULT '{}',
        candidates jsonb NOT NULL,
        opens_at timestamptz NOT NULL,
        closes_at timestamptz NOT NULL,
        policy_version integer,
        settings jsonb,
        genesis_hash text,
        head_hash text,
        ballot_count integer NOT NULL DEFAULT 0,
        open_entry_id text,
        tally_entry_id text,
        audit jsonb,
        motion_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        opened_at timestamptz,
        closed_at timestamptz,
        tallied_at timestamptz,
        CONSTRAINT governance_rounds_pkey PRIMARY KEY (id),
        CONSTRAINT governance_rounds_state_check CHECK (state IN ('draft', 'open', 'closed', 'tallied')),
        CONSTRAINT governance_rounds_budget_check CHECK (budget > 0),
        CONSTRAINT governance_rounds_window_check CHECK (closes_at > opens_at),
        CONSTRAINT governance_rounds_threshold_check CHECK (threshold IS NULL OR threshold ~ '^[0-9]+/[1-9][0-9]*$'),
        CONSTRAINT governance_rounds_candidates_check CHECK (jsonb_typeof(candidates) = 'array'),
        CONSTRAINT governance_rounds_opened_check CHECK (state = 'draft' OR (open_entry_id IS NOT NULL AND genesis_hash IS NOT NULL)),
        CONSTRAINT governance_rounds_tallied_check CHECK (state <> 'tallied' OR (tally_entry_id IS NOT NULL AND audit IS NOT NULL)),
        CONSTRAINT governance_rounds_motion_fkey FOREIGN KEY (motion_id) REFERENCES governance_motions (id)
      );
      CREATE UNIQUE INDEX governance_rounds_motion_key ON governance_rounds (motion_id) WHERE motion_id IS NOT NULL;
      CREATE INDEX governance_rounds_due_idx ON governance_rounds (closes_at) WHERE state IN ('open', 'closed');

      CREATE TABLE governance_credentials (
        vote_id uuid NOT NULL,
        user_id uuid NOT NULL,
        credential text NOT NULL,
        college_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT governance_credentials_pkey PRIMARY KEY (vote_id, user_id),
        CONSTRAINT governance_credentials_credential_key UNIQUE (vote_id, credential),
        CONSTRAINT governance_credentials_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
      );

      CREATE TABLE governance_ballots (
        id bigint GENERATED ALWAYS AS IDENTITY,
        vote_id uuid NOT NULL,
        height integer NOT NULL,
        credential text NOT NULL,
        voter_user_id uuid NOT NULL,
        cast_by_user_id uuid NOT NULL,
        college_id text NOT NULL,
        choice jsonb NOT NULL,
        nonce text NOT NULL,
        previous_hash text NOT NULL,
        receipt text NOT NULL,
        cast_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT governance_ballots_pkey PRIMARY KEY (id),
        CONSTRAINT governance_ballots_height_key UNIQUE (vote_id, height),
        CONSTRAINT governance_ballots_receipt_key UNIQUE (receipt),
        CONSTRAINT governance_ballots_height_check CHECK (height >= 0),
        CONSTRAINT governance_ballots_hash_check CHECK (receipt ~ '^[0-9a-f]{64}$' AND previous_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT governance_ballots_nonce_check CHECK (nonce ~ '^[0-9a-f]{32,128}$')
      );
      CREATE TRIGGER governance_ballots_immutable BEFORE UPDATE OR DELETE ON governance_ballots
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      CREATE TABLE governance_proxies (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        vote_id uuid NOT NULL,
        college_id text NOT NULL,
        principal_user_id uuid NOT NULL,
        holder_user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text,
        CONSTRAINT governance_proxies_pkey PRIMARY KEY (id),
        CONSTRAINT governance_proxies_distinct_check CHECK (principal_user_id <> holder_user_id),
        CONSTRAINT governance_proxies_principal_fkey FOREIGN KEY (principal_user_id) REFERENCES users (id),
        CONSTRAINT governance_proxies_holder_fkey FOREIGN KEY (holder_user_id) REFERENCES users (id)
      );
      CREATE UNIQUE INDEX governance_proxies_active_key ON governance_proxies (vote_id, principal_user_id) WHERE revoked_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE governance_proxies;
      DROP TABLE governance_ballots;
      DROP TABLE governance_credentials;
      DROP TABLE governance_rounds;
      DROP TABLE governance_motions;
      DROP TABLE governance_members;
    `);
  }
}
