import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { GovernanceError } from '../governance.errors';
import { auditFundingRound, FundingRoundInput } from './funding-round';
import {
  MAJORITY_JUDGMENT_ALGORITHM,
  MajorityJudgmentInput,
  tallyMajorityJudgment,
} from './majority-judgment';
import { auditMotion, MotionTallyInput } from './motion-tally';
import { recomputeAudit } from './recompute';
import { SCHULZE_ALGORITHM, SchulzeInput, tallySchulze } from './schulze';

const motions = JSON.parse(readFileSync(sharedPath('test-vectors', 'motion-tally.json'), 'utf8')) as {
  cases: MotionTallyInput[];
};
const rounds = JSON.parse(readFileSync(sharedPath('test-vectors', 'funding-round.json'), 'utf8')) as {
  cases: (FundingRoundInput & { name: string; expected: unknown })[];
};

const mjCases = (
  JSON.parse(readFileSync(sharedPath('test-vectors', 'majority-judgment.json'), 'utf8')) as {
    cases: (MajorityJudgmentInput & { name: string; expected: { ranking: string[][] } })[];
  }
).cases;
const schulzeCases = (
  JSON.parse(readFileSync(sharedPath('test-vectors', 'schulze.json'), 'utf8')) as {
    cases: (SchulzeInput & { name: string; expected: { ranking: string[][] } })[];
  }
).cases;

/** A record as the motions service publishes it, through JSON as a reader receives it. */
function published(kind: string, algorithm: string, inputs: unknown, result: unknown) {
  return JSON.parse(JSON.stringify({ kind, algorithm, inputs, result }));
}

describe('recomputeAudit', () => {
  it.each(mjCases.map((c) => [c.name, c] as const))('Majority Judgment vector: %s', (_name, c) => {
    const { name: _n, expected, ...inputs } = c;
    const { sequences: _s, ...result } = tallyMajorityJudgment(inputs);
    const record = published('majority-judgment', MAJORITY_JUDGMENT_ALGORITHM, inputs, result);
    expect(record.result.ranking).toEqual(expected.ranking);
    expect(recomputeAudit(record)).toMatchObject({
      kind: 'majority-judgment',
      matches: true,
      differences: [],
    });
    record.result.ranking = [...record.result.ranking].reverse();
    record.result.medians[c.candidates[0]] += 1;
    const forged = recomputeAudit(record);
    expect(forged.matches).toBe(false);
    expect(forged.differences).toContain('medians');
  });

  it.each(schulzeCases.map((c) => [c.name, c] as const))('Schulze vector: %s', (_name, c) => {
    const { name: _n, expected, ...inputs } = c;
    const record = published('schulze', SCHULZE_ALGORITHM, inputs, tallySchulze(inputs));
    expect(record.result.ranking).toEqual(expected.ranking);
    expect(recomputeAudit(record)).toMatchObject({ kind: 'schulze', matches: true, differences: [] });
    const [a, b] = c.candidates;
    record.result.d[a][b] = '999/1';
    expect(recomputeAudit(record)).toMatchObject({ matches: false, differences: ['d'] });
  });

  it('accepts a ranked motion closed without ballots only when no college holds one', () => {
    const empty = { candidates: ['A', 'B'], colleges: [{ id: 'commoners', weightBp: 10000, ballots: [] }] };
    expect(recomputeAudit({ kind: 'schulze', inputs: empty, result: null })).toMatchObject({ matches: true });
    const hidden = {
      ...empty,
      colleges: [{ ...empty.colleges[0], ballots: [{ count: 1, ranking: [['A']] }] }],
    };
    expect(recomputeAudit({ kind: 'schulze', inputs: hidden, result: null })).toMatchObject({
      matches: false,
      differences: ['result'],
    });
  });

  it('refuses a Majority Judgment record under another algorithm', () => {
    const { name: _n, expected: _e, ...inputs } = mjCases[0];
    expect(() => recomputeAudit(published('majority-judgment', 'median-v0', inputs, {}))).toThrow(
      GovernanceError,
    );
  });

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
