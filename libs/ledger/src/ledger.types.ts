export type Direction = 'debit' | 'credit';
export type NormalSide = 'debit' | 'credit';
export type BalanceLimit = 'none' | 'debits_must_not_exceed_credits' | 'credits_must_not_exceed_debits';
/** TigerBeetle's two-phase flows: a pending entry reserves, a post or void resolves it once. */
export type EntryFlow = 'posted' | 'pending' | 'post_pending' | 'void_pending';

export interface AccountSpec {
  /** e.g. `asset:bank:eur`, `liability:pool:eur`, `liability:project:<id>:directed:eur` */
  readonly code: string;
  readonly currency: string;
  readonly normalSide: NormalSide;
  readonly balanceLimit: BalanceLimit;
  /** Hot accounts (credited by every contribution) keep several balance rows so writers do not queue. */
  readonly hot?: boolean;
}

export interface PostingCommand {
  readonly account: string;
  readonly direction: Direction;
  readonly amount: bigint;
  readonly currency: string;
}

export interface PostEntryCommand {
  readonly kind: string;
  readonly businessRef: string;
  readonly idempotencyKey: string;
  readonly postings: readonly PostingCommand[];
  readonly occurredAt?: Date;
  readonly description?: string;
  /** Public metadata of the entry (goes into the public log): no personal data. */
  readonly metadata?: Record<string, unknown>;
  readonly policyVersion?: number;
  readonly reversesEntryId?: string;
  readonly flow?: EntryFlow;
  readonly pendingEntryId?: string;
}

export interface PostedPosting {
  readonly accountId: string;
  readonly account: string;
  readonly direction: Direction;
  readonly amount: bigint;
  readonly currency: string;
}

export interface PostedEntry {
  readonly id: string;
  readonly kind: string;
  readonly businessRef: string;
  readonly idempotencyKey: string;
  readonly flow: EntryFlow;
  readonly pendingEntryId: string | null;
  readonly reversesEntryId: string | null;
  readonly policyVersion: number | null;
  readonly description: string | null;
  readonly metadata: Record<string, unknown>;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly postings: readonly PostedPosting[];
  /** false when this call replayed an entry already recorded under the same idempotency key */
  readonly created: boolean;
}

export interface AccountBalance {
  readonly account: string;
  readonly currency: string;
  readonly normalSide: NormalSide;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
  /** posted balance on the account's normal side */
  readonly balance: bigint;
  /** what can still be spent: posted balance minus pending reservations against it */
  readonly available: bigint;
}
