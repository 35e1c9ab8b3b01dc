import { PublicEntry } from '@app/transparency';

/** An entry as the public API shows it: amounts as decimal strings of cents. */
export function entryJson(e: PublicEntry) {
  return {
    id: e.id,
    logIndex: e.logIndex,
    kind: e.kind,
    businessRef: e.businessRef,
    flow: e.flow,
    pendingEntryId: e.pendingEntryId,
    reversesEntryId: e.reversesEntryId,
    policyVersion: e.policyVersion,
    description: e.description,
    metadata: e.metadata,
    occurredAt: e.occurredAt.toISOString(),
    contributor: e.contributor,
    postings: e.postings.map((p) => ({
      account: p.account,
      direction: p.direction,
      amount: p.amount.toString(),
      currency: p.currency,
    })),
  };
}

/** Turns every bigint of a read model into a decimal string, dates into ISO 8601. */
export function publicJson<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as unknown;
}
