/** Public read models: amounts are bigint here, decimal strings of cents on the wire. */

export interface PublicPosting {
  readonly account: string;
  readonly direction: 'debit' | 'credit';
  readonly amount: bigint;
  readonly currency: string;
}

export interface PublicEntry {
  readonly id: string;
  readonly logIndex: number | null;
  readonly kind: string;
  readonly businessRef: string;
  readonly flow: 'posted' | 'pending' | 'post_pending' | 'void_pending';
  readonly pendingEntryId: string | null;
  readonly reversesEntryId: string | null;
  readonly policyVersion: number | null;
  readonly description: string | null;
  readonly metadata: Record<string, unknown>;
  readonly occurredAt: Date;
  readonly postings: readonly PublicPosting[];
  /** Who gave, when the entry is a contribution: a public body by name, a donor by pseudonym unless named. */
  readonly contributor: PublicContributor | null;
}

export interface PublicContributor {
  readonly kind: 'public_body' | 'donor';
  readonly id: string;
  readonly name: string;
}

export interface EntryFilters {
  kind?: string;
  project?: string;
  contributor?: string;
  account?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: the last entry id of the previous page. */
  after?: string;
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface EntryPage {
  readonly items: PublicEntry[];
  readonly nextCursor: string | null;
}

export interface PublicAccountBalance {
  readonly account: string;
  readonly currency: string;
  readonly normalSide: 'debit' | 'credit';
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
  readonly balance: bigint;
}

export interface FundTotals {
  readonly currency: string;
  /** Cash received (debits to asset accounts, net of reversals). */
  readonly received: bigint;
  readonly processorFees: bigint;
  readonly operatingIncome: bigint;
  readonly pool: bigint;
  readonly directed: bigint;
  readonly allocated: bigint;
  readonly payable: bigint;
  /** Money that left the fund to projects (debits of payable accounts posted). */
  readonly paidOut: bigint;
  readonly entries: number;
}

export interface FlowLink {
  readonly source: string;
  readonly target: string;
  readonly amount: bigint;
}

export interface FundFlows {
  readonly currency: string;
  readonly links: FlowLink[];
}

export interface ProjectView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly currency: string;
  readonly receivedDirected: bigint;
  readonly receivedAllocated: bigint;
  readonly balanceDirected: bigint;
  readonly balanceAllocated: bigint;
  readonly movedToPayable: bigint;
  readonly paidOut: bigint;
  readonly fromWhom: { contributor: PublicContributor | null; amount: bigint }[];
  readonly entries: PublicEntry[];
}

export interface ContributorView {
  readonly contributor: PublicContributor;
  readonly currency: string;
  readonly given: bigint;
  readonly entries: PublicEntry[];
}

export interface RoundView {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly currency: string;
  readonly budget: bigint;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly ballotCount: number;
  readonly candidates: unknown;
  readonly audit: unknown;
  readonly entries: PublicEntry[];
}

/** A payout as one line: its pending entry and how it ended (confirmed by the bank, failed, or still pending). */
export interface PublicPayout {
  readonly entryId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly at: Date;
  readonly state: 'pending' | 'confirmed' | 'failed';
  readonly resolvedEntryId: string | null;
  readonly resolvedAt: Date | null;
}

/** How a pending entry was resolved, if it was. */
export interface PendingResolution {
  readonly pendingEntryId: string;
  readonly entryId: string;
  readonly state: 'confirmed' | 'failed';
  readonly at: Date;
}

/** Names behind the ids found in account codes (projects, rounds), for pages that show names. */
export interface PublicNames {
  readonly projects: ReadonlyMap<string, { readonly slug: string; readonly name: string }>;
  readonly rounds: ReadonlyMap<string, string>;
}
