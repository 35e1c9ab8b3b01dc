/** Which of a project's two balances a source of money sits in. */
export type BalanceKind = 'directed' | 'allocated';

/**
 * One credit to a project's balance account, as the public ledger shows it: the ledger entry that
 * brought the money (a contribution's directed share, a round's allocation, a returned payout…).
 */
export interface SourceCredit {
  /** The ledger entry id (decimal string), unique within one balance account. */
  readonly sourceId: string;
  /** The entry's kind and business reference, when the caller has them (statements look them up). */
  readonly kind?: string;
  readonly reference?: string;
  readonly occurredAt: Date;
  readonly amount: bigint;
}

/** A balance account at the cut-off: its credits in ledger order and the total debited from it. */
export interface BalanceAtCutoff {
  readonly credits: readonly SourceCredit[];
  readonly debited: bigint;
}

/** What the run needs to know about one project, all as of the cut-off. */
export interface ProjectRunInput {
  readonly projectId: string;
  readonly admitted: boolean;
  readonly payoutVerified: boolean;
  readonly directed: BalanceAtCutoff;
  readonly allocated: BalanceAtCutoff;
}

export interface RunParameters {
  readonly cutoff: Date;
  readonly minimumPayout: bigint;
  readonly claimDeadlineDays: number;
}

/** A part of an amount attributed to one source. */
export interface Attribution {
  readonly balance: BalanceKind;
  readonly sourceId: string;
  readonly kind?: string;
  readonly reference?: string;
  readonly amount: bigint;
}

export enum CarryOverReason {
  NotAdmitted = 'not_admitted',
  NoVerifiedPayoutDetails = 'no_verified_payout_details',
  BelowMinimumPayout = 'below_minimum_payout',
}

/**
 * Sources by position (algorithm v2): lay the credits of one balance account end to end, those the
 * run sees (logged before its mark) that occurred up to the cut-off, in FIFO order (occurred_at,
 * then entry id); every credit overlapping [from, to) is a source for its overlap. Since a run
 * only ever moves whole open amounts, this is exactly the allocator's attribution
 * (`expandSources`, property-tested against `attribute` and `allocate`).
 */
export interface SourceRange {
  readonly balance: BalanceKind;
  readonly from: bigint;
  readonly to: bigint;
}

/** One balance account of a project as the run sees it: sums only, no lot in memory. */
export interface BalanceSums {
  /** Credits that occurred at or before the cut-off. */
  readonly credited: bigint;
  /** All debits (whatever their date: a move never exceeds what the account holds). */
  readonly debited: bigint;
  /** Of `credited`, what occurred before the claim deadline; needed for an unclaimed directed balance only. */
  readonly creditedBeforeDeadline?: bigint;
}

/** What the run needs to know about one project (algorithm v2), all as of the cut-off and the mark. */
export interface ProjectSumsInput {
  readonly projectId: string;
  readonly admitted: boolean;
  readonly payoutVerified: boolean;
  readonly directed: BalanceSums;
  readonly allocated: BalanceSums;
}

export interface ProjectRunOutcome<S = Attribution> {
  readonly projectId: string;
  /** Directed money past the claim deadline of a project that has not claimed it: back to the pool. */
  readonly expired: { readonly amount: bigint; readonly sources: readonly S[] } | null;
  /** The balances moved to payable. */
  readonly payable: {
    readonly amount: bigint;
    readonly directed: bigint;
    readonly allocated: bigint;
    readonly sources: readonly S[];
  } | null;
  /** What stays in the project's balances, and why. */
  readonly carryOver: { readonly amount: bigint; readonly reason: CarryOverReason } | null;
}

export interface RunTotals {
  projects: number;
  payableProjects: number;
  payable: bigint;
  expired: bigint;
  carriedOver: bigint;
  carriedOverByReason: Record<CarryOverReason, bigint>;
}
