import { MoneyError, MoneyErrorCode } from './money.errors';

/** Basis points in one whole: 10000 bps = 100 %. */
export const BPS = 10000n;

function assertBps(rateBps: bigint | number): bigint {
  const rate = BigInt(rateBps);
  if (rate < 0n || rate > BPS) {
    throw new MoneyError(MoneyErrorCode.InvalidRate, `a rate must lie between 0 and 10000 basis points`);
  }
  return rate;
}

/**
 * The levy rule, written once: `budget × rateBps / 10000`, rounded half-up to the minor unit,
 * in integer arithmetic.
 */
export function levy(budget: bigint, rateBps: bigint | number): bigint {
  if (budget < 0n) throw new MoneyError(MoneyErrorCode.InvalidAmount, 'a budget cannot be negative');
  const rate = assertBps(rateBps);
  return (budget * rate * 2n + BPS) / (BPS * 2n);
}
