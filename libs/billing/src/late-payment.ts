import { BillingSettings } from '@app/policy';
import { BillingError, BillingErrorCode } from './billing.errors';

export interface LatePayment {
  readonly daysLate: number;
  /** The half-year whose first-day ECB rate applies: the one in which interest started to run. */
  readonly halfYear: string;
  readonly ecbRateBps: number;
  /** ECB rate + margin. */
  readonly rateBps: number;
  readonly dayBasis: number;
  readonly interest: bigint;
  readonly indemnity: bigint;
  readonly rule: string;
  readonly policyVersion: number;
  /** Whether the policy charges them (off by default): shown either way. */
  readonly charged: boolean;
}

const DAY = 86_400_000;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The ECB rate for a half-year: its own entry, else the latest earlier one the policy lists. */
function ecbRate(table: Record<string, number>, halfYear: string): { key: string; bps: number } {
  const keys = Object.keys(table)
    .filter((k) => /^[0-9]{4}-H[12]$/.test(k) && k <= halfYear)
    .sort();
  const key = keys[keys.length - 1];
  if (!key)
    throw new BillingError(
      BillingErrorCode.NoLateRate,
      `the policy gives no ECB rate for ${halfYear} or before`,
    );
  return { key, bps: table[key] };
}

/**
 * Late-payment interest and the fixed recovery indemnity owed on `principal` (minor units) unpaid
 * since `dueDate`, as of `asOf` (French public procurement, CCP R2192-31: interest runs from the
 * day after the due date at the ECB main refinancing rate in force on the first day of the
 * half-year in which it started, plus the margin; simple interest over the day basis, rounded
 * half up to the minor unit, in integer arithmetic; plus the fixed indemnity). Nothing when not late.
 */
export function latePayment(
  principal: bigint,
  dueDate: string,
  asOf: string,
  billing: BillingSettings,
  policyVersion: number,
): LatePayment {
  const daysLate = Math.max(
    0,
    Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / DAY),
  );
  const start = addDays(dueDate, 1);
  const halfYear = `${start.slice(0, 4)}-H${Number(start.slice(5, 7)) <= 6 ? 1 : 2}`;
  const rule = billing.lateInterest;
  const late = daysLate > 0 && principal > 0n;
  const ecb = late
    ? ecbRate(rule.ecbRateBps, halfYear)
    : { key: halfYear, bps: rule.ecbRateBps[halfYear] ?? 0 };
  const rateBps = ecb.bps + rule.marginBps;
  let interest = 0n;
  if (late) {
    const numerator = principal * BigInt(rateBps) * BigInt(daysLate);
    const denominator = 10_000n * BigInt(rule.dayBasis);
    interest = (numerator * 2n + denominator) / (denominator * 2n);
  }
  return {
    daysLate,
    halfYear: ecb.key,
    ecbRateBps: ecb.bps,
    rateBps,
    dayBasis: rule.dayBasis,
    interest,
    indemnity: late ? BigInt(billing.fixedIndemnity) : 0n,
    rule: rule.rule,
    policyVersion,
    charged: billing.chargeLateFees,
  };
}
