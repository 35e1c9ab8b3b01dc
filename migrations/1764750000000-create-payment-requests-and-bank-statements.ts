import { MigrationInterface, QueryRunner } from 'typeorm';

/** The billing terms of policy version 1 and of every version adopted without its own. */
export const DEFAULT_BILLING = {
  documentType: 'invoice',
  paymentDays: 30,
  lateInterest: {
    rule: 'fr-ccp-r2192-31-v1',
    marginBps: 800,
    dayBasis: 365,
    // ECB main refinancing operations rate in force on the first day of each half-year (basis points).
    ecbRateBps: {
      '2024-H1': 450,
      '2024-H2': 425,
      '2025-H1': 315,
      '2025-H2': 215,
      '2026-H1': 215,
      '2026-H2': 215,
    },
  },
  fixedIndemnity: '4000',
  chargeLateFees: false,
};

/**
 * Payment requests (numbered gapless per year through a counter row, with their ISO 11649
 * reference and Chorus Pro deposit status), bank statements (camt.053/054) with their entries
 * keyed by account + bank reference, the suspense items of overpayments, and the billing terms
 * of the policy.
 */
export class CreatePaymentRequestsAndBankStatements1764750000000 implements MigrationInterface {
  name = 'CreatePaymentRequestsAndBankStatements1764750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE policies ADD COLUMN billing jsonb NOT NULL DEFAULT '${JSON.stringify(DEFAULT_BILLING)}'::jsonb`,
    );
    await q.query(`
      ALTER TABLE organisations
        ADD COLUMN service_code_required boolean NOT NULL DEFAULT false,
        ADD COLUMN legal_commitment_required boolean NOT NULL DEFAULT false;

      ALTER TABLE levy_declarations ADD COLUMN creditor_reference text;
      ALTER TABLE levy_declarations ADD CONSTRAINT levy_declarations_creditor_reference_key UNIQUE (creditor_reference);
      ALTER TABLE levy_declarations ADD CONSTRAINT levy_declarations_creditor_reference_check
        CHECK (creditor_reference IS NULL OR creditor_reference ~ '^RF[0-9]{2}[0-9A-Z]{1,21}$');

      CREATE TABLE payment_request_counters (
        year integer NOT NULL,
        last_number integer NOT NULL,
        CONSTRAINT payment_request_counters_pkey PRIMARY KEY (year),
        CONSTRAINT payment_request_counters_last_check CHECK (last_number > 0)
      );

      CREATE TABLE payment_requests (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        number text NOT NULL,
        year integer NOT NULL,
        seq integer NOT NULL,
        kind text NOT NULL,
        document_type_code text NOT NULL,
        declaration_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        cancels_id uuid,
        creditor_reference text NOT NULL,
        currency char(3) NOT NULL,
        amount bigint NOT NULL,
        issue_date date NOT NULL,
        due_date date NOT NULL,
        buyer jsonb NOT NULL,
        policy_version integer NOT NULL,
        chorus_status text NOT NULL DEFAULT 'to_deposit',
        chorus_reason text,
        chorus_deposit_id uuid,
        chorus_updated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_requests_pkey PRIMARY KEY (id),
        CONSTRAINT payment_requests_number_key UNIQUE (number),
        CONSTRAINT payment_requests_year_seq_key UNIQUE (year, seq),
        CONSTRAINT payment_requests_declaration_fkey FOREIGN KEY (declaration_id) REFERENCES levy_declarations (id),
        CONSTRAINT payment_requests_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        CONSTRAINT payment_requests_cancels_fkey FOREIGN KEY (cancels_id) REFERENCES payment_requests (id),
        CONSTRAINT payment_requests_policy_fkey FOREIGN KEY (policy_version) REFERENCES policies (version),
        CONSTRAINT payment_requests_kind_check CHECK (kind IN ('invoice', 'credit_note')),
        CONSTRAINT payment_requests_amount_check CHECK (amount > 0),
        CONSTRAINT payment_requests_chorus_status_check CHECK (chorus_status IN ('to_deposit', 'deposited', 'rejected', 'paid')),
        CONSTRAINT payment_requests_rejected_reason_check CHECK (chorus_status <> 'rejected' OR chorus_reason IS NOT NULL),
        CONSTRAINT payment_requests_seq_check CHECK (seq > 0)
      );
      CREATE UNIQUE INDEX payment_requests_one_invoice_idx ON payment_requests (declaration_id)
        WHERE kind = 'invoice' AND cancels_id IS NULL;
      CREATE INDEX payment_requests_organisation_idx ON payment_requests (organisation_id, created_at);

      CREATE TABLE chorus_deposits (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        manifest jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chorus_deposits_pkey PRIMARY KEY (id)
      );
      ALTER TABLE payment_requests ADD CONSTRAINT payment_requests_deposit_fkey
        FOREIGN KEY (chorus_deposit_id) REFERENCES chorus_deposits (id);

      CREATE TABLE bank_statements (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        message_name text NOT NULL,
        message_id text NOT NULL,
        statement_id text NOT NULL,
        account text NOT NULL,
        currency char(3) NOT NULL,
        file_sha256 text NOT NULL,
        opening_balance bigint,
        closing_balance bigint,
        closing_date date,
        entries_read integer NOT NULL,
        entries_new integer NOT NULL,
        balance_check text,
        uploaded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_statements_pkey PRIMARY KEY (id),
        CONSTRAINT bank_statements_message_check CHECK (message_name ~ '^camt\\.05[34]\\.001\\.0[2-8]$')
      );
      CREATE INDEX bank_statements_account_idx ON bank_statements (account, created_at);

      CREATE TABLE bank_statement_lines (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        statement_id uuid NOT NULL,
        account text NOT NULL,
        line_key text NOT NULL,
        direction text NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        booking_date date,
        value_date date,
        bank_reference text,
        end_to_end_id text,
        structured_reference text,
        reference_valid boolean,
        unstructured text,
        party_name text,
        party_iban text,
        bank_tx_code text,
        batch_declared integer,
        batch_present integer,
        state text NOT NULL,
        declaration_id uuid,
        match_reason text,
        candidates jsonb NOT NULL DEFAULT '[]',
        charges bigint NOT NULL DEFAULT 0,
        receipt_amount bigint NOT NULL DEFAULT 0,
        suspense_amount bigint NOT NULL DEFAULT 0,
        ledger_entry_key text,
        resolved_by uuid,
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_statement_lines_pkey PRIMARY KEY (id),
        CONSTRAINT bank_statement_lines_account_key UNIQUE (account, line_key),
        CONSTRAINT bank_statement_lines_statement_fkey FOREIGN KEY (statement_id) REFERENCES bank_statements (id),
        CONSTRAINT bank_statement_lines_declaration_fkey FOREIGN KEY (declaration_id) REFERENCES levy_declarations (id),
        CONSTRAINT bank_statement_lines_direction_check CHECK (direction IN ('credit', 'debit')),
        CONSTRAINT bank_statement_lines_amount_check CHECK (amount > 0 AND receipt_amount >= 0 AND suspense_amount >= 0
          AND receipt_amount + suspense_amount <= amount),
        CONSTRAINT bank_statement_lines_state_check CHECK (state IN
          ('auto', 'unmatched', 'proposed', 'needs_split', 'matched', 'suspense', 'fee', 'payout', 'debit')),
        CONSTRAINT bank_statement_lines_receipt_debit_check CHECK (direction = 'credit' OR receipt_amount = 0)
      );
      CREATE INDEX bank_statement_lines_state_idx ON bank_statement_lines (state, created_at);
      CREATE INDEX bank_statement_lines_statement_idx ON bank_statement_lines (statement_id);

      CREATE TABLE bank_suspense_items (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        line_id uuid NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        reason text NOT NULL,
        state text NOT NULL DEFAULT 'open',
        declaration_id uuid,
        ledger_key text NOT NULL,
        resolution_key text,
        resolved_by uuid,
        resolved_at timestamptz,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_suspense_items_pkey PRIMARY KEY (id),
        CONSTRAINT bank_suspense_items_line_key UNIQUE (line_id),
        CONSTRAINT bank_suspense_items_line_fkey FOREIGN KEY (line_id) REFERENCES bank_statement_lines (id),
        CONSTRAINT bank_suspense_items_declaration_fkey FOREIGN KEY (declaration_id) REFERENCES levy_declarations (id),
        CONSTRAINT bank_suspense_items_amount_check CHECK (amount > 0),
        CONSTRAINT bank_suspense_items_state_check CHECK (state IN ('open', 'refunded', 'allocated')),
        CONSTRAINT bank_suspense_items_resolution_check CHECK ((state = 'open') = (resolution_key IS NULL)),
        CONSTRAINT bank_suspense_items_ledger_key_fkey FOREIGN KEY (ledger_key) REFERENCES ledger_entries (idempotency_key)
          DEFERRABLE INITIALLY DEFERRED
      );
      CREATE INDEX bank_suspense_items_state_idx ON bank_suspense_items (state, created_at);

      CREATE TABLE payment_status_reports (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        message_id text NOT NULL,
        original_message_id text NOT NULL,
        file_sha256 text NOT NULL,
        outcome jsonb NOT NULL,
        uploaded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_status_reports_pkey PRIMARY KEY (id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE payment_status_reports;
      DROP TABLE bank_suspense_items;
      DROP TABLE bank_statement_lines;
      DROP TABLE bank_statements;
      ALTER TABLE payment_requests DROP CONSTRAINT payment_requests_deposit_fkey;
      DROP TABLE chorus_deposits;
      DROP TABLE payment_requests;
      DROP TABLE payment_request_counters;
      ALTER TABLE levy_declarations DROP COLUMN creditor_reference;
      ALTER TABLE organisations DROP COLUMN service_code_required, DROP COLUMN legal_commitment_required;
      ALTER TABLE policies DROP COLUMN billing;
    `);
  }
}
