import fc from 'fast-check';
import {
  Direction,
  MAX_DIRECTIONS,
  reversalSplit,
  splitContribution,
  SplitPolicy,
  splitParts,
} from './contribution-split';
import { ContributionsError } from './contributions.errors';

const policyArb: fc.Arbitrary<SplitPolicy> = fc
  .tuple(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 10000 }))
  .map(([a, b]) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return { version: 1, directedShareBps: lo, poolShareBps: hi - lo, operatingFeeBps: 10000 - hi };
  });

const directionsArb: fc.Arbitrary<Direction[]> = fc.uniqueArray(
  fc.record({ projectId: fc.uuid(), weight: fc.bigInt({ min: 1n, max: 10n ** 6n }) }),
  {
    maxLength: MAX_DIRECTIONS,
    selector: (d) => d.projectId,
  },
);

const netArb = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe('splitContribution', () => {
  it('splits 45/45/10 over two directions exactly', () => {
    const sut = splitContribution(
      10001n,
      { version: 3, directedShareBps: 4500, poolShareBps: 4500, operatingFeeBps: 1000 },
      [
        { projectId: 'a', weight: 1n },
        { projectId: 'b', weight: 2n },
      ],
    );
    expect(sut.operatingFee + sut.directedShare + sut.pool).toBe(10001n);
    expect(sut.operatingFee).toBe(1000n);
    expect(sut.pool).toBe(4500n); // the leftover cent goes to 'directed' (equal remainders and weights: smaller key)
    expect(sut.directed.reduce((s, d) => s + d.amount, 0n)).toBe(sut.directedShare);
    expect(sut.directed).toEqual([
      { projectId: 'a', amount: 1500n },
      { projectId: 'b', amount: 3001n },
    ]);
    expect(sut.policyVersion).toBe(3);
  });

  it('puts the directed share in the pool when there is no direction', () => {
    const sut = splitContribution(
      1000n,
      { version: 1, directedShareBps: 5000, poolShareBps: 5000, operatingFeeBps: 0 },
      [],
    );
    expect(sut.pool).toBe(1000n);
    expect(sut.directed).toEqual([]);
    expect(sut.directedShare).toBe(500n);
  });

  it('refuses more than 200 directions, zero weights and duplicates', () => {
    const policy = { version: 1, directedShareBps: 5000, poolShareBps: 5000, operatingFeeBps: 0 };
    const many = Array.from({ length: 201 }, (_, i) => ({ projectId: `p${i}`, weight: 1n }));
    expect(() => splitContribution(100n, policy, many)).toThrow(ContributionsError);
    expect(() => splitContribution(100n, policy, [{ projectId: 'a', weight: 0n }])).toThrow(
      ContributionsError,
    );
    expect(() =>
      splitContribution(100n, policy, [
        { projectId: 'a', weight: 1n },
        { projectId: 'a', weight: 2n },
      ]),
    ).toThrow(ContributionsError);
  });

  it('property: the parts sum exactly to the net, no cent lost', () => {
    fc.assert(
      fc.property(netArb, policyArb, directionsArb, (net, policy, directions) => {
        const sut = splitContribution(net, policy, directions);
        const directedSum = sut.directed.reduce((s, d) => s + d.amount, 0n);
        const parts = splitParts(sut);
        expect(parts.reduce((s, p) => s + p.amount, 0n)).toBe(net);
        expect(
          sut.operatingFee +
            sut.directedShare +
            (sut.pool - (directions.length === 0 ? sut.directedShare : 0n)),
        ).toBe(net);
        if (directions.length > 0) expect(directedSum).toBe(sut.directedShare);
        else expect(directedSum).toBe(0n);
        for (const p of parts) expect(p.amount >= 0n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('property: each share is the floor or ceiling of its exact value', () => {
    fc.assert(
      fc.property(netArb, policyArb, (net, policy) => {
        const sut = splitContribution(net, policy, []);
        const exact = (bps: number) => (net * BigInt(bps)) / 10000n;
        expect(sut.operatingFee - exact(policy.operatingFeeBps)).toBeGreaterThanOrEqual(0n);
        expect(sut.operatingFee - exact(policy.operatingFeeBps)).toBeLessThanOrEqual(1n);
        expect(sut.directedShare - exact(policy.directedShareBps)).toBeLessThanOrEqual(1n);
      }),
    );
  });
});

describe('reversalSplit', () => {
  const policy = { version: 1, directedShareBps: 4500, poolShareBps: 4500, operatingFeeBps: 1000 };

  it('a full reversal takes back every part exactly and the fee share is the fee', () => {
    const split = splitContribution(9700n, policy, [
      { projectId: 'a', weight: 3n },
      { projectId: 'b', weight: 1n },
    ]);
    const sut = reversalSplit(10000n, 10000n, 300n, splitParts(split));
    expect(sut.parts).toEqual(splitParts(split));
    expect(sut.feeShare).toBe(300n);
  });

  it('property: partial reversals, applied in turn, never take more than a part holds and sum exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.nat({ max: 1000 }),
        directionsArb,
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 6 }),
        (gross, feePermille, directions, cuts) => {
          const fee = (gross * BigInt(feePermille)) / 1000n;
          let remaining = splitParts(splitContribution(gross - fee, policy, directions));
          let left = gross;
          let feeTaken = 0n;
          for (const cut of cuts) {
            if (left === 0n) break;
            const amount = cut > left ? left : cut;
            const sut = reversalSplit(amount, gross, fee, remaining);
            const taken = sut.parts.reduce((s, p) => s + p.amount, 0n);
            expect(taken + sut.feeShare).toBe(amount);
            remaining = remaining.map((p, i) => {
              expect(sut.parts[i].amount <= p.amount).toBe(true);
              return { key: p.key, amount: p.amount - sut.parts[i].amount };
            });
            left -= amount;
            feeTaken += sut.feeShare;
          }
          const held = remaining.reduce((s, p) => s + p.amount, 0n);
          // What is left unreversed is exactly what the parts and the fee still account for.
          expect(held + fee - feeTaken).toBe(left);
          for (const p of remaining) expect(p.amount >= 0n).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
