import { GovernanceError, GovernanceErrorCode } from '../governance.errors';

/** An active proxy for one vote: `principal` lets `holder` vote in its place. */
export interface ProxyGrant {
  readonly principal: string;
  readonly holder: string;
  readonly college: string;
}

export interface NewProxy {
  readonly principal: string;
  readonly principalCollege: string | null;
  readonly holder: string;
  readonly holderCollege: string | null;
}

/** Default cap from the SCOP rule (reference §6): 1 under 20 members, else ⌊members/20⌋. */
export function defaultProxyCap(collegeMembers: number): number {
  return collegeMembers < 20 ? 1 : Math.floor(collegeMembers / 20);
}

function invalidProxy(message: string, details: Record<string, unknown> = {}): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidProxy, message, details);
}

/**
 * Checks a new proxy against the active ones of the same vote (reference §6): both members of
 * the same college, not to oneself, one proxy per principal, never transitive (a holder cannot
 * delegate, a principal cannot hold), at most `cap` proxies per holder. Throws `InvalidProxy`.
 */
export function checkNewProxy(active: readonly ProxyGrant[], proxy: NewProxy, cap: number): void {
  if (proxy.principalCollege === null) throw invalidProxy('the principal is not a member of a college');
  if (proxy.holderCollege === null) throw invalidProxy('the proxy holder is not a member of a college');
  if (proxy.principal === proxy.holder) throw invalidProxy('a member cannot hold its own proxy');
  if (proxy.principalCollege !== proxy.holderCollege) {
    throw invalidProxy('a proxy can only go to a member of the same college', {
      principalCollege: proxy.principalCollege,
      holderCollege: proxy.holderCollege,
    });
  }
  if (active.some((p) => p.principal === proxy.principal))
    throw invalidProxy('the principal has already given a proxy for this vote');
  if (active.some((p) => p.principal === proxy.holder))
    throw invalidProxy('the holder has delegated its own vote: proxies are not transitive');
  if (active.some((p) => p.holder === proxy.principal))
    throw invalidProxy('the principal holds proxies: proxies are not transitive');
  const held = active.filter((p) => p.holder === proxy.holder).length;
  if (held >= cap) throw invalidProxy(`the holder already holds ${held} proxies (cap ${cap})`, { cap });
}

export interface CastBallot<C = unknown> {
  /** The member whose vote this is (the principal when cast by proxy). */
  readonly voter: string;
  /** Who cast it: the voter itself, or its proxy holder. */
  readonly castBy: string;
  readonly choice: C;
}

/**
 * The ballots that count, one per voter: the voter's own last ballot if it voted itself (its own
 * vote overrides the proxy), otherwise the last ballot its proxy holder cast for it while the
 * proxy was active (`active` holds the proxies still in force at the close). Input in chain order.
 */
export function countedBallots<B extends CastBallot>(
  ballots: readonly B[],
  active: readonly ProxyGrant[],
): B[] {
  const holderOf = new Map(active.map((p) => [p.principal, p.holder]));
  const own = new Map<string, B>();
  const byProxy = new Map<string, B>();
  for (const b of ballots) {
    if (b.castBy === b.voter) own.set(b.voter, b);
    else if (holderOf.get(b.voter) === b.castBy) byProxy.set(b.voter, b);
  }
  const out: B[] = [];
  const seen = new Set<string>();
  for (const b of ballots) {
    if (seen.has(b.voter)) continue;
    const chosen = own.get(b.voter) ?? byProxy.get(b.voter);
    if (chosen) {
      out.push(chosen);
      seen.add(b.voter);
    }
  }
  return out;
}
