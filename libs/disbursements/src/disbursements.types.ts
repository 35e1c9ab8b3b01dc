import { CarryOverReason } from './run/run-computation.types';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';
/** `filling` while its run writes its payouts; `planned` once the run has completed. */
export type BatchStatus = 'filling' | 'planned' | 'submitted' | 'executed';
export type PayoutStatus = 'planned' | 'pending' | 'paid' | 'failed';

/** The inputs a run stores so that anyone can recompute it from the public ledger. */
export interface RunInputs {
  readonly algorithm: string;
  readonly allocationRule: string;
  readonly currency: string;
  readonly cutoff: string;
  readonly policyVersion: number;
  readonly minimumPayout: string;
  readonly claimDeadlineDays: number;
  /**
   * Set when the run starts: the public log's size then. The run sees exactly the entries whose
   * leaf index is below it (v1 runs: the highest entry id, entries above it not considered).
   */
  readonly ledgerMark?: string;
}

export interface RunTotalsView {
  readonly projects: number;
  readonly payableProjects: number;
  readonly payable: string;
  readonly expired: string;
  readonly carriedOver: string;
  readonly carriedOverByReason: Record<CarryOverReason, string>;
}

export interface RunView {
  readonly id: string;
  readonly currency: string;
  readonly cutoff: string;
  readonly status: RunStatus;
  readonly algorithm: string;
  readonly policyVersion: number;
  readonly inputs: RunInputs;
  readonly ledgerMark: string | null;
  readonly totals: RunTotalsView | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

/** The result of asking for a run: the run, and whether this request created it. */
export interface StartRunResult {
  readonly run: RunView;
  readonly created: boolean;
}

export interface BatchView {
  readonly id: string;
  readonly runId: string;
  readonly rail: 'sepa' | 'stripe';
  readonly currency: string;
  readonly status: BatchStatus;
  readonly payoutCount: number;
  readonly total: string;
  readonly messageId: string | null;
  readonly submittedAt: string | null;
  readonly executedAt: string | null;
  readonly payouts: PayoutView[];
}

export interface PayoutView {
  readonly id: string;
  readonly batchId: string;
  readonly runId: string;
  readonly projectId: string;
  readonly endToEndId: string;
  readonly amount: string;
  readonly directed: string;
  readonly allocated: string;
  readonly currency: string;
  readonly status: PayoutStatus;
  readonly pendingEntryId: string | null;
  readonly resolutionEntryId: string | null;
  readonly returnEntryId: string | null;
  readonly stripeTransferId: string | null;
  readonly failureReason: string | null;
}

export interface StatementSourceView {
  readonly balance: 'directed' | 'allocated';
  readonly entryId: string;
  readonly kind: string;
  readonly reference: string;
  readonly amount: string;
}

export interface StatementLineView {
  readonly runId: string;
  readonly cutoff: string;
  readonly algorithm: string;
  readonly policyVersion: number;
  readonly outcome: 'payable' | 'carried_over' | 'expired_only';
  readonly payable: string;
  readonly directed: string;
  readonly allocated: string;
  readonly expired: string;
  readonly carriedOver: string;
  readonly reason: CarryOverReason | null;
  readonly payableEntryId: string | null;
  readonly expiryEntryId: string | null;
  readonly sources: StatementSourceView[];
  readonly expiredSources: StatementSourceView[];
  readonly payout: Pick<PayoutView, 'id' | 'status' | 'amount' | 'endToEndId' | 'failureReason'> | null;
}

export interface ProjectStatementView {
  readonly projectId: string;
  readonly currency: string;
  readonly lines: StatementLineView[];
}
