import { AmountBounds, AmountInputErrorCode, AmountLanguage, parseAmountInput } from '@app/money';
import { DonationMode, MAX_DONATION, MIN_DONATION } from './donations.service';

/** What a donor chose on the donate pages: amount, frequency and where the directed share goes. */
export interface GivingChoice {
  readonly amount: bigint;
  readonly frequency: DonationMode;
  /** True: "let the committee decide" (no direction; the directed share goes to the pool). */
  readonly committee: boolean;
  /** Chosen projects by slug with their integer weights, in the donor's order (empty with `committee`). */
  readonly projects: readonly { readonly slug: string; readonly weight: bigint }[];
}

/** How the donor appears: by a public name, or by a stable pseudonym; an optional address for the key. */
export interface GivingIdentity {
  readonly publicName: string | null;
  readonly email: string | null;
}

/** Why a field of the donate form was refused; the pages say it in the donor's language. */
export type GivingFieldErrorCode =
  | `amount.${AmountInputErrorCode}`
  | 'frequency.invalid'
  | 'spread.invalid'
  | 'projects.none'
  | 'projects.too_many'
  | 'projects.unknown'
  | 'weight.invalid'
  | 'named.invalid'
  | 'publicName.required'
  | 'publicName.too_long'
  | 'email.invalid';

export interface GivingFieldError {
  /** The form field (its `name`), to link the error summary to it. */
  readonly field: string;
  readonly code: GivingFieldErrorCode;
}

/** The raw values of the donate form, as query or body strings (repeated fields as arrays). */
export type GivingFormValues = Record<string, string | string[] | undefined>;

export const GIVING_FREQUENCIES: readonly DonationMode[] = ['one_time', 'monthly', 'yearly'];
/** Most projects one gift from the pages may name. */
export const MAX_GIVING_PROJECTS = 20;
/** Largest weight a donor may give one project. */
export const MAX_GIVING_WEIGHT = 100n;
export const GIVING_AMOUNT_BOUNDS: AmountBounds = { min: MIN_DONATION, max: MAX_DONATION };
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const EMAIL = /^[^@\s]{1,64}@[^@\s]{1,190}$/;

export function one(values: GivingFormValues, name: string): string {
  const v = values[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function many(values: GivingFormValues, name: string): string[] {
  const v = values[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The field holding a project's weight. */
export function weightField(slug: string): string {
  return `w_${slug}`;
}

/** Step 1: the amount (typed in the page's language) and the frequency. */
export function readAmountStep(
  values: GivingFormValues,
  language: AmountLanguage,
): { amount: bigint | null; frequency: DonationMode | null; errors: GivingFieldError[] } {
  const errors: GivingFieldError[] = [];
  const parsed = parseAmountInput(one(values, 'amount'), language, GIVING_AMOUNT_BOUNDS);
  if (!parsed.ok) errors.push({ field: 'amount', code: `amount.${parsed.reason}` });
  const frequency = one(values, 'frequency') || 'one_time';
  const known = (GIVING_FREQUENCIES as readonly string[]).includes(frequency);
  if (!known) errors.push({ field: 'frequency', code: 'frequency.invalid' });
  return {
    amount: parsed.ok ? parsed.amount : null,
    frequency: known ? (frequency as DonationMode) : null,
    errors,
  };
}

/**
 * The chosen projects (`p`, repeated, in order, duplicates dropped) with their weights
 * (`w_<slug>`, default 1), and the removal asked by a `remove` button; malformed slugs are dropped.
 */
export function readSelection(values: GivingFormValues): {
  projects: { slug: string; weightText: string }[];
} {
  const remove = one(values, 'remove');
  const add = one(values, 'add');
  const slugs: string[] = [];
  for (const s of [...many(values, 'p'), ...(add ? [add] : [])]) {
    if (SLUG.test(s) && !slugs.includes(s) && s !== remove) slugs.push(s);
  }
  return { projects: slugs.map((slug) => ({ slug, weightText: one(values, weightField(slug)) || '1' })) };
}

/** Steps 1 and 2 together: everything the split depends on. */
export function readChoice(
  values: GivingFormValues,
  language: AmountLanguage,
): { choice: GivingChoice | null; errors: GivingFieldError[] } {
  const step1 = readAmountStep(values, language);
  const errors = [...step1.errors];
  const spread = one(values, 'spread') || 'projects';
  if (spread !== 'projects' && spread !== 'committee')
    errors.push({ field: 'spread', code: 'spread.invalid' });
  const committee = spread === 'committee';
  const projects: { slug: string; weight: bigint }[] = [];
  if (!committee) {
    const selection = readSelection(values).projects;
    if (selection.length === 0) errors.push({ field: 'spread', code: 'projects.none' });
    if (selection.length > MAX_GIVING_PROJECTS) errors.push({ field: 'spread', code: 'projects.too_many' });
    for (const { slug, weightText } of selection) {
      const text = weightText.trim();
      if (!/^[0-9]{1,3}$/.test(text) || BigInt(text) < 1n || BigInt(text) > MAX_GIVING_WEIGHT) {
        errors.push({ field: weightField(slug), code: 'weight.invalid' });
      } else projects.push({ slug, weight: BigInt(text) });
    }
  }
  if (errors.length > 0 || step1.amount === null || step1.frequency === null) return { choice: null, errors };
  return { choice: { amount: step1.amount, frequency: step1.frequency, committee, projects }, errors };
}

/** Step 3: named or anonymous (`named` = yes|no, `publicName`), and an optional `email`. */
export function readIdentity(values: GivingFormValues): {
  identity: GivingIdentity | null;
  errors: GivingFieldError[];
} {
  const errors: GivingFieldError[] = [];
  const named = one(values, 'named') || 'no';
  if (named !== 'yes' && named !== 'no') errors.push({ field: 'named', code: 'named.invalid' });
  const name = one(values, 'publicName').trim();
  if (named === 'yes' && name === '') errors.push({ field: 'publicName', code: 'publicName.required' });
  if (named === 'yes' && name.length > 120) errors.push({ field: 'publicName', code: 'publicName.too_long' });
  const email = one(values, 'email').trim();
  if (email !== '' && !EMAIL.test(email)) errors.push({ field: 'email', code: 'email.invalid' });
  if (errors.length > 0) return { identity: null, errors };
  return { identity: { publicName: named === 'yes' ? name : null, email: email || null }, errors };
}
