import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { auditMotion, MotionCollegeInput, MotionPolicies, tallyMotion } from './motion-tally';
import { Rational } from './rational';

interface MotionCase {
  name: string;
  colleges: MotionCollegeInput[];
  policies: MotionPolicies;
  expected: {
    outcome: string;
    S: string | null;
    weightedTurnout: string;
    perCollege: { id: string; turnout: string; p: string | null; participating: boolean }[];
  };
}

const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'motion-tally.json'), 'utf8')) as {
  cases: MotionCase[];
};

describe('tallyMotion (wcp-v1)', () => {
  it('loads the vectors', () => expect(vectors.cases.length).toBeGreaterThanOrEqual(19));

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    const sut = tallyMotion({ colleges: c.colleges, policies: c.policies });
    expect(sut.outcome).toBe(c.expected.outcome);
    expect(sut.S).toBe(c.expected.S);
    expect(sut.weightedTurnout).toBe(c.expected.weightedTurnout);
    expect(
      sut.perCollege.map((r) => ({ id: r.id, turnout: r.turnout, p: r.p, participating: r.participating })),
    ).toEqual(c.expected.perCollege);
  });

  it('returns an audit record with the inputs, policies and every fraction as N/D', () => {
    const c = vectors.cases[0];
    const audit = auditMotion({ colleges: c.colleges, policies: c.policies });
    const json = JSON.parse(JSON.stringify(audit));
    expect(json.algorithm).toBe('wcp-v1');
    expect(json.inputs.colleges).toEqual(c.colleges);
    expect(json.policies).toEqual(c.policies);
    expect(json.result.S).toMatch(/^\d+\/\d+$/);
    expect(json.result.perCollege[0].turnout).toMatch(/^\d+\/\d+$/);
    expect(json.result.threshold).toBe('1/2');
    // Recomputing from the record gives the same result.
    expect(tallyMotion(json.inputs).outcome).toBe(json.result.outcome);
  });

  it('rejects college weights that do not sum to 10000', () => {
    const c = vectors.cases[0];
    const colleges = c.colleges.map((x, i) => (i === 0 ? { ...x, weightBp: x.weightBp + 1 } : x));
    expect(() => tallyMotion({ colleges, policies: c.policies })).toThrow(
      expect.objectContaining({ code: GovernanceErrorCode.InvalidWeights }) as unknown as Error,
    );
  });

  it('rejects more votes than eligible members', () => {
    const c = vectors.cases[0];
    const colleges = c.colleges.map((x, i) => (i === 0 ? { ...x, eligible: 1 } : x));
    expect(() => tallyMotion({ colleges, policies: c.policies })).toThrow(GovernanceError);
  });

  it('does not depend on the order of the colleges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.nat(10)), { minLength: 4, maxLength: 4 }),
        fc.constantFrom('proportional', 'bloc'),
        fc.constantFrom('redistribute', 'countsAsAgainst'),
        (counts, aggregation, empty) => {
          const weights = [5000, 2000, 2000, 1000];
          const colleges: MotionCollegeInput[] = counts.map(([f, a, ab, extra], i) => ({
            id: `c${i}`,
            weightBp: weights[i],
            for: f,
            against: a,
            abstain: ab,
            eligible: f + a + ab + extra + 1,
            quorum: null,
          }));
          const policies: MotionPolicies = {
            majority: { kind: 'simple' },
            abstentionPolicy: 'excluded',
            emptyCollegePolicy: empty as MotionPolicies['emptyCollegePolicy'],
            collegeAggregation: aggregation as MotionPolicies['collegeAggregation'],
            globalQuorum: null,
            requiredCollegeMajorities: null,
          };
          const a = tallyMotion({ colleges, policies });
          const b = tallyMotion({ colleges: [...colleges].reverse(), policies });
          expect(b.outcome).toBe(a.outcome);
          expect(b.S).toBe(a.S);
          if (a.S !== null) {
            const s = Rational.parse(a.S);
            expect(s.gte(Rational.ZERO) && !s.gt(Rational.ONE)).toBe(true);
          }
        },
      ),
    );
  });
});
