import { PostedEntry } from '@app/ledger';
import { JsonValue } from '../leaf/canonical-json';
import { buildLeaf, LeafParty, LedgerLeafV1 } from '../leaf/ledger-leaf';

function asParty(value: unknown): LeafParty | undefined {
  const p = value as Record<string, unknown> | null;
  if (!p || typeof p !== 'object') return undefined;
  if (p.type === 'public_body' && typeof p.id === 'string' && typeof p.name === 'string') {
    return { type: 'public_body', id: p.id, name: p.name };
  }
  if (p.type === 'donor' && typeof p.commitment === 'string' && /^[0-9a-f]{64}$/.test(p.commitment)) {
    return { type: 'donor', commitment: p.commitment };
  }
  return undefined;
}

/** The public view of an entry as a leaf: `metadata.party` (if well-formed) is lifted to `party`, the rest kept as `meta`. */
export function leafOfEntry(
  entry: Omit<PostedEntry, 'created' | 'idempotencyKey' | 'recordedAt'>,
  seq: number,
): LedgerLeafV1 {
  const { party, ...rest } = (entry.metadata ?? {}) as Record<string, unknown>;
  const lifted = asParty(party);
  const meta = lifted ? rest : { ...rest, ...(party !== undefined ? { party } : {}) };
  const leaf = buildLeaf({
    seq,
    entryId: entry.id,
    occurredAt: entry.occurredAt,
    kind: entry.kind,
    businessRef: entry.businessRef,
    flow: entry.flow,
    pendingEntryId: entry.pendingEntryId,
    reversesEntryId: entry.reversesEntryId,
    policyVersion: entry.policyVersion,
    party: lifted,
    postings: entry.postings.map((p) => ({
      account: p.account,
      currency: p.currency,
      direction: p.direction === 'debit' ? 'D' : 'C',
      amount: p.amount,
    })),
  });
  return Object.keys(meta).length > 0 ? { ...leaf, meta: meta as { [k: string]: JsonValue } } : leaf;
}
