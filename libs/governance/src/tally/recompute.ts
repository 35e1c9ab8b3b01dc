import { isDeepStrictEqual } from 'node:util';
import { invalidInput } from './college-weights';
import { FUNDING_ROUND_ALGORITHM, FundingRoundInput, tallyFundingRound } from './funding-round';
import { MOTION_TALLY_ALGORITHM, MotionTallyInput, tallyMotion } from './motion-tally';

export interface Recomputation {
  readonly kind: 'motion' | 'funding-round';
  readonly algorithm: string;
  readonly matches: boolean;
  /** Top-level result fields whose recomputed value differs from the published one. */
  readonly differences: string[];
  readonly published: unknown;
  readonly recomputed: unknown;
}

/**
 * Recomputes a published audit record (a motion or a funding round) from its inputs and says
 * whether the published result matches. This is what `librery tally <file>` runs.
 */
export function recomputeAudit(record: unknown): Recomputation {
  if (record === null || typeof record !== 'object')
    throw invalidInput('an audit record must be a JSON object');
  const r = record as { kind?: unknown; algorithm?: unknown; inputs?: unknown; result?: unknown };
  if (r.inputs === undefined || r.result === undefined)
    throw invalidInput('an audit record needs "inputs" and "result"');
  let recomputed: unknown;
  if (r.kind === 'motion') {
    if (r.algorithm !== MOTION_TALLY_ALGORITHM)
      throw invalidInput(`unknown motion algorithm "${String(r.algorithm)}"`);
    recomputed = tallyMotion(r.inputs as MotionTallyInput);
  } else if (r.kind === 'funding-round') {
    if (r.algorithm !== FUNDING_ROUND_ALGORITHM)
      throw invalidInput(`unknown round algorithm "${String(r.algorithm)}"`);
    recomputed = tallyFundingRound(r.inputs as FundingRoundInput);
  } else {
    throw invalidInput(`unknown audit record kind "${String(r.kind)}"`);
  }
  const published = r.result as Record<string, unknown>;
  const fresh = JSON.parse(JSON.stringify(recomputed)) as Record<string, unknown>;
  const keys = new Set([...Object.keys(published ?? {}), ...Object.keys(fresh)]);
  const differences = [...keys].filter((k) => !isDeepStrictEqual(published?.[k], fresh[k])).sort();
  return {
    kind: r.kind,
    algorithm: r.algorithm,
    matches: differences.length === 0,
    differences,
    published,
    recomputed: fresh,
  };
}
