import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { auditFundingRound, FundingRoundInput, tallyFundingRound } from './funding-round';
import { Rational } from './rational';

type RoundCase = FundingRoundInput & { name: string; expected: Record<string, unknown> };
const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'funding-round.json'), 'utf8')) as {
  cases: RoundCase[];
  invalid_cases: (FundingRoundInput & { name: string; error: string })[];
};

const errorLabels: Record<string, GovernanceErrorCode> = {
  'ballot-total': GovernanceErrorCode.BallotTotal,
  'negative-points': GovernanceErrorCode.NegativePoints,
  'unknown-project': GovernanceErrorCode.UnknownCandidate,
};

describe('tallyFundingRound (wcpp-v1)', () => {
  it('loads the vectors', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(13);
    expect(vectors.invalid_cases.length).toBeGreaterThanOrEqual(4);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    const { expected, name: _n, ...input } = c;
    expect(tallyFundingRound(input)).toEqual(expected);
  });

  it.each(vectors.invalid_cases.map((c) => [c.name, c] as const))('invalid vector: %s', (_name, c) => {
    const { error, name: _n, ...input } = c;
    expect(errorLabels[error]).toBeDefined();
    let thrown: unknown;
    try {
      tallyFundingRound(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GovernanceError);
    expect((thrown as GovernanceError).code).toBe(errorLabels[error]);
  });

  it('audit record carries inputs and result and recomputes', () => {
    const { expected: _e, name: _n, ...input } = vectors.cases[0];
    const audit = JSON.parse(JSON.stringify(auditFundingRound(input)));
    expect(audit.algorithm).toBe('wcpp-v1');
    expect(tallyFundingRound(audit.inputs)).toEqual(audit.result);
  });

  const roundArb = fc
    .record({
      projects: fc.integer({ min: 1, max: 8 }),
      pool: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      caps: fc.array(fc.option(fc.bigInt({ min: 0n, max: 10n ** 11n }), { nil: null }), {
        minLength: 8,
        maxLength: 8,
      }),
      threshold: fc.option(fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 20 })), { nil: null }),
      ballots: fc.array(
        fc.array(fc.tuple(fc.nat(3), fc.array(fc.nat(7), { minLength: 1, maxLength: 6 })), { maxLength: 6 }),
        { minLength: 1, maxLength: 1 },
      ),
    })
    .map(({ projects, pool, caps, threshold, ballots }) => {
      const ids = Array.from({ length: projects }, (_, i) => `p${i}`);
      const weights = [5000, 2000, 2000, 1000];
      const colleges = weights.map((w, c) => ({
        id: `c${c}`,
        weightBp: w,
        ballots: [] as Record<string, number>[],
      }));
      for (const [college, picks] of ballots[0]) {
        // Spread 100 points over the picked projects (or abstain when the picks say so).
        const chosen = [...new Set(picks.map((p) => ids[p % ids.length]))];
        const ballot: Record<string, number> = {};
        if (picks[0] !== 0) {
          let left = 100;
          chosen.forEach((id, k) => {
            const pts = k === chosen.length - 1 ? left : Math.floor(left / 2);
            ballot[id] = (ballot[id] ?? 0) + pts;
            left -= pts;
          });
        }
        colleges[college].ballots.push(ballot);
      }
      const input: FundingRoundInput = {
        pool: pool.toString(),
        projects: ids.map((id, i) => ({ id, cap: caps[i] === null ? null : caps[i]!.toString() })),
        threshold: threshold === null ? null : `${threshold[0]}/${threshold[1]}`,
        colleges,
      };
      return input;
    });

  it('property: cents + leftover = pool, caps respected, every amount is floor or ceil of exact', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const r = tallyFundingRound(input);
        const sum = Object.values(r.cents).reduce((s, v) => s + BigInt(v), 0n);
        expect(sum + BigInt(r.leftover)).toBe(BigInt(input.pool));
        expect(BigInt(r.leftover) >= 0n).toBe(true);
        for (const p of input.projects) {
          const cents = BigInt(r.cents[p.id]);
          expect(cents >= 0n).toBe(true);
          if (p.cap !== null) expect(cents <= BigInt(p.cap)).toBe(true);
          const exact = Rational.parse(r.exact[p.id]);
          const f = exact.floor();
          expect(cents === f || cents === f + 1n).toBe(true);
          if (!r.eligible.includes(p.id)) expect(cents).toBe(0n);
        }
        // Leftover only when every eligible project is capped, or none is eligible.
        if (r.leftover !== '0') expect(r.capped.length).toBe(r.eligible.length);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the result does not depend on the order of the ballots or the colleges', () => {
    fc.assert(
      fc.property(roundArb, fc.nat(), (input, seed) => {
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          let s = seed + 1;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2147483648;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j], out[i]];
          }
          return out;
        };
        const shuffled: FundingRoundInput = {
          ...input,
          colleges: shuffle(input.colleges.map((c) => ({ ...c, ballots: shuffle(c.ballots) }))),
        };
        const a = tallyFundingRound(input);
        const b = tallyFundingRound(shuffled);
        expect(b.cents).toEqual(a.cents);
        expect(b.Q).toEqual(a.Q);
        expect(b.leftover).toBe(a.leftover);
      }),
      { numRuns: 200 },
    );
  });
});
