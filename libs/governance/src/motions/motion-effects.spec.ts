import { GovernanceErrorCode } from '../governance.errors';
import { validateEffect } from './motion-effects';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('validateEffect', () => {
  const closesAt = new Date(Date.now() + 3600_000);
  const bounds = { minBp: 1000, maxBp: 5000 };
  const later = new Date(Date.now() + 86400_000 * 30).toISOString();
  const colleges = (w: number[]) => ['a', 'b', 'c', 'd'].map((id, i) => ({ id, weightBp: w[i] }));

  it('accepts no effect and typed project decisions', () => {
    expect(validateEffect('ordinary', undefined, closesAt, bounds)).toEqual({ type: 'none' });
    expect(validateEffect('ordinary', { type: 'admit-project', projectId: 'p-1' }, closesAt, bounds)).toEqual(
      { type: 'admit-project', projectId: 'p-1' },
    );
  });

  it('accepts a policy change from a policy motion, effective after the close', () => {
    const e = validateEffect(
      'policy',
      {
        type: 'adopt-policy',
        effectiveAt: later,
        changes: { governance: { colleges: colleges([4000, 2500, 1500, 2000]) } },
      },
      closesAt,
      bounds,
    );
    expect(e.type).toBe('adopt-policy');
  });

  it('refuses weights off 10000, outside the bounds, a policy change by an ordinary motion, a past date, unknown fields and types', () => {
    const policy = (changes: unknown, effectiveAt = later) => ({
      type: 'adopt-policy',
      effectiveAt,
      changes,
    });
    expect(
      code(() =>
        validateEffect(
          'policy',
          policy({ governance: { colleges: colleges([4000, 2500, 1500, 1000]) } }),
          closesAt,
          bounds,
        ),
      ),
    ).toBe(GovernanceErrorCode.InvalidWeights);
    expect(
      code(() =>
        validateEffect(
          'statute',
          policy({ governance: { colleges: colleges([6000, 2000, 1000, 1000]) } }),
          closesAt,
          bounds,
        ),
      ),
    ).toBe(GovernanceErrorCode.InvalidWeights);
    expect(code(() => validateEffect('ordinary', policy({ levyRateBps: 150 }), closesAt, bounds))).toBe(
      GovernanceErrorCode.InvalidInput,
    );
    expect(
      code(() =>
        validateEffect('policy', policy({ levyRateBps: 150 }, new Date().toISOString()), closesAt, bounds),
      ),
    ).toBe(GovernanceErrorCode.InvalidInput);
    expect(code(() => validateEffect('policy', policy({ colour: 'red' }), closesAt, bounds))).toBe(
      GovernanceErrorCode.InvalidInput,
    );
    expect(code(() => validateEffect('policy', policy({ levyRateBps: 1.5 }), closesAt, bounds))).toBe(
      GovernanceErrorCode.InvalidInput,
    );
    expect(code(() => validateEffect('ordinary', { type: 'launch-rocket' }, closesAt, bounds))).toBe(
      GovernanceErrorCode.InvalidInput,
    );
    expect(
      code(() =>
        validateEffect('ordinary', { type: 'admit-project', projectId: 'Bad Id' }, closesAt, bounds),
      ),
    ).toBe(GovernanceErrorCode.InvalidInput);
  });

  it('checks a round to open: candidates, caps, budget, closing after the motion', () => {
    const round = {
      title: 'R',
      budget: '1000',
      candidates: ['a', 'b'],
      closesAt: new Date(closesAt.getTime() + 1000).toISOString(),
    };
    expect(validateEffect('ordinary', { type: 'open-funding-round', round }, closesAt, bounds).type).toBe(
      'open-funding-round',
    );
    expect(
      code(() =>
        validateEffect(
          'ordinary',
          { type: 'open-funding-round', round: { ...round, budget: '0' } },
          closesAt,
          bounds,
        ),
      ),
    ).toBe(GovernanceErrorCode.InvalidInput);
    expect(
      code(() =>
        validateEffect(
          'ordinary',
          { type: 'open-funding-round', round: { ...round, caps: { z: '5' } } },
          closesAt,
          bounds,
        ),
      ),
    ).toBe(GovernanceErrorCode.UnknownCandidate);
    expect(
      code(() =>
        validateEffect(
          'ordinary',
          {
            type: 'open-funding-round',
            round: { ...round, closesAt: new Date(Date.now() + 1000).toISOString() },
          },
          closesAt,
          bounds,
        ),
      ),
    ).toBe(GovernanceErrorCode.InvalidInput);
  });
});
