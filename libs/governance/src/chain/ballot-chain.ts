import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';

export const BALLOT_CHAIN_ALGORITHM = 'jcs-sha256-chain-v1';

/** SHA-256, lowercase hex, of the RFC 8785 canonical JSON of `value`. */
export function hashCanonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined)
    throw new GovernanceError(GovernanceErrorCode.InvalidInput, 'value cannot be canonicalised');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** 128 random bits as 32 hex digits: without it a for/against/abstain receipt could be inverted. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** One ballot as it enters the chain: the vote, a nonce and the previous link's hash. */
export interface ChainedBallot {
  /** The motion or round id. */
  readonly election: string;
  /** The voter's pseudonymous credential for this vote. */
  readonly credential: string;
  /** "for" | "against" | "abstain", a points map, grades…: any JSON without floats. */
  readonly choice: unknown;
  readonly nonce: string;
  /** Hash of the previous ballot in the chain, or the genesis hash (the vote's manifest). */
  readonly previous: string;
}

export interface ChainLink {
  readonly ballot: ChainedBallot;
  /** SHA-256 of the ballot's canonical JSON: the voter's receipt, and the next ballot's `previous`. */
  readonly receipt: string;
}

export function sealBallot(
  vote: { election: string; credential: string; choice: unknown },
  previous: string,
  nonce: string = newNonce(),
): ChainLink {
  const ballot: ChainedBallot = {
    election: vote.election,
    credential: vote.credential,
    choice: vote.choice,
    nonce,
    previous,
  };
  return { ballot, receipt: hashCanonical(ballot) };
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly head: string;
  readonly length: number;
  readonly problems: string[];
}

/**
 * Checks a published chain: every ballot hashes to its receipt, links to the one before it (the
 * first to `genesis`), and, if given, the chain ends at `expectedHead`.
 */
export function verifyChain(
  genesis: string,
  links: readonly ChainLink[],
  expectedHead?: string,
): ChainVerification {
  const problems: string[] = [];
  let previous = genesis;
  links.forEach((link, height) => {
    const actual = hashCanonical(link.ballot);
    if (actual !== link.receipt)
      problems.push(`ballot ${height}: hash ${actual} differs from its receipt ${link.receipt}`);
    if (link.ballot.previous !== previous)
      problems.push(`ballot ${height}: previous ${link.ballot.previous} should be ${previous}`);
    previous = link.receipt;
  });
  if (expectedHead !== undefined && previous !== expectedHead)
    problems.push(`the chain ends at ${previous}, not at the published head ${expectedHead}`);
  return { ok: problems.length === 0, head: previous, length: links.length, problems };
}

export interface ReceiptVerification {
  readonly ok: boolean;
  /** 0-based position of the receipt in the chain, when found. */
  readonly height: number | null;
  /** Whether this ballot is the last one of its credential (the one that counts). */
  readonly counted: boolean;
  readonly problems: string[];
}

/** A voter's check: the chain verifies and holds the receipt; says whether a later ballot superseded it. */
export function verifyReceipt(
  receipt: string,
  genesis: string,
  links: readonly ChainLink[],
  expectedHead?: string,
): ReceiptVerification {
  const chain = verifyChain(genesis, links, expectedHead);
  const height = links.findIndex((l) => l.receipt === receipt);
  if (height < 0)
    return {
      ok: false,
      height: null,
      counted: false,
      problems: [...chain.problems, `receipt ${receipt} is not in the chain`],
    };
  const credential = links[height].ballot.credential;
  const counted = !links.slice(height + 1).some((l) => l.ballot.credential === credential);
  return { ok: chain.ok, height, counted, problems: chain.problems };
}

/** The last ballot of every credential, in chain order (Belenios `last(B)`). */
export function lastBallots(links: readonly ChainLink[]): ChainLink[] {
  const last = new Map<string, number>();
  links.forEach((l, i) => last.set(l.ballot.credential, i));
  return links.filter((l, i) => last.get(l.ballot.credential) === i);
}
