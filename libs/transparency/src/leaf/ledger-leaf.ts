import { createHash, randomBytes } from 'node:crypto';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import { canonicalJson, JsonValue } from './canonical-json';

/**
 * Leaf format versions; old leaves keep theirs and are never re-hashed, and the verifier reads
 * every version.
 * - 1: the first format. Its `meta` was the entry's metadata as written, so a donation's leaf
 *   could hold the donor's public name or pseudonym in clear (`meta.donor`).
 * - 2: a private party appears only as its salted commitment (`party: {type: "donor",
 *   commitment}`, SHA-256(salt ‖ subject), the salt kept outside the log); `meta` never holds a
 *   name, pseudonym, e-mail or key of a person (`PERSONAL_META_KEYS`): a writer refuses such an
 *   entry and the verifier such a leaf. Names and pseudonyms live outside the log and are joined
 *   when read; erasing a donor deletes them and the salt, and the log still verifies.
 */
export type LeafFormatVersion = 1 | 2;
export const LEAF_FORMAT_VERSION: LeafFormatVersion = 2;
const KNOWN_VERSIONS: readonly number[] = [1, 2];

/** Metadata keys that name or reach a person: never in a version-2 leaf. */
export const PERSONAL_META_KEYS: readonly string[] = [
  'donor',
  'donorName',
  'donor_name',
  'named',
  'publicName',
  'public_name',
  'pseudonym',
  'email',
  'donorEmail',
  'donor_email',
  'statementKey',
  'statement_key',
];

/** Throws when a version-2 leaf's meta would carry personal data. */
export function assertNoPersonalMeta(meta: Readonly<Record<string, unknown>> | undefined): void {
  for (const key of PERSONAL_META_KEYS)
    if (meta && Object.prototype.hasOwnProperty.call(meta, key))
      fail(`personal data (meta.${key}) is never written into a version-2 leaf`);
}

export type LeafFlow = 'posted' | 'pending' | 'post_pending' | 'void_pending';

/** One posting of the public view: both sides as decimal strings of minor units, "0" on the other. */
export interface LeafPosting {
  readonly acct: string;
  readonly ccy: string;
  readonly dr: string;
  readonly cr: string;
}

/** Who a contribution comes from: public bodies by name, private donors by a salted commitment. */
export type LeafParty =
  | { readonly type: 'public_body'; readonly id: string; readonly name: string }
  | { readonly type: 'donor'; readonly commitment: string };

/** The public view of one committed ledger entry, as it is hashed into the log. */
export interface LedgerLeaf {
  readonly v: LeafFormatVersion;
  /** The leaf's own index in the log. */
  readonly seq: number;
  /** The entry id. */
  readonly tx: string;
  /** occurred_at, ISO 8601 UTC. */
  readonly at: string;
  readonly kind: string;
  readonly ref?: string;
  /** Absent for an ordinary posted entry. */
  readonly flow?: Exclude<LeafFlow, 'posted'>;
  readonly pending?: string;
  readonly reverses?: string;
  readonly policy?: number;
  readonly party?: LeafParty;
  /** The entry's public metadata (ids of runs, rounds, payouts…), never personal data. */
  readonly meta?: { readonly [key: string]: JsonValue };
  readonly postings: readonly LeafPosting[];
}

export interface LeafInput {
  /** The format to write: the current one unless rebuilding an older leaf. */
  version?: LeafFormatVersion;
  seq: number;
  entryId: string | bigint;
  occurredAt: Date | string;
  kind: string;
  businessRef?: string;
  flow?: LeafFlow;
  pendingEntryId?: string | bigint | null;
  reversesEntryId?: string | bigint | null;
  policyVersion?: number | null;
  party?: LeafParty | null;
  postings: readonly { account: string; currency: string; direction: 'D' | 'C'; amount: bigint }[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** ISO 8601 UTC without milliseconds when they are zero ("2025-01-15T10:00:00Z"). */
export function leafTime(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime()))
    throw new TransparencyError(TransparencyErrorCode.InvalidLeaf, 'invalid date');
  return d.toISOString().replace('.000Z', 'Z');
}

export function buildLeaf(input: LeafInput): LedgerLeaf {
  const leaf: LedgerLeaf = {
    v: input.version ?? LEAF_FORMAT_VERSION,
    seq: input.seq,
    tx: String(input.entryId),
    at: leafTime(input.occurredAt),
    kind: input.kind,
    ref: input.businessRef,
    flow: input.flow && input.flow !== 'posted' ? input.flow : undefined,
    pending: input.pendingEntryId != null ? String(input.pendingEntryId) : undefined,
    reverses: input.reversesEntryId != null ? String(input.reversesEntryId) : undefined,
    policy: input.policyVersion ?? undefined,
    party: input.party ?? undefined,
    postings: input.postings.map((p) => {
      if (p.amount <= 0n)
        throw new TransparencyError(TransparencyErrorCode.InvalidLeaf, 'posting amounts are positive');
      const amount = p.amount.toString();
      return {
        acct: p.account,
        ccy: p.currency,
        dr: p.direction === 'D' ? amount : '0',
        cr: p.direction === 'C' ? amount : '0',
      };
    }),
  };
  return leaf;
}

/**
 * The leaf bytes: RFC 8785 canonical JSON, UTF-8. The postings, nearly all the bytes of a large
 * entry (a disbursement page has thousands), are written directly, their four string fields in
 * JCS key order; the rest goes through the generic serialiser. The output is the same
 * (property-tested against `canonicalJson` of the whole leaf).
 */
export function encodeLeaf(leaf: LedgerLeaf): string {
  const rest = canonicalJson({ ...leaf, postings: [] } as unknown as JsonValue);
  // The top-level key: only ref, reverses, seq, tx and v (strings, numbers) follow it, and a JSON
  // string cannot hold this text unescaped, so the last occurrence is that key.
  const at = rest.lastIndexOf(EMPTY_POSTINGS) + EMPTY_POSTINGS.length - 1;
  return rest.slice(0, at) + leaf.postings.map(postingJson).join(',') + rest.slice(at);
}

const EMPTY_POSTINGS = '"postings":[]';

function postingJson(p: LeafPosting): string {
  const s = JSON.stringify;
  return `{"acct":${s(p.acct)},"ccy":${s(p.ccy)},"cr":${s(p.cr)},"dr":${s(p.dr)}}`;
}

function fail(message: string): never {
  throw new TransparencyError(TransparencyErrorCode.InvalidLeaf, message);
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Parses and checks a leaf: canonical bytes, known version, well-formed fields. */
export function parseLeaf(data: string): LedgerLeaf {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    fail('leaf is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('leaf is not an object');
  if (canonicalJson(raw as JsonValue) !== data) fail('leaf is not in canonical form');
  const o = raw as Record<string, unknown>;
  if (!KNOWN_VERSIONS.includes(o.v as number)) fail(`unknown leaf format version ${String(o.v)}`);
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) fail('seq');
  if (!isString(o.tx) || !isString(o.at) || !isString(o.kind)) fail('tx, at and kind are strings');
  if (Number.isNaN(Date.parse(o.at))) fail('at is not a date');
  for (const k of ['ref', 'pending', 'reverses'] as const)
    if (o[k] !== undefined && !isString(o[k])) fail(`${k} is a string`);
  if (o.flow !== undefined && !['pending', 'post_pending', 'void_pending'].includes(o.flow as string))
    fail('flow');
  if (o.policy !== undefined && !Number.isSafeInteger(o.policy)) fail('policy');
  if (o.party !== undefined) {
    const p = o.party as Record<string, unknown>;
    const ok =
      (p?.type === 'public_body' && isString(p.id) && isString(p.name)) ||
      (p?.type === 'donor' && isString(p.commitment) && /^[0-9a-f]{64}$/.test(p.commitment));
    if (!ok) fail('party');
  }
  if (o.meta !== undefined && (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta)))
    fail('meta');
  if (o.v === 2) assertNoPersonalMeta(o.meta as Record<string, unknown> | undefined);
  const known = new Set([
    'v',
    'seq',
    'tx',
    'at',
    'kind',
    'ref',
    'flow',
    'pending',
    'reverses',
    'policy',
    'party',
    'meta',
    'postings',
  ]);
  for (const key of Object.keys(o)) if (!known.has(key)) fail(`unknown field ${key}`);
  if (!Array.isArray(o.postings) || o.postings.length < 2) fail('an entry has at least two postings');
  for (const p of o.postings as Record<string, unknown>[]) {
    if (!isString(p.acct) || !isString(p.ccy) || !isString(p.dr) || !isString(p.cr))
      fail('posting fields are strings');
    if (!DECIMAL.test(p.dr) || !DECIMAL.test(p.cr)) fail('posting amounts are decimal strings');
    if ((p.dr === '0') === (p.cr === '0')) fail('a posting is either a debit or a credit');
  }
  return o as unknown as LedgerLeaf;
}

/** A fresh 32-byte salt for a private donor's commitment. */
export function newCommitmentSalt(): Buffer {
  return randomBytes(32);
}

/**
 * Salted commitment to a donor: SHA-256(salt ‖ identity). Erasing the donor deletes the data
 * and the salt; the commitment in the leaf then reveals nothing and the log still verifies.
 */
export function donorCommitment(salt: Uint8Array, identity: string): string {
  if (salt.length !== 32)
    throw new TransparencyError(TransparencyErrorCode.InvalidLeaf, 'a salt has 32 bytes');
  return createHash('sha256').update(salt).update(Buffer.from(identity, 'utf8')).digest('hex');
}

/**
 * The pseudonym shown for a donor commitment that has no row outside the log (the public view
 * derives it from the commitment, which is public already).
 */
export function donorPseudonym(commitment: string): string {
  return `donor-${commitment.slice(0, 12)}`;
}
