import { PostedEntry } from '@app/ledger';
import { JsonValue } from '../leaf/canonical-json';
import {
  assertNoPersonalMeta,
  buildLeaf,
  LEAF_FORMAT_VERSION,
  LeafFormatVersion,
  LeafParty,
  LedgerLeaf,
} from '../leaf/ledger-leaf';

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

/**
 * The public view of an entry as a leaf: `metadata.party` (if well-formed) is lifted to `party`,
 * the rest kept as `meta`. In the current format (2) an entry whose metadata names a person is
 * refused: its transaction fails rather than write personal data into the permanent log.
 * `version` rebuilds an older leaf (the verifier).
 */
export function leafOfEntry(
  entry: Omit<PostedEntry, 'created' | 'idempotencyKey' | 'recordedAt'>,
  seq: number,
  version: LeafFormatVersion = LEAF_FORMAT_VERSION,
): LedgerLeaf {
  const { party, ...rest } = (entry.metadata ?? {}) as Record<string, unknown>;
  const lifted = asParty(party);
  const meta = lifted ? rest : { ...rest, ...(party !== undefined ? { party } : {}) };
  if (version === 2) assertNoPersonalMeta(meta);
  const leaf = buildLeaf({
    version,
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
