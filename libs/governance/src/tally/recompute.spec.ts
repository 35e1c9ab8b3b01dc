import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { GovernanceError } from '../governance.errors';
import { auditFundingRound, FundingRoundInput } from './funding-round';
import { auditMotion, MotionTallyInput } from './motion-tally';
import { recomputeAudit } from './recompute';

const motions = JSON.parse(readFileSync(sharedPath('test-vectors', 'motion-tally.json'), 'utf8')) as {
  cases: MotionTallyInput[];
};
const rounds = JSON.parse(readFileSync(sharedPath('test-vectors', 'funding-round.json'), 'utf8')) as {
  cases: (FundingRoundInput & { name: string; expected: unknown })[];
};

describe('recomputeAudit', () => {
  it('matches an honest motion record and catches a forged outcome', () => {
    const c = motions.cases[0];
    const record = JSON.parse(JSON.stringify(auditMotion({ colleges: c.colleges, policies: c.policies })));
    expect(recomputeAudit(record)).toMatchObject({ kind: 'motion', matches: true, differences: [] });
    record.result.outcome = 'REJECTED';
    expect(recomputeAudit(record)).toMatchObject({ matches: false, differences: ['outcome'] });
  });

  it('matches an honest round record and catches moved cents', () => {
    const { name: _n, expected: _e, ...input } = rounds.cases[0];
    const record = JSON.parse(JSON.stringify(auditFundingRound(input)));
    expect(recomputeAudit(record).matches).toBe(true);
    record.result.cents.alpha = '346666';
    record.result.cents.beta = '375001';
    expect(recomputeAudit(record)).toMatchObject({ matches: false, differences: ['cents'] });
  });

  it('rejects something that is not an audit record', () => {
    expect(() => recomputeAudit({ kind: 'lottery', inputs: {}, result: {} })).toThrow(GovernanceError);
    expect(() => recomputeAudit(42)).toThrow(GovernanceError);
  });
});
