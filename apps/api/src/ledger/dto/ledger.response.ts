import { AccountBalance, PostedEntry } from '@app/ledger';

export class EntryResponse {
  id!: string;
  kind!: string;
  businessRef!: string;
  flow!: string;
  reversesEntryId!: string | null;
  pendingEntryId!: string | null;
  policyVersion!: number | null;
  description!: string | null;
  occurredAt!: string;
  recordedAt!: string;
  postings!: { account: string; direction: string; amount: string; currency: string }[];

  static from(e: PostedEntry): EntryResponse {
    return {
      id: e.id,
      kind: e.kind,
      businessRef: e.businessRef,
      flow: e.flow,
      reversesEntryId: e.reversesEntryId,
      pendingEntryId: e.pendingEntryId,
      policyVersion: e.policyVersion,
      description: e.description,
      occurredAt: e.occurredAt.toISOString(),
      recordedAt: e.recordedAt.toISOString(),
      postings: e.postings.map((p) => ({
        account: p.account,
        direction: p.direction,
        amount: p.amount.toString(),
        currency: p.currency,
      })),
    };
  }
}

export class BalanceResponse {
  account!: string;
  currency!: string;
  balance!: string;
  available!: string;
  debitsPosted!: string;
  creditsPosted!: string;
  debitsPending!: string;
  creditsPending!: string;

  static from(b: AccountBalance): BalanceResponse {
    return {
      account: b.account,
      currency: b.currency,
      balance: b.balance.toString(),
      available: b.available.toString(),
      debitsPosted: b.debitsPosted.toString(),
      creditsPosted: b.creditsPosted.toString(),
      debitsPending: b.debitsPending.toString(),
      creditsPending: b.creditsPending.toString(),
    };
  }
}
