import fc from 'fast-check';
import { BillingSettings } from '@app/policy';
import { DEFAULT_BILLING } from '../../../migrations/1764750000000-create-payment-requests-and-bank-statements';
import { latePayment } from './late-payment';

const billing = DEFAULT_BILLING as BillingSettings;

describe('late-payment interest and indemnity', () => {
  it('is nothing before or on the due date', () => {
    const sut = latePayment(100_000n, '2026-03-31', '2026-03-31', billing, 1);
    expect(sut).toMatchObject({ daysLate: 0, interest: 0n, indemnity: 0n, charged: false });
  });

  it('uses the ECB rate of the half-year in which interest started, plus 8 points, rounded half up', () => {
    // Due 2025-06-30: interest runs from 2025-07-01 (second half-year, ECB 2.15 %), rate 10.15 %.
    // 1 000.00 EUR × 10.15 % × 45 / 365 = 12.5136… EUR → 1251 cents.
    const sut = latePayment(100_000n, '2025-06-30', '2025-08-14', billing, 3);
    expect(sut).toEqual({
      daysLate: 45,
      halfYear: '2025-H2',
      ecbRateBps: 215,
      rateBps: 1015,
      dayBasis: 365,
      interest: 1251n,
      indemnity: 4000n,
      rule: 'fr-ccp-r2192-31-v1',
      policyVersion: 3,
      charged: false,
    });
    // Due 2025-06-29: started 2025-06-30, first half-year (3.15 %): 11.15 % × 46 days → 14.0520… → 1405.
    expect(latePayment(100_000n, '2025-06-29', '2025-08-14', billing, 3)).toMatchObject({
      ecbRateBps: 315,
      interest: 1405n,
    });
  });

  it('equals principal × rate × days / (10000 × 365) rounded half up, exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 13n }),
        fc.integer({ min: 1, max: 2000 }),
        (principal, days) => {
          const due = '2026-01-10';
          const asOf = new Date(Date.parse('2026-01-10T00:00:00Z') + days * 86_400_000)
            .toISOString()
            .slice(0, 10);
          const sut = latePayment(principal, due, asOf, billing, 1);
          const exact = principal * BigInt(sut.rateBps) * BigInt(days);
          const denominator = 10_000n * 365n;
          // |interest − exact/denominator| ≤ 1/2, with halves rounded up.
          const twice = sut.interest * 2n * denominator - 2n * exact;
          return sut.daysLate === days && twice <= denominator && twice > -denominator;
        },
      ),
    );
  });
});
