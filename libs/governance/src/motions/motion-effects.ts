import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { MotionEffect, MotionKind, PolicyChanges } from '../governance.types';
import { validateNewRound, PROJECT_ID } from '../rounds/rounds.service';
import { validateCollegeWeights } from '../tally/college-weights';
import { checkBounds } from '../vote-settings';

function invalid(message: string): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidInput, message);
}

const POLICY_KEYS: readonly (keyof PolicyChanges)[] = [
  'levyRateBps',
  'directedShareBps',
  'poolShareBps',
  'operatingFeeBps',
  'minimumPayout',
  'claimDeadlineDays',
  'licenceAllowList',
  'governance',
];

/**
 * Checks the typed effect of a motion when it is created (422 on anything malformed), so that a
 * passed motion can be applied without surprises. Policy changes need a policy or statute motion.
 */
export function validateEffect(
  kind: MotionKind,
  raw: unknown,
  closesAt: Date,
  bounds: { minBp: number; maxBp: number } | null,
): MotionEffect {
  if (raw === undefined || raw === null) return { type: 'none' };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('effect must be an object with a "type"');
  const e = raw as Record<string, unknown>;
  switch (e.type) {
    case 'none':
      return { type: 'none' };
    case 'admit-project':
    case 'suspend-project':
    case 'archive-project':
      if (typeof e.projectId !== 'string' || !PROJECT_ID.test(e.projectId))
        throw invalid('effect.projectId must be a project id');
      return { type: e.type, projectId: e.projectId };
    case 'adopt-policy': {
      if (kind === 'ordinary') throw invalid('changing the policy needs a policy or statute motion');
      const effectiveAt = new Date(String(e.effectiveAt));
      if (Number.isNaN(effectiveAt.getTime())) throw invalid('effect.effectiveAt must be an ISO 8601 date');
      if (effectiveAt <= closesAt)
        throw invalid('a new policy takes effect after the vote closes (the past is never rewritten)');
      const changes = e.changes as Record<string, unknown> | undefined;
      if (!changes || typeof changes !== 'object' || Object.keys(changes).length === 0)
        throw invalid('effect.changes lists the policy fields to change');
      for (const k of Object.keys(changes))
        if (!POLICY_KEYS.includes(k as keyof PolicyChanges)) throw invalid(`"${k}" is not a policy field`);
      for (const k of [
        'levyRateBps',
        'directedShareBps',
        'poolShareBps',
        'operatingFeeBps',
        'claimDeadlineDays',
      ] as const) {
        const v = changes[k];
        if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
          throw invalid(`${k} must be an integer ≥ 0`);
      }
      if (
        changes.minimumPayout !== undefined &&
        (typeof changes.minimumPayout !== 'string' || !/^[0-9]{1,18}$/.test(changes.minimumPayout))
      ) {
        throw invalid('minimumPayout must be an integer of cents, as a string');
      }
      if (
        changes.licenceAllowList !== undefined &&
        (!Array.isArray(changes.licenceAllowList) ||
          changes.licenceAllowList.some((l) => typeof l !== 'string'))
      ) {
        throw invalid('licenceAllowList must be a list of SPDX ids');
      }
      const governance = changes.governance as Record<string, unknown> | undefined;
      if (governance !== undefined) {
        if (typeof governance !== 'object' || governance === null)
          throw invalid('governance must be an object');
        const colleges = governance.colleges as { id: string; weightBp: number }[] | undefined;
        if (colleges !== undefined) {
          if (!Array.isArray(colleges))
            throw new GovernanceError(GovernanceErrorCode.InvalidWeights, 'colleges must be a list');
          validateCollegeWeights(colleges);
          const newBounds =
            (governance.collegeWeightBounds as { minBp: number; maxBp: number } | null | undefined) ?? bounds;
          if (newBounds) checkBounds(colleges, newBounds);
        }
      }
      return {
        type: 'adopt-policy',
        effectiveAt: effectiveAt.toISOString(),
        changes: changes as PolicyChanges,
      };
    }
    case 'open-funding-round': {
      const round = e.round as Record<string, unknown> | undefined;
      if (!round || typeof round !== 'object') throw invalid('effect.round describes the round to open');
      const checked = validateNewRound(round as never);
      if (checked.closesAt <= closesAt) throw invalid('the round must close after the motion');
      return { type: 'open-funding-round', round: round as never };
    }
    default:
      throw invalid(`unknown effect type "${String(e.type)}"`);
  }
}
