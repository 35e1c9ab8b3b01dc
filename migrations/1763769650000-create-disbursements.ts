import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disbursement runs (one per cut-off and currency, one executing at a time), their per-project
 * outcomes with the sources of every moved amount, payout batches and two-phase payouts.
 */
export class CreateDisbursements1763769650000 implements MigrationInterface {
  name = 'CreateDisbursements1763769650000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE disbursement_runs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        currency char(3) NOT NULL,
        cutoff timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        algorithm text NOT NULL,
        allocation_rule text NOT NULL,
        policy_version integer NOT NULL,
        inputs jsonb NOT NULL,
        ledger_mark bigint,
        resume_after text,
        totals jsonb,
        error text,
        started_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        CONSTRAINT disbursement_runs_pkey PRIMARY KEY (id),
        CONSTRAINT disbursement_runs_cutoff_key UNIQUE (currency, cutoff),
        CONSTRAINT disbursement_runs_policy_fkey FOREIGN KEY (policy_version) REFERENCES policies (version),
        CONSTRAINT disbursement_runs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        CONSTRAINT disbursement_runs_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL))
      );
      -- One run queued or executing per currency, whatever the number of API processes.
      CREATE UNIQUE INDEX disbursement_runs_active_key ON disbursement_runs (currency)
        WHERE status IN ('queued', 'running');

      CREATE TABLE disbursement_run_projects (
        run_id uuid NOT NULL,
        project_id text NOT NULL,
        outcome text NOT NULL,
        payable bigint NOT NULL DEFAULT 0,
        directed bigint NOT NULL DEFAULT 0,
        allocated bigint NOT NULL DEFAULT 0,
        expired bigint NOT NULL DEFAULT 0,
        carried_over bigint NOT NULL DEFAULT 0,
        reason text,
        payable_entry_id bigint,
        expiry_entry_id bigint,
        sources jsonb NOT NULL DEFAULT '[]',
        payee jsonb,
        CONSTRAINT disbursement_run_projects_pkey PRIMARY KEY (run_id, project_id),
        CONSTRAINT disbursement_run_projects_run_fkey FOREIGN KEY (run_id) REFERENCES disbursement_runs (id),
        CONSTRAINT disbursement_run_projects_payable_entry_fkey FOREIGN KEY (payable_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT disbursement_run_projects_expiry_entry_fkey FOREIGN KEY (expiry_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT disbursement_run_projects_outcome_check CHECK (outcome IN ('payable', 'carried_over', 'expired_only')),
        CONSTRAINT disbursement_run_projects_amounts_check CHECK (
          payable >= 0 AND directed >= 0 AND allocated >= 0 AND expired >= 0 AND carried_over >= 0
          AND payable = directed + allocated),
        CONSTRAINT disbursement_run_projects_reason_check CHECK (
          (outcome = 'carried_over') = (reason IS NOT NULL)
          AND (reason IS NULL OR reason IN ('not_admitted', 'no_verified_payout_details', 'below_minimum_payout'))),
        CONSTRAINT disbursement_run_projects_payable_check CHECK ((outcome = 'payable') = (payable > 0)),
        CONSTRAINT disbursement_run_projects_payee_check CHECK (outcome <> 'payable' OR payee ->> 'rail' IN ('sepa', 'stripe'))
      );
      CREATE INDEX disbursement_run_projects_project_idx ON disbursement_run_projects (project_id, run_id);

      CREATE TABLE disbursement_batches (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL,
        rail text NOT NULL,
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'planned',
        payout_count integer NOT NULL,
        total bigint NOT NULL,
        message_id text,
        file_xml text,
        file_control_sum bigint,
        submitted_at timestamptz,
        executed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT disbursement_batches_pkey PRIMARY KEY (id),
        CONSTRAINT disbursement_batches_run_fkey FOREIGN KEY (run_id) REFERENCES disbursement_runs (id),
        CONSTRAINT disbursement_batches_run_rail_key UNIQUE (run_id, rail),
        CONSTRAINT disbursement_batches_rail_check CHECK (rail IN ('sepa', 'stripe')),
        CONSTRAINT disbursement_batches_status_check CHECK (status IN ('planned', 'submitted', 'executed')),
        CONSTRAINT disbursement_batches_totals_check CHECK (payout_count > 0 AND total > 0),
        CONSTRAINT disbursement_batches_file_check CHECK (file_xml IS NULL OR file_control_sum = total)
      );

      CREATE TABLE disbursement_payouts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        batch_id uuid NOT NULL,
        run_id uuid NOT NULL,
        project_id text NOT NULL,
        end_to_end_id text NOT NULL,
        amount bigint NOT NULL,
        directed bigint NOT NULL,
        allocated bigint NOT NULL,
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'planned',
        payee jsonb NOT NULL,
        pending_entry_id bigint,
        resolution_entry_id bigint,
        return_entry_id bigint,
        stripe_transfer_id text,
        failure_reason text,
        resolved_at timestamptz,
        CONSTRAINT disbursement_payouts_pkey PRIMARY KEY (id),
        CONSTRAINT disbursement_payouts_batch_fkey FOREIGN KEY (batch_id) REFERENCES disbursement_batches (id),
        CONSTRAINT disbursement_payouts_run_project_key UNIQUE (run_id, project_id),
        CONSTRAINT disbursement_payouts_end_to_end_id_key UNIQUE (end_to_end_id),
        CONSTRAINT disbursement_payouts_pending_entry_fkey FOREIGN KEY (pending_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT disbursement_payouts_resolution_entry_fkey FOREIGN KEY (resolution_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT disbursement_payouts_return_entry_fkey FOREIGN KEY (return_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT disbursement_payouts_amount_check CHECK (amount > 0 AND amount = directed + allocated),
        CONSTRAINT disbursement_payouts_status_check CHECK (status IN ('planned', 'pending', 'paid', 'failed')),
        CONSTRAINT disbursement_payouts_pending_check CHECK ((status = 'planned') = (pending_entry_id IS NULL)),
        CONSTRAINT disbursement_payouts_resolved_check CHECK (
          (status IN ('paid', 'failed')) = (resolution_entry_id IS NOT NULL))
      );
      CREATE INDEX disbursement_payouts_batch_idx ON disbursement_payouts (batch_id);
      CREATE INDEX disbursement_payouts_project_idx ON disbursement_payouts (project_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE disbursement_payouts, disbursement_batches, disbursement_run_projects, disbursement_runs',
    );
  }
}
