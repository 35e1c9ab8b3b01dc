import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { byteCompare, invalidInput, validateCollegeWeights } from './college-weights';
import { Rational } from './rational';

export const INDIVISIBLE_ROUND_ALGORITHM = 'weighted-approval-greedy-v1';

export interface IndivisibleRoundInput {
  readonly pool: string;
  readonly projects: readonly { readonly id: string; readonly cost: string }[];
  /** Each ballot is the list of approved project ids; an empty list is an abstention. */
  readonly colleges: readonly {
    readonly id: string;
    readonly weightBp: number;
    readonly ballots: readonly (readonly string[])[];
  }[];
}

export interface IndivisibleRoundResult {
  readonly scores: Record<string, string>;
  readonly order: string[];
  readonly funded: string[];
  readonly leftover: string;
}

/**
 * Indivisible round by weighted approval, greedy (reference §3.5): score = weighted share of
 * approvers; order by score desc, cost asc, id asc; fund a project if it fits, else skip it.
 */
export function tallyIndivisibleRound(input: IndivisibleRoundInput): IndivisibleRoundResult {
  validateCollegeWeights(input.colleges);
  if (!/^\d+$/.test(input.pool)) throw invalidInput('pool must be a decimal string of cents ≥ 0');
  const ids = new Set<string>();
  for (const p of input.projects) {
    if (ids.has(p.id)) throw invalidInput(`duplicate project "${p.id}"`);
    if (!/^\d+$/.test(p.cost)) throw invalidInput(`cost of "${p.id}" must be a decimal string of cents`);
    ids.add(p.id);
  }
  const counts = input.colleges.map((c) => {
    const approvals = new Map<string, number>();
    let n = 0;
    for (const ballot of c.ballots) {
      if (new Set(ballot).size !== ballot.length) throw invalidInput('a ballot approves a project twice');
      for (const id of ballot) {
        if (!ids.has(id))
          throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown project "${id}"`, {
            project: id,
          });
        approvals.set(id, (approvals.get(id) ?? 0) + 1);
      }
      if (ballot.length > 0) n += 1;
    }
    return { c, approvals, n };
  });
  const participating = counts.filter((x) => x.n > 0);
  const wP = participating.reduce((s, x) => s + x.c.weightBp, 0);
  const score = new Map<string, Rational>();
  for (const p of input.projects) {
    let s = Rational.ZERO;
    for (const x of participating)
      s = s.add(Rational.of(BigInt(x.c.weightBp) * BigInt(x.approvals.get(p.id) ?? 0), x.n));
    score.set(p.id, wP === 0 ? Rational.ZERO : s.div(Rational.of(wP)));
  }
  const order = [...input.projects].sort((a, b) => {
    const byScore = score.get(b.id)!.compare(score.get(a.id)!);
    if (byScore !== 0) return byScore;
    const ca = BigInt(a.cost);
    const cb = BigInt(b.cost);
    if (ca !== cb) return ca < cb ? -1 : 1;
    return byteCompare(a.id, b.id);
  });
  let remaining = BigInt(input.pool);
  const funded: string[] = [];
  for (const p of order) {
    const cost = BigInt(p.cost);
    if (cost <= remaining) {
      funded.push(p.id);
      remaining -= cost;
    }
  }
  const scores: Record<string, string> = {};
  for (const p of input.projects) scores[p.id] = score.get(p.id)!.toString();
  return { scores, order: order.map((p) => p.id), funded, leftover: remaining.toString() };
}
