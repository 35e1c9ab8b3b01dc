import { allocate } from '@app/money';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { invalidInput, validateCollegeWeights } from './college-weights';
import { lcm, Rational } from './rational';

export const FUNDING_ROUND_ALGORITHM = 'wcpp-v1';
/** The number of points every counted ballot spreads. */
export const BALLOT_POINTS = 100;

/** Project id → integer points ≥ 0; a missing project is 0 points. */
export type PointsBallot = Readonly<Record<string, number>>;

export interface FundingProjectInput {
  readonly id: string;
  /** Cap in cents as a decimal string, or null. */
  readonly cap: string | null;
}

export interface FundingCollegeInput {
  readonly id: string;
  readonly weightBp: number;
  readonly ballots: readonly PointsBallot[];
}

export interface FundingRoundInput {
  /** Cents, decimal string. */
  readonly pool: string;
  readonly projects: readonly FundingProjectInput[];
  /** "N/D" or null (0). */
  readonly threshold: string | null;
  readonly colleges: readonly FundingCollegeInput[];
}

export interface FundingCollegeResult {
  readonly n: number;
  readonly participating: boolean;
  readonly q: Record<string, string> | null;
}

export interface FundingRoundResult {
  readonly Q: Record<string, string>;
  readonly eligible: string[];
  readonly capped: string[];
  readonly exact: Record<string, string>;
  readonly cents: Record<string, string>;
  readonly leftover: string;
  readonly perCollege: Record<string, FundingCollegeResult>;
}

export interface FundingRoundAuditRecord {
  readonly kind: 'funding-round';
  readonly algorithm: typeof FUNDING_ROUND_ALGORITHM;
  readonly inputs: FundingRoundInput;
  readonly result: FundingRoundResult;
}

/**
 * Checks one 100-point ballot against the candidate list. Returns its total (100 or 0).
 * Throws `UnknownCandidate`, `NegativePoints` or `BallotTotal` — the errors the API maps to 422.
 */
export function validatePointsBallot(
  ballot: PointsBallot,
  projectIds: ReadonlySet<string> | ReadonlyMap<string, unknown>,
): number {
  if (ballot === null || typeof ballot !== 'object' || Array.isArray(ballot))
    throw invalidInput('a ballot must be an object of points');
  let total = 0;
  for (const id of Object.keys(ballot)) {
    const pts = ballot[id];
    if (!projectIds.has(id))
      throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown project "${id}"`, {
        project: id,
      });
    if (typeof pts !== 'number' || !Number.isSafeInteger(pts) || pts < 0) {
      throw new GovernanceError(
        GovernanceErrorCode.NegativePoints,
        `points for "${id}" must be an integer ≥ 0`,
        { project: id },
      );
    }
    total += pts;
  }
  if (total !== BALLOT_POINTS && total !== 0) {
    throw new GovernanceError(
      GovernanceErrorCode.BallotTotal,
      `a ballot must total ${BALLOT_POINTS} points (or 0 to abstain), not ${total}`,
      {
        total,
      },
    );
  }
  return total;
}

/**
 * Divisible funding round (reference §3.4, test-vectors README `funding-round.json`): per-college
 * average shares weighted by college weights, optional threshold, caps by water-filling, cents by
 * the allocator. Linear in the number of ballot entries; every fraction is exact.
 */
export function tallyFundingRound(input: FundingRoundInput): FundingRoundResult {
  validateCollegeWeights(input.colleges);
  if (!/^\d+$/.test(input.pool)) throw invalidInput('pool must be a decimal string of cents ≥ 0');
  const pool = BigInt(input.pool);
  const threshold = input.threshold === null ? Rational.ZERO : Rational.parse(input.threshold);

  const index = new Map<string, number>();
  const caps: (bigint | null)[] = [];
  input.projects.forEach((p, i) => {
    if (typeof p.id !== 'string' || p.id.length === 0) throw invalidInput('a project needs an id');
    if (index.has(p.id)) throw invalidInput(`duplicate project "${p.id}"`);
    index.set(p.id, i);
    if (p.cap !== null && !/^\d+$/.test(p.cap))
      throw invalidInput(`cap of "${p.id}" must be a decimal string of cents`);
    caps.push(p.cap === null ? null : BigInt(p.cap));
  });
  const P = input.projects.length;

  // 1–2. Points per college and project (integers), counted ballots per college.
  const colleges = input.colleges.map((c) => {
    const sums = new Array<number>(P).fill(0);
    let n = 0;
    for (const ballot of c.ballots) {
      if (validatePointsBallot(ballot, index) === 0) continue;
      n += 1;
      for (const id in ballot) sums[index.get(id)!] += ballot[id];
    }
    return { c, sums, n };
  });
  const participating = colleges.filter((x) => x.n > 0);
  const wP = BigInt(participating.reduce((s, x) => s + x.c.weightBp, 0));

  // 3. Q[j] = Σ w_c · sums_cj / (100 n_c) / W_P, all over one common denominator D.
  const L = participating.reduce((l, x) => lcm(l, BigInt(x.n)), 1n);
  const D = wP * BigInt(BALLOT_POINTS) * L;
  const num = new Array<bigint>(P).fill(0n);
  for (const x of participating) {
    const factor = BigInt(x.c.weightBp) * (L / BigInt(x.n));
    for (let j = 0; j < P; j++) if (x.sums[j] !== 0) num[j] += factor * BigInt(x.sums[j]);
  }
  const Q = num.map((v) => (D === 0n ? Rational.ZERO : Rational.of(v, D)));

  // 4. Threshold.
  const eligible: number[] = [];
  for (let j = 0; j < P; j++) if (num[j] > 0n && Q[j].gte(threshold)) eligible.push(j);

  // 5. Water-filling on integer weights num[j] (same ratios as Q).
  let active = eligible;
  let R = pool;
  const fixed = new Set<number>();
  while (active.length > 0) {
    const sumW = active.reduce((s, j) => s + num[j], 0n);
    const violators = active.filter((j) => caps[j] !== null && R * num[j] > caps[j]! * sumW);
    if (violators.length === 0) break;
    for (const j of violators) {
      fixed.add(j);
      R -= caps[j]!;
    }
    active = active.filter((j) => !fixed.has(j));
  }
  const sumActive = active.reduce((s, j) => s + num[j], 0n);

  // 6. Cents: caps for fixed projects, the allocator for the others (floor, then the remaining
  //    cents by fractional part, then larger Q, then id — exactly allocate()'s tie-break).
  const cents = new Array<bigint>(P).fill(0n);
  const exact = new Array<Rational>(P).fill(Rational.ZERO);
  for (const j of fixed) {
    cents[j] = caps[j]!;
    exact[j] = Rational.of(caps[j]!);
  }
  if (active.length > 0) {
    for (const j of active) exact[j] = Rational.of(R * num[j], sumActive);
    const parts = allocate(
      R,
      active.map((j) => ({ key: input.projects[j].id, weight: num[j] })),
    );
    parts.forEach((part, k) => (cents[active[k]] = part.amount));
  }
  const leftover = pool - cents.reduce((s, v) => s + v, 0n);

  const byId = <T>(f: (j: number) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    input.projects.forEach((p, j) => (out[p.id] = f(j)));
    return out;
  };
  const perCollege: Record<string, FundingCollegeResult> = {};
  for (const x of colleges) {
    perCollege[x.c.id] = {
      n: x.n,
      participating: x.n > 0,
      q: x.n === 0 ? null : byId((j) => Rational.of(x.sums[j], BALLOT_POINTS * x.n).toString()),
    };
  }
  return {
    Q: byId((j) => Q[j].toString()),
    eligible: eligible.map((j) => input.projects[j].id),
    capped: eligible.filter((j) => fixed.has(j)).map((j) => input.projects[j].id),
    exact: byId((j) => exact[j].toString()),
    cents: byId((j) => cents[j].toString()),
    leftover: leftover.toString(),
    perCollege,
  };
}

export function auditFundingRound(input: FundingRoundInput): FundingRoundAuditRecord {
  return {
    kind: 'funding-round',
    algorithm: FUNDING_ROUND_ALGORITHM,
    inputs: input,
    result: tallyFundingRound(input),
  };
}
