import { MoneyError, MoneyErrorCode } from './money.errors';

/** Largest amount a PostgreSQL bigint can hold: every stored amount fits in it. */
export const MAX_AMOUNT = 2n ** 63n - 1n;

/**
 * Largest amount accepted from outside (a request, a file, the CLI): 10^15 minor units, ten
 * trillion euros. Far above any real sum, and far enough below the bigint limit that balances and
 * totals computed from such amounts cannot overflow.
 */
export const MAX_INPUT_AMOUNT = 10n ** 15n;

const CURRENCY = /^[A-Z]{3}$/;
const CENTS = /^(0|[1-9][0-9]*)$/;

export type Currency = string;

/** An amount of money: integer minor units (cents for EUR) and its ISO 4217 currency. */
export interface Money {
  readonly amount: bigint;
  readonly currency: Currency;
}

export function assertCurrency(currency: string): Currency {
  if (!CURRENCY.test(currency)) {
    throw new MoneyError(MoneyErrorCode.InvalidCurrency, `"${currency}" is not an ISO 4217 currency code`);
  }
  return currency;
}

export function money(amount: bigint, currency: Currency): Money {
  if (amount < -MAX_AMOUNT || amount > MAX_AMOUNT) {
    throw new MoneyError(MoneyErrorCode.InvalidAmount, 'amount is beyond the bigint range');
  }
  return { amount, currency: assertCurrency(currency) };
}

/**
 * Reads the wire format of an amount: a decimal string of minor units ("12345"), non-negative,
 * without sign, exponent, decimal point or leading zeros, at most `max` (MAX_INPUT_AMOUNT; the CLI's
 * recomputations pass MAX_AMOUNT, the bigint range).
 */
export function parseCents(value: unknown, field = 'amount', max: bigint = MAX_INPUT_AMOUNT): bigint {
  if (typeof value !== 'string' || !CENTS.test(value)) {
    throw new MoneyError(
      MoneyErrorCode.InvalidAmount,
      `${field} must be a string of integer minor units, such as "12345"`,
      { field },
    );
  }
  const amount = BigInt(value);
  if (amount > max) {
    throw new MoneyError(MoneyErrorCode.InvalidAmount, `${field} must be at most ${max}`, {
      field,
    });
  }
  return amount;
}

export function isCentsString(value: unknown): value is string {
  if (typeof value !== 'string' || !CENTS.test(value)) return false;
  return value.length <= 16 && BigInt(value) <= MAX_INPUT_AMOUNT;
}

/** The wire format of an amount: a decimal string of minor units. */
export function formatCents(amount: bigint): string {
  return amount.toString();
}

/** Renders minor units as a decimal with two digits after the point ("1234.56"), for open data. */
export function formatDecimal(amount: bigint, exponent = 2): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, '0');
  const units = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${units}${exponent > 0 ? '.' + fraction : ''}`;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new MoneyError(MoneyErrorCode.CurrencyMismatch, `cannot add ${a.currency} and ${b.currency}`);
  }
  return money(a.amount + b.amount, a.currency);
}
