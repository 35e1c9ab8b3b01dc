import { isDeepStrictEqual } from 'node:util';
import { invalidInput } from './college-weights';
import { FUNDING_ROUND_ALGORITHM, FundingRoundInput, tallyFundingRound } from './funding-round';
import {
  MAJORITY_JUDGMENT_ALGORITHM,
  MajorityJudgmentInput,
  tallyMajorityJudgment,
} from './majority-judgment';
import { MOTION_TALLY_ALGORITHM, MotionTallyInput, tallyMotion } from './motion-tally';
import { SCHULZE_ALGORITHM, SchulzeInput, tallySchulze } from './schulze';

type AuditKind = 'motion' | 'funding-round' | 'majority-judgment' | 'schulze';

/** Each kind of published audit record: its algorithm and the function that recomputes its result. */
const RECOMPUTERS: Record<AuditKind, { algorithm: string; tally: (inputs: never) => unknown }> = {
  motion: { algorithm: MOTION_TALLY_ALGORITHM, tally: (i: MotionTallyInput) => tallyMotion(i) },
  'funding-round': {
    algorithm: FUNDING_ROUND_ALGORITHM,
    tally: (i: FundingRoundInput) => tallyFundingRound(i),
  },
  // The published Majority Judgment result leaves out the majority-value sequences (they follow from the histograms).
  'majority-judgment': {
    algorithm: MAJORITY_JUDGMENT_ALGORITHM,
    tally: (i: MajorityJudgmentInput) => {
      const { sequences: _s, ...result } = tallyMajorityJudgment(i);
      return result;
    },
  },
  schulze: { algorithm: SCHULZE_ALGORITHM, tally: (i: SchulzeInput) => tallySchulze(i) },
};

function isAuditKind(kind: unknown): kind is AuditKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(RECOMPUTERS, kind);
}

/** A ranked motion closed without any ballot publishes a null result: true only if no college holds a ballot. */
function hasNoBallots(inputs: unknown): boolean {
  const colleges = (inputs as { colleges?: { ballots?: unknown[] }[] } | null)?.colleges;
  return Array.isArray(colleges) && colleges.every((c) => Array.isArray(c.ballots) && c.ballots.length === 0);
}

export interface Recomputation {
  readonly kind: AuditKind;
  readonly algorithm: string;
  readonly matches: boolean;
  /** Top-level result fields whose recomputed value differs from the published one. */
  readonly differences: string[];
  readonly published: unknown;
  readonly recomputed: unknown;
}

/**
 * Recomputes a published audit record (a weighted motion, a funding round, a Majority Judgment or
 * a Schulze motion) from its inputs and says whether the published result matches. This is what
 * `librery tally <file>` runs.
 */
export function recomputeAudit(record: unknown): Recomputation {
  if (record === null || typeof record !== 'object')
    throw invalidInput('an audit record must be a JSON object');
  const r = record as { kind?: unknown; algorithm?: unknown; inputs?: unknown; result?: unknown };
  if (r.inputs === undefined || r.result === undefined)
    throw invalidInput('an audit record needs "inputs" and "result"');
  if (!isAuditKind(r.kind)) throw invalidInput(`unknown audit record kind "${String(r.kind)}"`);
  const recomputer = RECOMPUTERS[r.kind];
  if (r.result === null && r.algorithm === undefined) {
    // A ranked motion that closed without a ballot: nothing was tallied.
    const matches = (r.kind === 'majority-judgment' || r.kind === 'schulze') && hasNoBallots(r.inputs);
    return {
      kind: r.kind,
      algorithm: recomputer.algorithm,
      matches,
      differences: matches ? [] : ['result'],
      published: null,
      recomputed: null,
    };
  }
  if (r.algorithm !== recomputer.algorithm)
    throw invalidInput(`unknown ${r.kind} algorithm "${String(r.algorithm)}"`);
  const recomputed = recomputer.tally(r.inputs as never);
  const published = r.result as Record<string, unknown>;
  const fresh = JSON.parse(JSON.stringify(recomputed)) as Record<string, unknown>;
  const keys = new Set([...Object.keys(published ?? {}), ...Object.keys(fresh)]);
  const differences = [...keys].filter((k) => !isDeepStrictEqual(published?.[k], fresh[k])).sort();
  return {
    kind: r.kind,
    algorithm: recomputer.algorithm,
    matches: differences.length === 0,
    differences,
    published,
    recomputed: fresh,
  };
}
