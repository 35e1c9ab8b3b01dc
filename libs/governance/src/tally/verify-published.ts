import { ChainLink, hashCanonical, verifyChain } from '../chain/ballot-chain';
import { Recomputation, recomputeAudit } from './recompute';

export interface PublishedCheck {
  readonly matches: boolean;
  readonly recomputation: Recomputation;
  /** Present when the document carries the ballots and the chain (a results page). */
  readonly chain?: {
    ok: boolean;
    genesisMatchesManifest: boolean;
    head: string;
    length: number;
    problems: string[];
  };
}

/**
 * Checks a published result: either a bare audit record, or a results document
 * (`{manifest, chain, ballots, audit}` as the API publishes it). Recomputes the tally from the
 * audit record's inputs and, when ballots are present, re-hashes the whole chain.
 */
export function verifyPublished(doc: unknown): PublishedCheck {
  const d = (doc ?? {}) as {
    audit?: unknown;
    manifest?: unknown;
    chain?: { genesis: string; head: string; length: number };
    ballots?: { ballot: ChainLink['ballot']; receipt: string }[];
  };
  const record = d.audit !== undefined ? d.audit : doc;
  const recomputation = recomputeAudit(record);
  if (!d.chain || !Array.isArray(d.ballots)) return { matches: recomputation.matches, recomputation };
  const links: ChainLink[] = d.ballots.map((b) => ({ ballot: b.ballot, receipt: b.receipt }));
  const chain = verifyChain(d.chain.genesis, links, d.chain.head);
  const genesisMatchesManifest = d.manifest !== undefined && hashCanonical(d.manifest) === d.chain.genesis;
  const problems = [...chain.problems];
  if (!genesisMatchesManifest) problems.push('the manifest does not hash to the chain genesis');
  if (links.length !== d.chain.length)
    problems.push(`${links.length} ballots published, the chain says ${d.chain.length}`);
  const ok = problems.length === 0;
  return {
    matches: recomputation.matches && ok,
    recomputation,
    chain: { ok, genesisMatchesManifest, head: chain.head, length: links.length, problems },
  };
}
