import fc from 'fast-check';
import { levy } from './rate';

describe('levy', () => {
  it('is 2 % of a budget rounded half-up to the cent', () => {
    expect(levy(100_000_00n, 200)).toBe(2_000_00n);
    expect(levy(25n, 200)).toBe(1n); // 0.5 cent rounds up
    expect(levy(24n, 200)).toBe(0n); // 0.48 cent rounds down
    expect(levy(75n, 200)).toBe(2n); // 1.5 cents rounds up
    expect(levy(0n, 200)).toBe(0n);
  });

  it('never differs from the exact value by more than half a cent', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10000 }),
        (budget, rate) => {
          const twice = budget * BigInt(rate) * 2n; // 2 × exact value × 10000
          const diff = levy(budget, rate) * 20000n - twice;
          expect(diff >= -10000n && diff <= 10000n).toBe(true);
          if (diff === -10000n) throw new Error('a half cent must round up');
        },
      ),
    );
  });
});
