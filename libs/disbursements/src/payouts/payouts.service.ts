import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@app/config';
import { queryRows } from '@app/database';
import { AuditService, Principal, requireRole } from '@app/identity';
import { Accounts, LedgerService, PostingCommand } from '@app/ledger';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import {
  BatchStatus,
  BatchView,
  PayoutStatus,
  PayoutView,
  ProjectStatementView,
  StatementSourceView,
} from '../disbursements.types';
import { PayeeDestination } from '../payees/payee-directory';
import { readRunCredits } from '../run/run-balances.reader';
import { expandSources } from '../run/run-computation';
import { BalanceKind, CarryOverReason, SourceRange } from '../run/run-computation.types';
import { buildPain001 } from '../sepa/pain001';
import { SepaParty } from '../sepa/pain001.types';
import { PayoutTransfers } from './payout-transfers';

interface BatchRow {
  id: string;
  run_id: string;
  rail: 'sepa' | 'stripe';
  currency: string;
  status: BatchStatus;
  payout_count: number;
  total: bigint | string;
  message_id: string | null;
  file_xml: string | null;
  submitted_at: Date | null;
  executed_at: Date | null;
}

interface PayoutRow {
  id: string;
  batch_id: string;
  run_id: string;
  project_id: string;
  end_to_end_id: string;
  amount: bigint | string;
  directed: bigint | string;
  allocated: bigint | string;
  currency: string;
  status: PayoutStatus;
  payee: PayeeDestination & { name: string };
  pending_entry_id: string | bigint | null;
  resolution_entry_id: string | bigint | null;
  return_entry_id: string | bigint | null;
  stripe_transfer_id: string | null;
  failure_reason: string | null;
}

interface StatementRow {
  run_id: string;
  cutoff: Date;
  algorithm: string;
  policy_version: number;
  ledger_mark: bigint | string | null;
  outcome: 'payable' | 'carried_over' | 'expired_only';
  payable: bigint | string;
  directed: bigint | string;
  allocated: bigint | string;
  expired: bigint | string;
  carried_over: bigint | string;
  reason: CarryOverReason | null;
  payable_entry_id: bigint | string | null;
  expiry_entry_id: bigint | string | null;
  sources: { payable?: unknown[]; expired?: unknown[] } | null;
  payout_id: string | null;
  payout_status: PayoutStatus;
  payout_amount: bigint | string;
  end_to_end_id: string;
  failure_reason: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Payout batches and two-phase payouts. Submitting a batch reserves every payout in the ledger
 * (a pending entry from the project's payable account to the bank or Stripe asset); confirming
 * posts the reservation, a failure voids it and returns the money to the project's balances. Each
 * payout resolves at most once: the payout row is locked and its status checked in the same
 * transaction as the ledger entry, and the ledger itself refuses a second resolution.
 */
@Injectable()
export class PayoutsService {
  private readonly logger = new Logger(PayoutsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly transfers: PayoutTransfers,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** The fund's account from the configuration, if set (AppConfig validates it at boot). */
  fundAccount(): SepaParty | null {
    const { FUND_ACCOUNT_NAME: name, FUND_IBAN: iban, FUND_BIC: bic } = this.config;
    return name && iban ? { name, iban, bic: bic ?? null } : null;
  }

  async batchesOfRun(principal: Principal, runId: string): Promise<BatchView[]> {
    requireRole(principal, 'treasurer');
    if (!UUID.test(runId))
      throw new DisbursementsError(DisbursementsErrorCode.RunNotFound, `no run ${runId}`);
    const rows = (await this.dataSource.query(
      'SELECT * FROM disbursement_batches WHERE run_id = $1 ORDER BY rail',
      [runId],
    )) as BatchRow[];
    return Promise.all(rows.map((b) => this.view(this.dataSource.manager, b)));
  }

  async getBatch(principal: Principal, batchId: string): Promise<BatchView> {
    requireRole(principal, 'treasurer');
    return this.view(this.dataSource.manager, await this.loadBatch(this.dataSource.manager, batchId));
  }

  /**
   * SEPA: reserves every payout and builds the pain.001 file (kept with the batch). Stripe:
   * reserves, transfers and resolves each payout. Submitting again returns the batch as it is.
   */
  async submitBatch(
    principal: Principal,
    batchId: string,
    input: { debtor?: SepaParty; requestedExecutionDate?: string },
    now = new Date(),
  ): Promise<BatchView> {
    requireRole(principal, 'treasurer');
    const batch = await this.loadBatch(this.dataSource.manager, batchId);
    if (batch.status === 'filling')
      throw new DisbursementsError(
        DisbursementsErrorCode.RunInProgress,
        'this batch is still being filled by its disbursement run',
        { batchId: batch.id, runId: batch.run_id },
      );
    if (batch.rail === 'sepa') return this.submitSepa(principal, batch, input, now);
    return this.submitStripe(principal, batch);
  }

  /** The batch's pain.001.001.09 file, once submitted. */
  async sepaFile(principal: Principal, batchId: string): Promise<{ fileName: string; xml: string }> {
    requireRole(principal, 'treasurer');
    const batch = await this.loadBatch(this.dataSource.manager, batchId);
    if (batch.rail !== 'sepa')
      throw new DisbursementsError(
        DisbursementsErrorCode.PayoutRailMismatch,
        'this batch is paid through Stripe',
      );
    if (!batch.file_xml)
      throw new DisbursementsError(
        DisbursementsErrorCode.BatchNotSubmitted,
        'submit the batch to generate its file',
      );
    return { fileName: `${batch.message_id}.xml`, xml: batch.file_xml };
  }

  /** The bank executed the batch: every payout still pending is posted. Twice: 409. */
  async markBatchExecuted(principal: Principal, batchId: string): Promise<BatchView> {
    requireRole(principal, 'treasurer');
    // An id that is not a UUID is no batch: checked before PostgreSQL casts it (which would fail, 500).
    if (!UUID.test(batchId))
      throw new DisbursementsError(DisbursementsErrorCode.BatchNotFound, `no batch ${batchId}`);
    return this.ledger.transaction(async (m) => {
      const [batch] = (await queryRows(m, 'SELECT * FROM disbursement_batches WHERE id = $1 FOR UPDATE', [
        batchId,
      ])) as BatchRow[];
      if (!batch) throw new DisbursementsError(DisbursementsErrorCode.BatchNotFound, `no batch ${batchId}`);
      if (batch.status === 'executed') {
        throw new DisbursementsError(
          DisbursementsErrorCode.BatchAlreadyExecuted,
          'this batch is already marked executed',
        );
      }
      if (batch.status !== 'submitted')
        throw new DisbursementsError(DisbursementsErrorCode.BatchNotSubmitted, 'submit the batch first');
      const pending = (await queryRows(
        m,
        `SELECT * FROM disbursement_payouts WHERE batch_id = $1 AND status = 'pending' ORDER BY id FOR UPDATE`,
        [batchId],
      )) as PayoutRow[];
      for (const payout of pending) await this.confirmLocked(m, payout);
      const [done] = (await queryRows(
        m,
        `UPDATE disbursement_batches SET status = 'executed', executed_at = now() WHERE id = $1 RETURNING *`,
        [batchId],
      )) as BatchRow[];
      await this.audit.record(
        principal,
        'disbursement.batch.executed',
        { type: 'disbursement_batch', id: batchId },
        { confirmed: pending.length },
        m,
      );
      return this.view(m, done);
    });
  }

  /** The bank confirmed one payout: its reservation is posted. Confirming twice, or a failed payout: 409. */
  async confirmPayout(principal: Principal, payoutId: string): Promise<PayoutView> {
    requireRole(principal, 'treasurer');
    return this.ledger.transaction(async (m) => {
      const payout = await this.lockPayout(m, payoutId);
      const done = await this.confirmLocked(m, payout);
      await this.audit.record(
        principal,
        'disbursement.payout.confirmed',
        { type: 'disbursement_payout', id: payoutId },
        {},
        m,
      );
      return toPayoutView(done);
    });
  }

  /** The payout failed: its reservation is voided and the money returns to the project's balances. Twice: 409. */
  async failPayout(principal: Principal, payoutId: string, reason: string): Promise<PayoutView> {
    requireRole(principal, 'treasurer');
    return this.ledger.transaction(async (m) => {
      const payout = await this.lockPayout(m, payoutId);
      const done = await this.failLocked(m, payout, reason);
      await this.audit.record(
        principal,
        'disbursement.payout.failed',
        { type: 'disbursement_payout', id: payoutId },
        { reason },
        m,
      );
      return toPayoutView(done);
    });
  }

  /** A project's statement: each run's outcome for it, the sources of what it was paid, and the payout. Public. */
  async statement(projectId: string, currency = 'EUR'): Promise<ProjectStatementView> {
    const rows = (await this.dataSource.query(
      `SELECT rp.*, r.cutoff, r.algorithm, r.policy_version, r.ledger_mark,
              p.id AS payout_id, p.status AS payout_status, p.amount AS payout_amount, p.end_to_end_id, p.failure_reason
         FROM disbursement_run_projects rp
         JOIN disbursement_runs r ON r.id = rp.run_id
         LEFT JOIN disbursement_payouts p ON p.run_id = rp.run_id AND p.project_id = rp.project_id
        WHERE rp.project_id = $1 AND r.currency = $2
        ORDER BY r.cutoff`,
      [projectId, currency],
    )) as StatementRow[];
    // A v1 run stored each source's entry id and amount; a v2 run stores positions in each
    // account's FIFO order, expanded here from the lots it saw. Kind and reference: the ledger's.
    type Listed = { balance: BalanceKind; entryId: string; amount: string };
    type Stored = Listed | { balance: BalanceKind; from: string; to: string };
    const lists: { payable: Listed[]; expired: Listed[] }[] = [];
    for (const r of rows) {
      const stored = (key: 'payable' | 'expired') => (r.sources?.[key] as Stored[] | undefined) ?? [];
      const list = async (key: 'payable' | 'expired'): Promise<Listed[]> => {
        const items = stored(key);
        if (!items.some((x) => 'from' in x)) return items as Listed[];
        const out: Listed[] = [];
        for (const x of items as { balance: BalanceKind; from: string; to: string }[]) {
          const range: SourceRange = { balance: x.balance, from: BigInt(x.from), to: BigInt(x.to) };
          const account =
            range.balance === 'directed'
              ? Accounts.projectDirected(projectId, currency)
              : Accounts.projectAllocated(projectId, currency);
          const read = await readRunCredits(
            this.dataSource,
            account.code,
            { cutoff: new Date(r.cutoff), ledgerMark: String(r.ledger_mark) },
            range,
          );
          const credits = { directed: [], allocated: [], [range.balance]: read.credits };
          for (const a of expandSources([range], credits, { [range.balance]: read.start })) {
            out.push({ balance: a.balance, entryId: a.sourceId, amount: a.amount.toString() });
          }
        }
        return out;
      };
      lists.push({ payable: await list('payable'), expired: await list('expired') });
    }
    const ids = [...new Set(lists.flatMap((l) => [...l.payable, ...l.expired].map((x) => x.entryId)))];
    const entries = new Map(
      (
        (await this.dataSource.query(
          'SELECT id::text AS id, kind, business_ref FROM ledger_entries WHERE id = ANY($1::bigint[])',
          [ids],
        )) as {
          id: string;
          kind: string;
          business_ref: string;
        }[]
      ).map((e) => [e.id, e]),
    );
    const sources = (list: Listed[]): StatementSourceView[] =>
      list.map((x) => ({
        balance: x.balance,
        entryId: x.entryId,
        kind: entries.get(x.entryId)?.kind ?? '',
        reference: entries.get(x.entryId)?.business_ref ?? '',
        amount: x.amount,
      }));
    return {
      projectId,
      currency,
      lines: rows.map((r, i) => ({
        runId: r.run_id,
        cutoff: new Date(r.cutoff).toISOString(),
        algorithm: r.algorithm,
        policyVersion: r.policy_version,
        outcome: r.outcome,
        payable: String(r.payable),
        directed: String(r.directed),
        allocated: String(r.allocated),
        expired: String(r.expired),
        carriedOver: String(r.carried_over),
        reason: r.reason,
        payableEntryId: r.payable_entry_id === null ? null : String(r.payable_entry_id),
        expiryEntryId: r.expiry_entry_id === null ? null : String(r.expiry_entry_id),
        sources: sources(lists[i].payable),
        expiredSources: sources(lists[i].expired),
        payout: r.payout_id
          ? {
              id: r.payout_id,
              status: r.payout_status,
              amount: String(r.payout_amount),
              endToEndId: r.end_to_end_id,
              failureReason: r.failure_reason,
            }
          : null,
      })),
    };
  }

  // ------------------------------------------------------------------------------------------

  private async submitSepa(
    principal: Principal,
    batch: BatchRow,
    input: { debtor?: SepaParty; requestedExecutionDate?: string },
    now: Date,
  ): Promise<BatchView> {
    if (batch.status !== 'planned') return this.view(this.dataSource.manager, batch);
    const debtor = input.debtor ?? this.fundAccount();
    if (!debtor)
      throw new DisbursementsError(
        DisbursementsErrorCode.InvalidSepaBatch,
        "a SEPA batch needs the fund's debtor account (in the request, or FUND_ACCOUNT_NAME and FUND_IBAN)",
      );
    const executionDate = input.requestedExecutionDate ?? now.toISOString().slice(0, 10);
    return this.ledger.transaction(async (m) => {
      const [locked] = (await queryRows(m, 'SELECT * FROM disbursement_batches WHERE id = $1 FOR UPDATE', [
        batch.id,
      ])) as BatchRow[];
      if (locked.status !== 'planned') return this.view(m, locked);
      const payouts = (await queryRows(
        m,
        `SELECT * FROM disbursement_payouts WHERE batch_id = $1 ORDER BY end_to_end_id FOR UPDATE`,
        [batch.id],
      )) as PayoutRow[];
      const messageId = `LBR${batch.id.replace(/-/g, '').slice(0, 29).toUpperCase()}`;
      // Built (and so validated) before anything is reserved: a bad file reserves nothing.
      const file = buildPain001({
        messageId,
        paymentInfoId: `${messageId.slice(0, 33)}-1`,
        createdAt: now,
        requestedExecutionDate: executionDate,
        currency: locked.currency,
        debtor,
        payments: payouts.map((p) => {
          if (p.payee.rail !== 'sepa')
            throw new DisbursementsError(
              DisbursementsErrorCode.PayoutRailMismatch,
              `payout ${p.id} is not SEPA`,
            );
          return {
            endToEndId: p.end_to_end_id,
            amount: BigInt(p.amount),
            creditor: { name: p.payee.accountHolder || p.payee.name, iban: p.payee.iban, bic: p.payee.bic },
            remittance: `Librery payout ${p.project_id} run ${p.run_id.slice(0, 8)}`,
          };
        }),
      });
      if (file.controlSum !== BigInt(locked.total) || file.numberOfTransactions !== locked.payout_count) {
        throw new DisbursementsError(
          DisbursementsErrorCode.InvalidSepaBatch,
          'the file does not match the batch',
        );
      }
      for (const p of payouts) await this.reserve(m, p, Accounts.bank(p.currency).code);
      const [done] = (await queryRows(
        m,
        `UPDATE disbursement_batches SET status = 'submitted', submitted_at = now(), message_id = $2, file_xml = $3,
                file_control_sum = $4 WHERE id = $1 RETURNING *`,
        [batch.id, messageId, file.xml, file.controlSum.toString()],
      )) as BatchRow[];
      await this.audit.record(
        principal,
        'disbursement.batch.submitted',
        { type: 'disbursement_batch', id: batch.id },
        { rail: 'sepa', messageId },
        m,
      );
      return this.view(m, done);
    });
  }

  private async submitStripe(principal: Principal, batch: BatchRow): Promise<BatchView> {
    if (batch.status === 'executed') return this.view(this.dataSource.manager, batch);
    // Phase 1: reserve every payout (idempotent), mark the batch submitted.
    await this.ledger.transaction(async (m) => {
      const [locked] = (await queryRows(m, 'SELECT * FROM disbursement_batches WHERE id = $1 FOR UPDATE', [
        batch.id,
      ])) as BatchRow[];
      if (locked.status !== 'planned') return;
      const payouts = (await queryRows(
        m,
        `SELECT * FROM disbursement_payouts WHERE batch_id = $1 AND status = 'planned' ORDER BY id FOR UPDATE`,
        [batch.id],
      )) as PayoutRow[];
      for (const p of payouts) await this.reserve(m, p, Accounts.stripe(p.currency).code);
      await queryRows(
        m,
        `UPDATE disbursement_batches SET status = 'submitted', submitted_at = now() WHERE id = $1`,
        [batch.id],
      );
      await this.audit.record(
        principal,
        'disbursement.batch.submitted',
        { type: 'disbursement_batch', id: batch.id },
        { rail: 'stripe' },
        m,
      );
    });
    // Phase 2: one transfer per pending payout, keyed by the payout so a retry never pays twice.
    const pending = (await this.dataSource.query(
      `SELECT * FROM disbursement_payouts WHERE batch_id = $1 AND status = 'pending' ORDER BY id`,
      [batch.id],
    )) as PayoutRow[];
    for (const p of pending) {
      if (p.payee.rail !== 'stripe')
        throw new DisbursementsError(
          DisbursementsErrorCode.PayoutRailMismatch,
          `payout ${p.id} is not Stripe`,
        );
      const result = await this.transfers.transfer({
        amount: BigInt(p.amount),
        currency: p.currency,
        destination: p.payee.stripeAccountId,
        transferGroup: `disbursement-run:${p.run_id}`,
        idempotencyKey: `disbursement-payout:${p.id}`,
        metadata: { payoutId: p.id, projectId: p.project_id, runId: p.run_id },
      });
      await this.ledger.transaction(async (m) => {
        const locked = await this.lockPayout(m, p.id);
        if (locked.status !== 'pending') return;
        if (result.ok) {
          await queryRows(m, 'UPDATE disbursement_payouts SET stripe_transfer_id = $2 WHERE id = $1', [
            p.id,
            result.transferId ?? null,
          ]);
          await this.confirmLocked(m, locked);
        } else {
          this.logger.warn(`Stripe transfer for payout ${p.id} failed: ${result.failure}`);
          await this.failLocked(m, locked, `stripe: ${result.failure ?? 'transfer refused'}`);
        }
      });
    }
    return this.ledger.transaction(async (m) => {
      const [b] = (await queryRows(
        m,
        `UPDATE disbursement_batches SET status = 'executed', executed_at = now()
          WHERE id = $1 AND status = 'submitted'
            AND NOT EXISTS (SELECT 1 FROM disbursement_payouts WHERE batch_id = $1 AND status IN ('planned', 'pending'))
         RETURNING *`,
        [batch.id],
      )) as BatchRow[];
      return this.view(m, b ?? (await this.loadBatch(m, batch.id)));
    });
  }

  private async reserve(m: EntityManager, p: PayoutRow, assetAccount: string): Promise<void> {
    const entry = await this.ledger.post(
      {
        kind: 'disbursement.payout',
        businessRef: `disbursement-payout:${p.id}`,
        idempotencyKey: `disbursement-payout:${p.id}:pending`,
        flow: 'pending',
        description: 'payout reserved',
        metadata: {
          payoutId: p.id,
          runId: p.run_id,
          projectId: p.project_id,
          rail: p.payee.rail,
          endToEndId: p.end_to_end_id,
        },
        postings: [
          {
            account: Accounts.payable(p.project_id, p.currency).code,
            direction: 'debit',
            amount: BigInt(p.amount),
            currency: p.currency,
          },
          { account: assetAccount, direction: 'credit', amount: BigInt(p.amount), currency: p.currency },
        ],
      },
      m,
    );
    await queryRows(
      m,
      `UPDATE disbursement_payouts SET status = 'pending', pending_entry_id = $2 WHERE id = $1 AND status = 'planned'`,
      [p.id, entry.id],
    );
  }

  private async confirmLocked(m: EntityManager, p: PayoutRow): Promise<PayoutRow> {
    this.assertPending(p);
    const entry = await this.ledger.resolvePending(
      String(p.pending_entry_id),
      'post_pending',
      {
        idempotencyKey: `disbursement-payout:${p.id}:posted`,
        kind: 'disbursement.payout.posted',
        description: 'payout confirmed',
        metadata: { payoutId: p.id },
      },
      m,
    );
    const [row] = (await queryRows(
      m,
      `UPDATE disbursement_payouts SET status = 'paid', resolution_entry_id = $2, resolved_at = now() WHERE id = $1 RETURNING *`,
      [p.id, entry.id],
    )) as PayoutRow[];
    return row;
  }

  private async failLocked(m: EntityManager, p: PayoutRow, reason: string): Promise<PayoutRow> {
    this.assertPending(p);
    const voided = await this.ledger.resolvePending(
      String(p.pending_entry_id),
      'void_pending',
      {
        idempotencyKey: `disbursement-payout:${p.id}:voided`,
        kind: 'disbursement.payout.voided',
        description: 'payout failed',
        metadata: { payoutId: p.id },
      },
      m,
    );
    const [directed, allocated] = [BigInt(p.directed), BigInt(p.allocated)];
    const postings: PostingCommand[] = [
      {
        account: Accounts.payable(p.project_id, p.currency).code,
        direction: 'debit',
        amount: BigInt(p.amount),
        currency: p.currency,
      },
    ];
    if (directed > 0n) {
      postings.push({
        account: Accounts.projectDirected(p.project_id, p.currency).code,
        direction: 'credit',
        amount: directed,
        currency: p.currency,
      });
    }
    if (allocated > 0n) {
      postings.push({
        account: Accounts.projectAllocated(p.project_id, p.currency).code,
        direction: 'credit',
        amount: allocated,
        currency: p.currency,
      });
    }
    const returned = await this.ledger.post(
      {
        kind: 'disbursement.payout.returned',
        businessRef: `disbursement-payout:${p.id}`,
        idempotencyKey: `disbursement-payout:${p.id}:returned`,
        description: 'failed payout returns to the project balances',
        metadata: { payoutId: p.id, runId: p.run_id },
        postings,
      },
      m,
    );
    const [row] = (await queryRows(
      m,
      `UPDATE disbursement_payouts SET status = 'failed', resolution_entry_id = $2, return_entry_id = $3, failure_reason = $4,
              resolved_at = now() WHERE id = $1 RETURNING *`,
      [p.id, voided.id, returned.id, reason.slice(0, 500)],
    )) as PayoutRow[];
    return row;
  }

  private assertPending(p: PayoutRow): void {
    if (p.status === 'pending') return;
    if (p.status === 'planned')
      throw new DisbursementsError(
        DisbursementsErrorCode.BatchNotSubmitted,
        'this payout has not been submitted',
      );
    throw new DisbursementsError(
      DisbursementsErrorCode.PayoutAlreadyResolved,
      `this payout is already ${p.status}`,
      { status: p.status },
    );
  }

  private async lockPayout(m: EntityManager, payoutId: string): Promise<PayoutRow> {
    if (!UUID.test(payoutId))
      throw new DisbursementsError(DisbursementsErrorCode.PayoutNotFound, `no payout ${payoutId}`);
    const [row] = (await queryRows(m, 'SELECT * FROM disbursement_payouts WHERE id = $1 FOR UPDATE', [
      payoutId,
    ])) as PayoutRow[];
    if (!row) throw new DisbursementsError(DisbursementsErrorCode.PayoutNotFound, `no payout ${payoutId}`);
    return row;
  }

  private async loadBatch(m: EntityManager, batchId: string): Promise<BatchRow> {
    if (!UUID.test(batchId))
      throw new DisbursementsError(DisbursementsErrorCode.BatchNotFound, `no batch ${batchId}`);
    const [row] = (await queryRows(m, 'SELECT * FROM disbursement_batches WHERE id = $1', [
      batchId,
    ])) as BatchRow[];
    if (!row) throw new DisbursementsError(DisbursementsErrorCode.BatchNotFound, `no batch ${batchId}`);
    return row;
  }

  private async view(m: EntityManager, b: BatchRow): Promise<BatchView> {
    const payouts = (await queryRows(
      m,
      'SELECT * FROM disbursement_payouts WHERE batch_id = $1 ORDER BY end_to_end_id',
      [b.id],
    )) as PayoutRow[];
    return {
      id: b.id,
      runId: b.run_id,
      rail: b.rail,
      currency: b.currency,
      status: b.status,
      payoutCount: b.payout_count,
      total: String(b.total),
      messageId: b.message_id,
      submittedAt: b.submitted_at ? new Date(b.submitted_at).toISOString() : null,
      executedAt: b.executed_at ? new Date(b.executed_at).toISOString() : null,
      payouts: payouts.map(toPayoutView),
    };
  }
}

const idOrNull = (v: string | bigint | null) => (v === null ? null : String(v));

function toPayoutView(p: PayoutRow): PayoutView {
  return {
    id: p.id,
    batchId: p.batch_id,
    runId: p.run_id,
    projectId: p.project_id,
    endToEndId: p.end_to_end_id,
    amount: String(p.amount),
    directed: String(p.directed),
    allocated: String(p.allocated),
    currency: p.currency,
    status: p.status,
    pendingEntryId: idOrNull(p.pending_entry_id),
    resolutionEntryId: idOrNull(p.resolution_entry_id),
    returnEntryId: idOrNull(p.return_entry_id),
    stripeTransferId: p.stripe_transfer_id,
    failureReason: p.failure_reason,
  };
}
