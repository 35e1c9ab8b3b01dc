import { invalidInput, isCount, TOTAL_WEIGHT_BP, validateCollegeWeights } from './college-weights';
import { Rational } from './rational';

export const MOTION_TALLY_ALGORITHM = 'wcp-v1';

export type MajorityRule =
  { kind: 'simple' } | { kind: 'absolute' } | { kind: 'qualified'; num: number; den: number };
export type AbstentionPolicy = 'excluded' | 'countsAsAgainst';
export type EmptyCollegePolicy = 'redistribute' | 'countsAsAgainst' | 'noDecision';
export type CollegeAggregation = 'proportional' | 'bloc';

export interface RequiredCollegeMajorities {
  readonly colleges: readonly string[] | null;
  readonly atLeast: number | null;
}

export interface MotionPolicies {
  readonly majority: MajorityRule;
  readonly abstentionPolicy: AbstentionPolicy;
  readonly emptyCollegePolicy: EmptyCollegePolicy;
  readonly collegeAggregation: CollegeAggregation;
  /** "N/D" on weighted turnout, or null. */
  readonly globalQuorum: string | null;
  readonly requiredCollegeMajorities: RequiredCollegeMajorities | null;
}

export interface MotionCollegeInput {
  readonly id: string;
  readonly weightBp: number;
  readonly for: number;
  readonly against: number;
  readonly abstain: number;
  readonly eligible: number;
  /** Turnout quorum "N/D", or null. */
  readonly quorum: string | null;
}

export interface MotionTallyInput {
  readonly colleges: readonly MotionCollegeInput[];
  readonly policies: MotionPolicies;
}

export type MotionOutcome = 'PASSED' | 'REJECTED' | 'NO_DECISION';

export interface MotionCollegeResult {
  readonly id: string;
  readonly weightBp: number;
  readonly for: number;
  readonly against: number;
  readonly abstain: number;
  readonly eligible: number;
  readonly cast: number;
  /** The denominator of p. */
  readonly X: number;
  readonly turnout: string;
  readonly p: string | null;
  readonly quorum: string | null;
  readonly meetsQuorum: boolean;
  readonly participating: boolean;
  /** Whether the college is counted in S (participating, or kept at p = 0 by countsAsAgainst). */
  readonly counted: boolean;
  readonly inFavour: boolean;
}

export interface MotionTallyResult {
  readonly outcome: MotionOutcome;
  /** Why the outcome is what it is, for people. */
  readonly reason: string;
  readonly S: string | null;
  readonly weightedTurnout: string;
  /** Sum of the weights counted in S (W_P), or null when no S was computed. */
  readonly countedWeightBp: number | null;
  readonly threshold: string;
  readonly perCollege: readonly MotionCollegeResult[];
}

/** What anyone needs to recompute a motion result: the inputs, the policies, every fraction and the outcome. */
export interface MotionAuditRecord {
  readonly kind: 'motion';
  readonly algorithm: typeof MOTION_TALLY_ALGORITHM;
  readonly inputs: MotionTallyInput;
  readonly policies: MotionPolicies;
  readonly result: MotionTallyResult;
}

function validate(input: MotionTallyInput): void {
  validateCollegeWeights(input.colleges);
  for (const c of input.colleges) {
    for (const [name, v] of [
      ['for', c.for],
      ['against', c.against],
      ['abstain', c.abstain],
      ['eligible', c.eligible],
    ] as const) {
      if (!isCount(v)) throw invalidInput(`college "${c.id}": ${name} must be an integer ≥ 0`);
    }
    if (c.for + c.against + c.abstain > c.eligible)
      throw invalidInput(`college "${c.id}": more votes cast than eligible members`);
    if (c.quorum !== null) Rational.parse(c.quorum);
  }
  const p = input.policies;
  if (p.majority.kind === 'qualified') {
    const { num, den } = p.majority;
    if (!isCount(num) || !isCount(den) || den === 0 || num > den)
      throw invalidInput('qualified majority must be a fraction a/b with 0 ≤ a ≤ b');
  } else if (p.majority.kind !== 'simple' && p.majority.kind !== 'absolute') {
    throw invalidInput('unknown majority kind');
  }
  if (!['excluded', 'countsAsAgainst'].includes(p.abstentionPolicy))
    throw invalidInput('unknown abstention policy');
  if (!['redistribute', 'countsAsAgainst', 'noDecision'].includes(p.emptyCollegePolicy))
    throw invalidInput('unknown empty-college policy');
  if (!['proportional', 'bloc'].includes(p.collegeAggregation))
    throw invalidInput('unknown college aggregation');
  if (p.globalQuorum !== null) Rational.parse(p.globalQuorum);
  const req = p.requiredCollegeMajorities;
  if (req) {
    const ids = new Set(input.colleges.map((c) => c.id));
    for (const id of req.colleges ?? [])
      if (!ids.has(id)) throw invalidInput(`required college "${id}" does not exist`);
    if (req.atLeast !== null && (!isCount(req.atLeast) || req.atLeast > input.colleges.length)) {
      throw invalidInput('atLeast must be between 0 and the number of colleges');
    }
  }
}

/**
 * Weighted college proportional tally of a motion (reference §3.3, test-vectors README rules):
 * per-college shares as exact fractions, college and global quorums, abstention and
 * empty-college policies, proportional or bloc aggregation, the majority test and an optional
 * double majority. Pure: the same input always gives the same result.
 */
export function tallyMotion(input: MotionTallyInput): MotionTallyResult {
  validate(input);
  const { policies } = input;
  const absolute = policies.majority.kind === 'absolute';
  const threshold =
    policies.majority.kind === 'qualified'
      ? Rational.of(policies.majority.num, policies.majority.den)
      : Rational.HALF;

  const rows = input.colleges.map((c) => {
    const cast = c.for + c.against + c.abstain;
    const turnout = c.eligible === 0 ? Rational.ZERO : Rational.of(cast, c.eligible);
    const X = absolute ? c.eligible : policies.abstentionPolicy === 'excluded' ? c.for + c.against : cast;
    const p = X === 0 ? null : Rational.of(c.for, X);
    const quorum = c.quorum === null ? null : Rational.parse(c.quorum);
    const meetsQuorum = quorum === null || turnout.gte(quorum);
    const participating = X > 0 && meetsQuorum;
    return { c, cast, turnout, X, p, quorum, meetsQuorum, participating };
  });

  let weightedTurnout = Rational.ZERO;
  for (const r of rows) weightedTurnout = weightedTurnout.add(Rational.of(r.c.weightBp).mul(r.turnout));
  weightedTurnout = weightedTurnout.div(Rational.of(TOTAL_WEIGHT_BP));

  const counted = (r: (typeof rows)[number]): boolean =>
    r.participating || policies.emptyCollegePolicy === 'countsAsAgainst';
  const inFavour = (r: (typeof rows)[number]): boolean =>
    r.participating && r.p !== null && r.p.gt(Rational.HALF);

  const perCollege: MotionCollegeResult[] = rows.map((r) => ({
    id: r.c.id,
    weightBp: r.c.weightBp,
    for: r.c.for,
    against: r.c.against,
    abstain: r.c.abstain,
    eligible: r.c.eligible,
    cast: r.cast,
    X: r.X,
    turnout: r.turnout.toString(),
    p: r.p === null ? null : r.p.toString(),
    quorum: r.quorum === null ? null : r.quorum.toString(),
    meetsQuorum: r.meetsQuorum,
    participating: r.participating,
    counted: counted(r),
    inFavour: inFavour(r),
  }));
  const base = { weightedTurnout: weightedTurnout.toString(), threshold: threshold.toString(), perCollege };
  const noDecision = (reason: string): MotionTallyResult => ({
    outcome: 'NO_DECISION',
    reason,
    S: null,
    countedWeightBp: null,
    ...base,
  });

  const notParticipating = rows.filter((r) => !r.participating).map((r) => r.c.id);
  if (policies.emptyCollegePolicy === 'noDecision' && notParticipating.length > 0) {
    return noDecision(
      `colleges not participating under the noDecision policy: ${notParticipating.join(', ')}`,
    );
  }
  if (rows.every((r) => !r.participating)) return noDecision('no college participates');
  if (policies.globalQuorum !== null && weightedTurnout.lt(Rational.parse(policies.globalQuorum))) {
    return noDecision(
      `weighted turnout ${weightedTurnout} is below the global quorum ${policies.globalQuorum}`,
    );
  }

  const countedRows = rows.filter(counted);
  const wP = countedRows.reduce((s, r) => s + r.c.weightBp, 0);
  let S: Rational;
  if (policies.collegeAggregation === 'proportional') {
    let sum = Rational.ZERO;
    for (const r of countedRows) {
      const p = r.participating && r.p !== null ? r.p : Rational.ZERO;
      sum = sum.add(Rational.of(r.c.weightBp).mul(p));
    }
    S = sum.div(Rational.of(wP));
  } else {
    const favour = countedRows.filter(inFavour).reduce((s, r) => s + r.c.weightBp, 0);
    S = Rational.of(favour, wP);
  }

  const passesMajority = policies.majority.kind === 'qualified' ? S.gte(threshold) : S.gt(threshold);
  const decided = (outcome: MotionOutcome, reason: string): MotionTallyResult => ({
    outcome,
    reason,
    S: S.toString(),
    countedWeightBp: wP,
    ...base,
  });
  const cmp = policies.majority.kind === 'qualified' ? '≥' : '>';
  if (!passesMajority) return decided('REJECTED', `S = ${S} is not ${cmp} ${threshold}`);

  const req = policies.requiredCollegeMajorities;
  if (req) {
    for (const id of req.colleges ?? []) {
      const r = rows.find((x) => x.c.id === id);
      if (!r || !inFavour(r))
        return decided('REJECTED', `required college "${id}" has no majority in favour`);
    }
    if (req.atLeast !== null) {
      const n = rows.filter(inFavour).length;
      if (n < req.atLeast) return decided('REJECTED', `${n} colleges in favour, ${req.atLeast} required`);
    }
  }
  return decided('PASSED', `S = ${S} ${cmp} ${threshold}`);
}

/** The tally plus its audit record, in one call. */
export function auditMotion(input: MotionTallyInput): MotionAuditRecord {
  const result = tallyMotion(input);
  return {
    kind: 'motion',
    algorithm: MOTION_TALLY_ALGORITHM,
    inputs: input,
    policies: input.policies,
    result,
  };
}
