import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { byteCompare, invalidInput, validateCollegeWeights } from './college-weights';
import { Rational } from './rational';

export const SCHULZE_ALGORITHM = 'schulze-winning-votes-v1';

export interface RankedBallot {
  readonly count: number;
  /** Tiers, best first; candidates in one tier rank equal; unlisted candidates rank below all. */
  readonly ranking: readonly (readonly string[])[];
}

export interface SchulzeInput {
  readonly candidates: readonly string[];
  readonly ballots?: readonly RankedBallot[];
  readonly colleges?: readonly {
    readonly id: string;
    readonly weightBp: number;
    readonly ballots: readonly RankedBallot[];
  }[];
}

export interface Strength {
  readonly win: Rational;
  readonly lose: Rational;
}

export interface SchulzeResult {
  readonly d: Record<string, Record<string, string>>;
  readonly p: Record<string, Record<string, { win: string; lose: string } | null>>;
  readonly ranking: string[][];
}

/** > 0 when a is stronger; null (no link) is the weakest. */
function compareStrength(a: Strength | null, b: Strength | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return a.win.compare(b.win) || b.lose.compare(a.lose);
}

/** Schulze, winning votes, CIVS/Belenios variant (reference §3.7), with optional college weights w_c / n_c. */
export function tallySchulze(input: SchulzeInput): SchulzeResult {
  const cands = input.candidates;
  const n = cands.length;
  if (n === 0 || new Set(cands).size !== n) throw invalidInput('candidates must be unique and non-empty');
  const index = new Map(cands.map((c, i) => [c, i]));

  let groups: { weight: Rational; ballots: readonly RankedBallot[] }[];
  if (input.colleges) {
    validateCollegeWeights(input.colleges);
    groups = input.colleges.map((c) => {
      const nc = c.ballots.reduce((s, b) => s + b.count, 0);
      return { weight: nc === 0 ? Rational.ZERO : Rational.of(c.weightBp, nc), ballots: c.ballots };
    });
  } else {
    groups = [{ weight: Rational.ONE, ballots: input.ballots ?? [] }];
  }

  const d: Rational[][] = cands.map(() => cands.map(() => Rational.ZERO));
  for (const g of groups) {
    for (const b of g.ballots) {
      if (!Number.isSafeInteger(b.count) || b.count < 0)
        throw invalidInput('a ballot count must be an integer ≥ 0');
      const rank = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
      b.ranking.forEach((tier, t) => {
        for (const c of tier) {
          const i = index.get(c);
          if (i === undefined)
            throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown candidate "${c}"`);
          if (rank[i] !== Number.POSITIVE_INFINITY) throw invalidInput(`candidate "${c}" is ranked twice`);
          rank[i] = t;
        }
      });
      const w = g.weight.mul(Rational.of(b.count));
      if (w.isZero()) continue;
      for (let x = 0; x < n; x++)
        for (let y = 0; y < n; y++) if (x !== y && rank[x] < rank[y]) d[x][y] = d[x][y].add(w);
    }
  }

  const p: (Strength | null)[][] = cands.map((_, x) =>
    cands.map((__, y) => (x !== y && d[x][y].gt(d[y][x]) ? { win: d[x][y], lose: d[y][x] } : null)),
  );
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      for (let j = 0; j < n; j++) {
        if (j === i || j === k) continue;
        const via = compareStrength(p[i][k], p[k][j]) <= 0 ? p[i][k] : p[k][j];
        if (compareStrength(via, p[i][j]) > 0) p[i][j] = via;
      }
    }
  }

  const remaining = new Set(cands.map((_, i) => i));
  const ranking: string[][] = [];
  while (remaining.size > 0) {
    const tier = [...remaining].filter(
      (x) => ![...remaining].some((y) => y !== x && compareStrength(p[y][x], p[x][y]) > 0),
    );
    if (tier.length === 0)
      throw invalidInput('no unbeaten candidate (cannot happen with a transitive beatpath)');
    for (const x of tier) remaining.delete(x);
    ranking.push(tier.map((x) => cands[x]).sort(byteCompare));
  }

  const dOut: SchulzeResult['d'] = {};
  const pOut: SchulzeResult['p'] = {};
  cands.forEach((x, i) => {
    dOut[x] = {};
    pOut[x] = {};
    cands.forEach((y, j) => {
      if (i === j) return;
      dOut[x][y] = d[i][j].toString();
      const s = p[i][j];
      pOut[x][y] = s === null ? null : { win: s.win.toString(), lose: s.lose.toString() };
    });
  });
  return { d: dOut, p: pOut, ranking };
}
