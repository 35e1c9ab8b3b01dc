import type { Policy } from '@app/policy';
import { GovernanceError, GovernanceErrorCode } from './governance.errors';
import { MotionKind, VoteSettings } from './governance.types';
import { validateCollegeWeights } from './tally/college-weights';
import type { MajorityRule } from './tally/motion-tally';
import { Rational } from './tally/rational';

/**
 * The rules a vote runs under, from the policy's `governance` settings. Per kind of motion:
 * `quorum` is a per-college turnout quorum for ordinary motions and a weighted global quorum for
 * policy and statute motions (reference §6); `collegeQuorum` / `globalQuorum` set either explicitly.
 */
export function voteSettings(policy: Policy, kind: MotionKind | null): VoteSettings {
  const g = policy.governance;
  const perKind = (kind ? (g.motions?.[kind] as Record<string, unknown> | undefined) : undefined) ?? {};
  const quorum = (perKind.quorum as string | null | undefined) ?? null;
  const collegeQuorum =
    'collegeQuorum' in perKind
      ? ((perKind.collegeQuorum as string | null) ?? null)
      : kind === 'ordinary'
        ? quorum
        : null;
  const globalQuorum =
    'globalQuorum' in perKind
      ? ((perKind.globalQuorum as string | null) ?? null)
      : kind !== null && kind !== 'ordinary' && quorum !== null
        ? quorum
        : (g.globalQuorum ?? null);
  for (const q of [collegeQuorum, globalQuorum]) if (q !== null) Rational.parse(q);
  const majority = ((perKind.majority as MajorityRule | undefined) ?? { kind: 'simple' }) as MajorityRule;
  const bounds = g.collegeWeightBounds;
  validateCollegeWeights(g.colleges, {});
  if (bounds) checkBounds(g.colleges, bounds);
  return {
    policyVersion: policy.version,
    colleges: g.colleges.map((c) => ({ id: c.id, weightBp: c.weightBp })),
    collegeQuorum,
    globalQuorum,
    majority,
    abstentionPolicy: (g.abstentionPolicy as VoteSettings['abstentionPolicy']) ?? 'excluded',
    emptyCollegePolicy: (g.emptyCollegePolicy as VoteSettings['emptyCollegePolicy']) ?? 'redistribute',
    collegeAggregation: (g.collegeAggregation as VoteSettings['collegeAggregation']) ?? 'proportional',
    requiredCollegeMajorities:
      (perKind.requiredCollegeMajorities as VoteSettings['requiredCollegeMajorities']) ?? null,
    maxProxiesPerMember: typeof g.maxProxiesPerMember === 'number' ? g.maxProxiesPerMember : 1,
    ballotPublicity: g.ballotPublicity === 'named' ? 'named' : 'pseudonymous',
  };
}

/** College weights within policy bounds (e.g. SCIC 1000..5000 bp). Throws `InvalidWeights` (422). */
export function checkBounds(
  colleges: readonly { id: string; weightBp: number }[],
  bounds: { minBp: number; maxBp: number },
): void {
  for (const c of colleges) {
    if (c.weightBp < bounds.minBp || c.weightBp > bounds.maxBp) {
      throw new GovernanceError(
        GovernanceErrorCode.InvalidWeights,
        `weight of "${c.id}" (${c.weightBp} bp) is outside ${bounds.minBp}..${bounds.maxBp} bp`,
      );
    }
  }
}
