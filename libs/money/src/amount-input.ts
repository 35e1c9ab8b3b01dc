/**
 * Amounts as people type them in a form ("12,50", "1 234,56 €", "1,234.56", "12"), read exactly
 * into minor units: digits are parsed as text, never through a float.
 *
 * The rule, tolerant but never ambiguous, for the page's language (`fr` or `en`):
 * - a currency sign or code (`€`, `EUR`) before or after the number, and spaces (including the
 *   no-break and narrow no-break spaces browsers and `Intl` print) are accepted;
 * - when both `,` and `.` appear, the last one is the decimal separator and the other groups
 *   thousands (`1.234,56`, `1,234.56`), in either language;
 * - a separator that appears more than once groups thousands (`1,234,567`, `1.234.567`);
 * - a single separator followed by one or two digits is the decimal separator (`12,5`, `12.50`),
 *   in either language, since thousands always come in threes;
 * - a single separator followed by exactly three digits is read by the page's language: the
 *   language's group separator groups thousands (`1.234` in French, `1,234` in English), the
 *   language's decimal separator is a decimal point with too many decimals (refused);
 * - groups of thousands (by separator or space) have three digits after the first group, which
 *   starts with a significant digit;
 * - more than two decimals, a sign, zero, anything outside the bounds and any other text are
 *   refused with a reason.
 */

export type AmountLanguage = 'fr' | 'en';

/** Why a typed amount was refused. */
export enum AmountInputErrorCode {
  Empty = 'empty',
  Invalid = 'invalid',
  Negative = 'negative',
  TooManyDecimals = 'too_many_decimals',
  Zero = 'zero',
  TooSmall = 'too_small',
  TooLarge = 'too_large',
}

export interface AmountBounds {
  /** Smallest accepted amount, in minor units (inclusive). */
  readonly min: bigint;
  /** Largest accepted amount, in minor units (inclusive). */
  readonly max: bigint;
}

/**
 * Bounds used when the caller has none from policy: 1.00 to 999,999.99 (Stripe's largest EUR
 * charge). A donation page passes its own.
 */
export const DEFAULT_AMOUNT_BOUNDS: AmountBounds = { min: 100n, max: 99_999_999n };

export type AmountInputResult =
  | { readonly ok: true; readonly amount: bigint }
  | { readonly ok: false; readonly reason: AmountInputErrorCode; readonly bounds: AmountBounds };

/** Longest input considered (anything longer is refused before any parsing). */
const MAX_INPUT_LENGTH = 64;
const SPACES = /[\s\u00a0\u202f\u2007\u2009]/g;
const CURRENCY_AROUND = /^(?:€|eur)?(.*?)(?:€|eur)?$/i;
const MINUS = /^[-\u2212\u2012\u2013]/;

const DECIMAL: Record<AmountLanguage, string> = { fr: ',', en: '.' };
const GROUP: Record<AmountLanguage, string> = { fr: '.', en: ',' };

/** Reads a typed amount of a two-decimal currency (EUR) into minor units, or says why not. */
export function parseAmountInput(
  text: string,
  language: AmountLanguage,
  bounds: AmountBounds = DEFAULT_AMOUNT_BOUNDS,
): AmountInputResult {
  const fail = (reason: AmountInputErrorCode): AmountInputResult => ({ ok: false, reason, bounds });
  if (typeof text !== 'string') return fail(AmountInputErrorCode.Invalid);
  if (text.length > MAX_INPUT_LENGTH) return fail(AmountInputErrorCode.Invalid);
  const trimmed = text.trim();
  if (trimmed === '') return fail(AmountInputErrorCode.Empty);
  // Spaces only between digits group thousands; elsewhere (around a sign or currency) they are dropped.
  const unwrapped = (CURRENCY_AROUND.exec(trimmed)?.[1] ?? trimmed).trim();
  if (MINUS.test(unwrapped)) return fail(AmountInputErrorCode.Negative);
  const inner = (CURRENCY_AROUND.exec(unwrapped)?.[1] ?? unwrapped).trim();
  if (inner === '' || !/^[0-9][0-9.,\s\u00a0\u202f\u2007\u2009]*$|^[.,][0-9]+$/.test(inner))
    return fail(AmountInputErrorCode.Invalid);

  const commas = count(inner, ',');
  const dots = count(inner, '.');
  let decimalSep: string | null = null;
  if (commas > 0 && dots > 0) {
    decimalSep = inner.lastIndexOf(',') > inner.lastIndexOf('.') ? ',' : '.';
    if (count(inner, decimalSep) > 1) return fail(AmountInputErrorCode.Invalid);
  } else if (commas + dots === 1) {
    const sep = commas === 1 ? ',' : '.';
    const after = inner.slice(inner.indexOf(sep) + 1).replace(SPACES, '');
    decimalSep = after.length === 3 && sep === GROUP[language] ? null : sep;
  }
  // Otherwise: no separator, or one separator repeated, which can only group thousands.

  let integerText = inner;
  let fraction = '';
  if (decimalSep !== null) {
    const at = inner.lastIndexOf(decimalSep);
    integerText = inner.slice(0, at);
    fraction = inner.slice(at + 1);
    if (!/^[0-9]+$/.test(fraction)) return fail(AmountInputErrorCode.Invalid);
  }
  const groupSep =
    decimalSep === null ? (commas > 0 ? ',' : dots > 0 ? '.' : null) : decimalSep === ',' ? '.' : ',';
  const integerDigits = readGroups(integerText, groupSep);
  if (integerDigits === null) return fail(AmountInputErrorCode.Invalid);
  if (fraction.length > 2) return fail(AmountInputErrorCode.TooManyDecimals);
  if (integerDigits === '' && fraction === '') return fail(AmountInputErrorCode.Invalid);
  const units = (integerDigits.replace(/^0+(?=[0-9])/, '') || '0') + fraction.padEnd(2, '0');
  if (units.replace(/^0+/, '').length > 19) return fail(AmountInputErrorCode.TooLarge);
  const amount = BigInt(units);
  if (amount === 0n) return fail(AmountInputErrorCode.Zero);
  if (amount < bounds.min) return fail(AmountInputErrorCode.TooSmall);
  if (amount > bounds.max) return fail(AmountInputErrorCode.TooLarge);
  return { ok: true, amount };
}

/**
 * The digits of an integer part whose thousands may be grouped by `groupSep` or by spaces: the
 * first group has one to three digits, every other exactly three. Null when the grouping is wrong.
 */
function readGroups(text: string, groupSep: string | null): string | null {
  const normalised = text.replace(SPACES, ' ').trim();
  if (normalised === '') return '';
  const separators = groupSep ? new RegExp(`[ ${groupSep === '.' ? '\\.' : ','}]`) : / /;
  const groups = normalised.split(separators);
  if (groups.length === 1) return /^[0-9]+$/.test(groups[0]) ? groups[0] : null;
  // A grouped number starts with a significant digit ("0,001" is no thousand).
  if (!/^[1-9][0-9]{0,2}$/.test(groups[0])) return null;
  for (const g of groups.slice(1)) if (!/^[0-9]{3}$/.test(g)) return null;
  // Mixed grouping ("1 234.567,00") is refused: one kind of separator at a time.
  const kinds = new Set(normalised.replace(/[0-9]/g, ''));
  if (kinds.size > 1) return null;
  return groups.join('');
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

/**
 * An amount as a form shows it back to the person who typed it, in the page's language: French
 * `1 234,56` (narrow no-break space), English `1,234.56`; whole amounts keep their decimals.
 * `parseAmountInput(formatAmountInput(x, l), l)` gives `x` back.
 */
export function formatAmountInput(amount: bigint, language: AmountLanguage): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(3, '0');
  const units = digits.slice(0, -2);
  const cents = digits.slice(-2);
  const group = language === 'fr' ? '\u202f' : ',';
  const grouped = units.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, group);
  return `${negative ? '-' : ''}${grouped}${DECIMAL[language]}${cents}`;
}
