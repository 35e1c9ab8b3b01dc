import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contributions: organisations (SIRET), levy declarations with their obligation, bank receipts,
 * donation intents (Stripe Checkout), Stripe events stored once, and the contributions booked
 * from either source with their split and reversals.
 */
export class CreateContributions1763769640000 implements MigrationInterface {
  name = 'CreateContributions1763769640000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        siret char(14) NOT NULL,
        siren char(9) NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organisations_pkey PRIMARY KEY (id),
        CONSTRAINT organisations_siret_key UNIQUE (siret),
        CONSTRAINT organisations_siret_check CHECK (siret ~ '^[0-9]{14}$' AND siren = substr(siret, 1, 9)),
        CONSTRAINT organisations_name_check CHECK (length(name) BETWEEN 1 AND 300)
      );

      CREATE TABLE levy_declarations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL,
        project_title text NOT NULL,
        budget_excl_vat bigint NOT NULL,
        fiscal_year integer NOT NULL,
        service_code text,
        legal_commitment text,
        public_contract_id text,
        directions jsonb NOT NULL DEFAULT '[]',
        sbom_analysis_id uuid,
        currency char(3) NOT NULL DEFAULT 'EUR',
        levy_rate_bps integer NOT NULL,
        policy_version integer NOT NULL,
        amount_due bigint NOT NULL,
        amount_paid bigint NOT NULL DEFAULT 0,
        due_date date NOT NULL,
        declared_by uuid,
        import_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT levy_declarations_pkey PRIMARY KEY (id),
        CONSTRAINT levy_declarations_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        CONSTRAINT levy_declarations_policy_fkey FOREIGN KEY (policy_version) REFERENCES policies (version),
        CONSTRAINT levy_declarations_budget_check CHECK (budget_excl_vat > 0),
        CONSTRAINT levy_declarations_fiscal_year_check CHECK (fiscal_year BETWEEN 2000 AND 2200),
        CONSTRAINT levy_declarations_amounts_check CHECK (amount_due >= 0 AND amount_paid >= 0 AND amount_paid <= amount_due),
        CONSTRAINT levy_declarations_directions_check CHECK (jsonb_typeof(directions) = 'array')
      );
      CREATE INDEX levy_declarations_organisation_idx ON levy_declarations (organisation_id, created_at);

      CREATE TABLE contributions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        source text NOT NULL,
        source_ref text NOT NULL,
        contributor_kind text NOT NULL,
        organisation_id uuid,
        declaration_id uuid,
        donation_intent_id uuid,
        currency char(3) NOT NULL,
        gross bigint NOT NULL,
        processor_fee bigint NOT NULL DEFAULT 0,
        net bigint NOT NULL,
        operating_fee bigint NOT NULL,
        directed_share bigint NOT NULL,
        pool bigint NOT NULL,
        directed jsonb NOT NULL DEFAULT '[]',
        policy_version integer NOT NULL,
        allocation_rule text NOT NULL,
        stripe_charge_id text,
        ledger_key text NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contributions_pkey PRIMARY KEY (id),
        CONSTRAINT contributions_source_ref_key UNIQUE (source_ref),
        CONSTRAINT contributions_source_check CHECK (source IN ('bank_receipt', 'stripe')),
        CONSTRAINT contributions_contributor_kind_check CHECK (contributor_kind IN ('organisation', 'donor')),
        CONSTRAINT contributions_amounts_check CHECK (
          gross > 0 AND processor_fee >= 0 AND net = gross - processor_fee
          AND operating_fee >= 0 AND directed_share >= 0 AND pool >= 0),
        CONSTRAINT contributions_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        CONSTRAINT contributions_declaration_fkey FOREIGN KEY (declaration_id) REFERENCES levy_declarations (id),
        CONSTRAINT contributions_policy_fkey FOREIGN KEY (policy_version) REFERENCES policies (version),
        CONSTRAINT contributions_ledger_key_key UNIQUE (ledger_key),
        -- The entry is posted as the last step of the transaction (the transparency log's head is
        -- locked from then until COMMIT), so the reference is checked at COMMIT.
        CONSTRAINT contributions_ledger_key_fkey FOREIGN KEY (ledger_key) REFERENCES ledger_entries (idempotency_key)
          DEFERRABLE INITIALLY DEFERRED
      );
      CREATE INDEX contributions_organisation_idx ON contributions (organisation_id, occurred_at);
      CREATE INDEX contributions_donation_intent_idx ON contributions (donation_intent_id, occurred_at);
      CREATE INDEX contributions_stripe_charge_idx ON contributions (stripe_charge_id);

      CREATE TABLE bank_receipts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        declaration_id uuid NOT NULL,
        bank_reference text NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        value_date date NOT NULL,
        recorded_by uuid,
        contribution_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_receipts_pkey PRIMARY KEY (id),
        CONSTRAINT bank_receipts_bank_reference_key UNIQUE (bank_reference),
        CONSTRAINT bank_receipts_declaration_fkey FOREIGN KEY (declaration_id) REFERENCES levy_declarations (id),
        CONSTRAINT bank_receipts_contribution_fkey FOREIGN KEY (contribution_id) REFERENCES contributions (id),
        CONSTRAINT bank_receipts_amount_check CHECK (amount > 0),
        CONSTRAINT bank_receipts_bank_reference_check CHECK (length(bank_reference) BETWEEN 1 AND 140)
      );

      CREATE TABLE donation_intents (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        mode text NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        directions jsonb NOT NULL DEFAULT '[]',
        public_name text,
        donor_email text,
        donor_user_id uuid,
        pseudonym text NOT NULL,
        stripe_session_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT donation_intents_pkey PRIMARY KEY (id),
        CONSTRAINT donation_intents_stripe_session_key UNIQUE (stripe_session_id),
        CONSTRAINT donation_intents_mode_check CHECK (mode IN ('one_time', 'monthly', 'yearly')),
        CONSTRAINT donation_intents_amount_check CHECK (amount > 0),
        CONSTRAINT donation_intents_directions_check CHECK (jsonb_typeof(directions) = 'array')
      );
      ALTER TABLE contributions ADD CONSTRAINT contributions_donation_intent_fkey
        FOREIGN KEY (donation_intent_id) REFERENCES donation_intents (id);

      CREATE TABLE contribution_reversals (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        contribution_id uuid NOT NULL,
        source_ref text NOT NULL,
        kind text NOT NULL,
        amount bigint NOT NULL,
        parts jsonb NOT NULL,
        fee_share bigint NOT NULL,
        shortfall bigint NOT NULL DEFAULT 0,
        ledger_key text NOT NULL,
        shortfall_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contribution_reversals_pkey PRIMARY KEY (id),
        CONSTRAINT contribution_reversals_source_ref_key UNIQUE (source_ref),
        CONSTRAINT contribution_reversals_contribution_fkey FOREIGN KEY (contribution_id) REFERENCES contributions (id),
        CONSTRAINT contribution_reversals_ledger_key_fkey FOREIGN KEY (ledger_key) REFERENCES ledger_entries (idempotency_key)
          DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT contribution_reversals_shortfall_key_fkey FOREIGN KEY (shortfall_key) REFERENCES ledger_entries (idempotency_key)
          DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT contribution_reversals_kind_check CHECK (kind IN ('refund', 'dispute', 'dispute_won')),
        CONSTRAINT contribution_reversals_amount_check CHECK (amount > 0 AND fee_share >= 0 AND shortfall >= 0)
      );
      CREATE INDEX contribution_reversals_contribution_idx ON contribution_reversals (contribution_id);

      CREATE TABLE stripe_events (
        event_id text NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        outcome text,
        CONSTRAINT stripe_events_pkey PRIMARY KEY (event_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE stripe_events;
      DROP TABLE contribution_reversals;
      DROP TABLE bank_receipts;
      ALTER TABLE contributions DROP CONSTRAINT contributions_donation_intent_fkey;
      DROP TABLE donation_intents;
      DROP TABLE contributions;
      DROP TABLE levy_declarations;
      DROP TABLE organisations;
    `);
  }
}
