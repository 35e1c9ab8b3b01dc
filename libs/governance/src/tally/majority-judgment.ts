import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { byteCompare, invalidInput, validateCollegeWeights } from './college-weights';
import { gcd, lcm, Rational } from './rational';

export const MAJORITY_JUDGMENT_ALGORITHM = 'majority-judgment-lower-median-v1';

/** Candidate → integer grade, higher is better; every ballot grades every candidate. */
export type GradeBallot = Readonly<Record<string, number>>;

export interface MajorityJudgmentInput {
  readonly grades: { readonly min: number; readonly max: number };
  readonly candidates: readonly string[];
  /** Either plain ballots (each counts once)… */
  readonly ballots?: readonly GradeBallot[];
  /** …or ballots by college, each weighing weightBp / n_c. */
  readonly colleges?: readonly {
    readonly id: string;
    readonly weightBp: number;
    readonly ballots: readonly GradeBallot[];
  }[];
}

export interface Gauge {
  readonly median: number;
  readonly sign: '+' | '-';
  readonly share: string;
}

/** A run of the majority-value sequence: `count` copies of `grade`. */
export interface GradeRun {
  readonly grade: number;
  readonly count: bigint;
}

export interface MajorityJudgmentResult {
  readonly multiplicities: Record<string, string> | null;
  /** Grades per candidate (after replication). */
  readonly N: string;
  readonly medians: Record<string, number>;
  readonly gauges: Record<string, Gauge>;
  /** Grade histograms (index 0 = grades.min), counts as decimal strings. */
  readonly histograms: Record<string, string[]>;
  readonly ranking: string[][];
}

/** Lower median of a histogram: the first grade whose cumulative count reaches ⌈N/2⌉. */
export function lowerMedianIndex(hist: readonly bigint[], total: bigint): number {
  const need = (total + 1n) / 2n;
  let cum = 0n;
  for (let g = 0; g < hist.length; g++) {
    cum += hist[g];
    if (cum >= need) return g;
  }
  throw invalidInput('empty histogram');
}

/**
 * The majority-value sequence as runs: repeatedly take the lower median and remove one copy.
 * Consecutive removals at the same grade are jumped over in one step (binary search), so the
 * cost depends on the number of grades, not on N.
 */
export function majorityValueRuns(histogram: readonly bigint[]): GradeRun[] {
  const h = [...histogram];
  let total = h.reduce((s, v) => s + v, 0n);
  const runs: GradeRun[] = [];
  while (total > 0n) {
    const g = lowerMedianIndex(h, total);
    let below = 0n;
    for (let i = 0; i < g; i++) below += h[i];
    const at = h[g];
    // Largest k ≥ 1 such that for every j < k the median after j removals is still g:
    // below < ⌈(total−j)/2⌉ ≤ below + at − j. Both sides are monotone in j.
    const holds = (j: bigint): boolean => {
      const need = (total - j + 1n) / 2n;
      return at - j >= 1n && below < need && below + at - j >= need;
    };
    let lo = 0n; // holds(lo) is true
    let hi = at; // holds(hi) is false (at − at = 0 copies left)
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (holds(mid)) lo = mid;
      else hi = mid;
    }
    const k = lo + 1n;
    const last = runs[runs.length - 1];
    if (last && last.grade === g) runs[runs.length - 1] = { grade: g, count: last.count + k };
    else runs.push({ grade: g, count: k });
    h[g] -= k;
    total -= k;
  }
  return runs;
}

/** Lexicographic comparison of two run-length sequences: > 0 when `a` is better. */
export function compareRuns(a: readonly GradeRun[], b: readonly GradeRun[]): number {
  let i = 0;
  let j = 0;
  let ra = a[0]?.count ?? 0n;
  let rb = b[0]?.count ?? 0n;
  while (i < a.length && j < b.length) {
    if (a[i].grade !== b[j].grade) return a[i].grade - b[j].grade;
    const step = ra < rb ? ra : rb;
    ra -= step;
    rb -= step;
    if (ra === 0n && ++i < a.length) ra = a[i].count;
    if (rb === 0n && ++j < b.length) rb = b[j].count;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

export function expandRuns(runs: readonly GradeRun[], offset = 0, limit = 1_000_000): number[] {
  const out: number[] = [];
  for (const r of runs) {
    if (BigInt(out.length) + r.count > BigInt(limit)) throw invalidInput('sequence too long to expand');
    for (let k = 0n; k < r.count; k++) out.push(r.grade + offset);
  }
  return out;
}

/**
 * Majority Judgment with the Balinski–Laraki lower median and the full tie-break (reference §3.6).
 * College weighting replicates each ballot of college c m_c = (w_c·L/n_c)/g times (histograms, not lists).
 */
export function tallyMajorityJudgment(
  input: MajorityJudgmentInput,
): MajorityJudgmentResult & { sequences: Record<string, GradeRun[]> } {
  const { min, max } = input.grades;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max)
    throw invalidInput('grades must be integers with min ≤ max');
  const candidates = input.candidates;
  if (new Set(candidates).size !== candidates.length || candidates.length === 0)
    throw invalidInput('candidates must be unique and non-empty');
  const known = new Set(candidates);

  let groups: { id: string; mult: bigint; ballots: readonly GradeBallot[] }[];
  let multiplicities: Record<string, string> | null = null;
  if (input.colleges) {
    validateCollegeWeights(input.colleges);
    const voting = input.colleges.filter((c) => c.ballots.length > 0);
    const L = voting.reduce((l, c) => lcm(l, BigInt(c.ballots.length)), 1n);
    const raw = voting.map((c) => (BigInt(c.weightBp) * L) / BigInt(c.ballots.length));
    const g = raw.reduce((a, b) => gcd(a, b), 0n) || 1n;
    groups = input.colleges.map((c) => {
      const k = voting.indexOf(c);
      return { id: c.id, mult: k < 0 ? 0n : raw[k] / g, ballots: c.ballots };
    });
    multiplicities = {};
    for (const x of groups) multiplicities[x.id] = x.mult.toString();
  } else {
    groups = [{ id: '', mult: 1n, ballots: input.ballots ?? [] }];
  }

  const size = max - min + 1;
  const hist = new Map<string, bigint[]>(candidates.map((c) => [c, new Array<bigint>(size).fill(0n)]));
  for (const group of groups) {
    for (const ballot of group.ballots) {
      for (const key of Object.keys(ballot)) {
        if (!known.has(key))
          throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown candidate "${key}"`);
      }
      for (const c of candidates) {
        const grade = ballot[c];
        if (grade === undefined) throw invalidInput(`a ballot does not grade "${c}"`);
        if (!Number.isSafeInteger(grade) || grade < min || grade > max)
          throw invalidInput(`grade ${grade} of "${c}" is out of range`);
        hist.get(c)![grade - min] += group.mult;
      }
    }
  }
  const N = hist.get(candidates[0])!.reduce((s, v) => s + v, 0n);
  if (N === 0n) throw invalidInput('no ballots');

  const medians: Record<string, number> = {};
  const gauges: Record<string, Gauge> = {};
  const sequences: Record<string, GradeRun[]> = {};
  const histograms: Record<string, string[]> = {};
  for (const c of candidates) {
    const h = hist.get(c)!;
    const m = lowerMedianIndex(h, N);
    let below = 0n;
    let above = 0n;
    h.forEach((v, i) => {
      if (i < m) below += v;
      if (i > m) above += v;
    });
    medians[c] = m + min;
    gauges[c] =
      above > below
        ? { median: m + min, sign: '+', share: Rational.of(above, N).toString() }
        : { median: m + min, sign: '-', share: Rational.of(below, N).toString() };
    sequences[c] = majorityValueRuns(h).map((r) => ({ grade: r.grade + min, count: r.count }));
    histograms[c] = h.map((v) => v.toString());
  }
  const sorted = [...candidates].sort((a, b) => compareRuns(sequences[b], sequences[a]) || byteCompare(a, b));
  const ranking: string[][] = [];
  for (const c of sorted) {
    const tier = ranking[ranking.length - 1];
    if (tier && compareRuns(sequences[tier[0]], sequences[c]) === 0) tier.push(c);
    else ranking.push([c]);
  }
  return { multiplicities, N: N.toString(), medians, gauges, histograms, ranking, sequences };
}
