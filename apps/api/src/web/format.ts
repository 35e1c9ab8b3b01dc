import { Lang } from './i18n';

const LOCALE: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * Cents (bigint or an integer string) as money in the page's language, exactly: the amount is
 * handed to Intl as a decimal string, never as a float.
 */
export function formatMoney(cents: bigint | string, currency: string, lang: Lang): string {
  const c = typeof cents === 'bigint' ? cents : BigInt(cents);
  const negative = c < 0n;
  const abs = negative ? -c : c;
  const decimal = `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  const format = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency });
  return (format.format as unknown as (v: string) => string)(decimal);
}

/** An integer count with the language's grouping. */
export function formatCount(n: number | bigint, lang: Lang): string {
  return new Intl.NumberFormat(LOCALE[lang]).format(n);
}

export const TIME_ZONE = 'Europe/Paris';

/** A date and time in Europe/Paris, with the zone shown (e.g. « 2 déc. 2026, 18:20 UTC+1 »). */
export function formatDateTime(d: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  })
    .format(d)
    .concat(' ', zoneName(d, lang));
}

/** A calendar day in Europe/Paris (e.g. « 2 déc. 2026 »). */
export function formatDate(d: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeZone: TIME_ZONE }).format(d);
}

function zoneName(d: Date, lang: Lang): string {
  const part = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: TIME_ZONE, timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  const offset = (part?.value ?? 'UTC').replace(/^GMT/, 'UTC');
  return lang === 'fr' ? `(heure de Paris, ${offset})` : `(Paris time, ${offset})`;
}

/** A fraction "n/d" as a percentage with two decimals, rounded half up, exactly (bigint). */
export function formatFraction(frac: string | undefined, lang: Lang): string {
  if (!frac) return lang === 'fr' ? '0,00 %' : '0.00 %';
  const [n, d] = frac.split('/').map((x) => BigInt(x));
  const bp = d === 0n ? 0n : (n * 20000n + d) / (2n * d);
  const sep = lang === 'fr' ? ',' : '.';
  return `${bp / 100n}${sep}${(bp % 100n).toString().padStart(2, '0')} %`;
}
