import type { Policy } from '@app/policy';
import { GovernanceErrorCode } from './governance.errors';
import { voteSettings } from './vote-settings';

const policy = (governance: Record<string, unknown>): Policy =>
  ({
    version: 7,
    governance: {
      colleges: [
        { id: 'commoners', weightBp: 4000 },
        { id: 'public', weightBp: 2500 },
        { id: 'private', weightBp: 1500 },
        { id: 'scientific', weightBp: 2000 },
      ],
      collegeWeightBounds: { minBp: 1000, maxBp: 5000 },
      motions: {
        ordinary: { quorum: '1/4', majority: { kind: 'simple' } },
        policy: { quorum: '1/3', majority: { kind: 'qualified', num: 2, den: 3 } },
        statute: {
          quorum: '1/2',
          majority: { kind: 'qualified', num: 2, den: 3 },
          requiredCollegeMajorities: { colleges: ['commoners'], atLeast: null },
        },
      },
      abstentionPolicy: 'excluded',
      emptyCollegePolicy: 'redistribute',
      collegeAggregation: 'proportional',
      globalQuorum: null,
      maxProxiesPerMember: 2,
      ballotPublicity: 'pseudonymous',
      ...governance,
    },
  }) as unknown as Policy;

describe('voteSettings (reference §6 defaults from the policy)', () => {
  it('uses a per-college quorum for ordinary motions and a weighted global quorum for policy and statute motions', () => {
    expect(voteSettings(policy({}), 'ordinary')).toMatchObject({
      policyVersion: 7,
      collegeQuorum: '1/4',
      globalQuorum: null,
      majority: { kind: 'simple' },
    });
    expect(voteSettings(policy({}), 'policy')).toMatchObject({
      collegeQuorum: null,
      globalQuorum: '1/3',
      majority: { kind: 'qualified', num: 2, den: 3 },
    });
    expect(voteSettings(policy({}), 'statute')).toMatchObject({
      globalQuorum: '1/2',
      requiredCollegeMajorities: { colleges: ['commoners'] },
    });
    expect(voteSettings(policy({}), null)).toMatchObject({
      collegeQuorum: null,
      globalQuorum: null,
      maxProxiesPerMember: 2,
      ballotPublicity: 'pseudonymous',
    });
  });

  it('refuses a policy whose college weights are off 10000 or out of bounds', () => {
    const off = policy({
      colleges: [
        { id: 'a', weightBp: 5000 },
        { id: 'b', weightBp: 4000 },
      ],
    });
    expect(() => voteSettings(off, 'ordinary')).toThrow(
      expect.objectContaining({ code: GovernanceErrorCode.InvalidWeights }) as unknown as Error,
    );
    const bounds = policy({
      colleges: [
        { id: 'a', weightBp: 6000 },
        { id: 'b', weightBp: 4000 },
      ],
    });
    expect(() => voteSettings(bounds, 'ordinary')).toThrow(
      expect.objectContaining({ code: GovernanceErrorCode.InvalidWeights }) as unknown as Error,
    );
  });
});
