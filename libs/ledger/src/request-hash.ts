import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { PostEntryCommand } from './ledger.types';

/**
 * The canonical form of an entry request (RFC 8785), whose SHA-256 an entry stores: replaying an
 * idempotency key with other content is refused by comparing it. Postings are sorted by account,
 * direction and amount, so their order does not matter.
 *
 * The postings (thousands in a disbursement page) are written directly, their four string fields in
 * JCS key order; the rest goes through the generic serialiser. The text is the one
 * `canonicalize(canonicalRequestObject(command))` gives (property-tested).
 */
export function canonicalRequest(command: PostEntryCommand): string | undefined {
  const postings = command.postings.map((p) => {
    const amount = p.amount.toString();
    return {
      key: p.account + p.direction + amount,
      account: p.account,
      amount,
      currency: p.currency,
      direction: p.direction,
    };
  });
  // the generic form's comparator, on keys built once
  postings.sort((a, b) => (a.key < b.key ? -1 : 1));
  const rest = canonicalize(canonicalRequestObject({ ...command, postings: [] }));
  if (rest === undefined) return undefined;
  // Only reversesEntryId (a string or null) follows the top-level key, and a JSON string cannot hold
  // this text unescaped: its last occurrence is that key.
  const at = rest.lastIndexOf(EMPTY_POSTINGS) + EMPTY_POSTINGS.length - 1;
  const s = JSON.stringify;
  const written = postings.map(
    (p) =>
      `{"account":${s(p.account)},"amount":${s(p.amount)},"currency":${s(p.currency)},"direction":${s(p.direction)}}`,
  );
  return rest.slice(0, at) + written.join(',') + rest.slice(at);
}

const EMPTY_POSTINGS = '"postings":[]';

/** An entry command's fields with their defaults, as the entry stores them (postings and time apart). */
export function entryFields(command: PostEntryCommand) {
  return {
    kind: command.kind,
    businessRef: command.businessRef,
    flow: command.flow ?? 'posted',
    pendingEntryId: command.pendingEntryId ?? null,
    reversesEntryId: command.reversesEntryId ?? null,
    policyVersion: command.policyVersion ?? null,
    description: command.description ?? null,
    metadata: command.metadata ?? {},
  };
}

/** The request as a plain object, postings sorted: what `canonicalRequest` serialises. */
export function canonicalRequestObject(command: PostEntryCommand) {
  return {
    ...entryFields(command),
    occurredAt: command.occurredAt?.toISOString() ?? null,
    postings: command.postings
      .map((p) => ({
        account: p.account,
        direction: p.direction,
        amount: p.amount.toString(),
        currency: p.currency,
      }))
      .sort((a, b) => (a.account + a.direction + a.amount < b.account + b.direction + b.amount ? -1 : 1)),
  };
}

export function requestHash(canonical: string): Buffer {
  return createHash('sha256').update(canonical).digest();
}
