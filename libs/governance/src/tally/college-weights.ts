import { GovernanceError, GovernanceErrorCode } from '../governance.errors';

/** The total of college weights, in basis points. */
export const TOTAL_WEIGHT_BP = 10000;

export interface CollegeWeight {
  readonly id: string;
  readonly weightBp: number;
}

export interface WeightRules {
  /** SCIC-style bounds: every college between 10 % and 50 % (reference §1.1, §3.1). */
  readonly scicBounds?: boolean;
}

/**
 * Checks college weights: unique ids, integer basis points ≥ 0 summing to 10000, and with
 * `scicBounds` every weight within 1000..5000. Throws `InvalidWeights` otherwise.
 */
export function validateCollegeWeights(colleges: readonly CollegeWeight[], rules: WeightRules = {}): void {
  if (colleges.length === 0) throw weights('there must be at least one college');
  const ids = new Set<string>();
  let sum = 0;
  for (const c of colleges) {
    if (typeof c.id !== 'string' || c.id.length === 0) throw weights('a college needs an id');
    if (ids.has(c.id)) throw weights(`duplicate college "${c.id}"`);
    ids.add(c.id);
    if (!Number.isSafeInteger(c.weightBp) || c.weightBp < 0)
      throw weights(`weight of "${c.id}" must be an integer ≥ 0`);
    if (rules.scicBounds && (c.weightBp < 1000 || c.weightBp > 5000)) {
      throw weights(`weight of "${c.id}" (${c.weightBp} bp) is outside 1000..5000 bp`);
    }
    sum += c.weightBp;
  }
  if (sum !== TOTAL_WEIGHT_BP) throw weights(`college weights sum to ${sum} bp, not ${TOTAL_WEIGHT_BP}`);
}

function weights(message: string): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidWeights, message);
}

export function invalidInput(message: string, details: Record<string, unknown> = {}): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidInput, message, details);
}

export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
