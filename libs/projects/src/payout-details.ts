import { electronicFormatIBAN, extractIBAN, isSEPACountry, isValidBIC, validateIBAN } from 'ibantools';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

export interface SepaPayoutDetails {
  readonly kind: 'sepa';
  readonly accountHolder: string;
  /** Electronic format: upper case, no spaces. */
  readonly iban: string;
  readonly bic: string | null;
  readonly countryCode: string;
}

export interface StripePayoutDetails {
  readonly kind: 'stripe';
  readonly stripeAccountId: string;
}

export type PayoutDetails = SepaPayoutDetails | StripePayoutDetails;

/**
 * Validates and normalises SEPA bank details: the IBAN must pass ibantools' check and belong to
 * a SEPA country; the BIC, when given, must be valid and of the same country.
 */
export function validateSepaPayout(input: {
  accountHolder: string;
  iban: string;
  bic?: string | null;
}): SepaPayoutDetails {
  const accountHolder = input.accountHolder.trim();
  if (accountHolder.length < 2 || accountHolder.length > 140) {
    throw new ProjectsError(
      ProjectsErrorCode.InvalidInput,
      'the account holder name must have 2 to 140 characters',
    );
  }
  const iban = electronicFormatIBAN(input.iban) ?? '';
  const result = validateIBAN(iban);
  if (!result.valid) {
    throw new ProjectsError(ProjectsErrorCode.IbanInvalid, 'the IBAN is not valid', {
      errorCodes: result.errorCodes,
    });
  }
  const countryCode = extractIBAN(iban).countryCode ?? iban.slice(0, 2);
  if (!isSEPACountry(countryCode)) {
    throw new ProjectsError(
      ProjectsErrorCode.PayoutCountryNotSepa,
      `IBAN country ${countryCode} is not in the SEPA area`,
      {
        countryCode,
      },
    );
  }
  let bic: string | null = null;
  if (input.bic !== undefined && input.bic !== null && input.bic.trim() !== '') {
    bic = input.bic.replace(/\s+/g, '').toUpperCase();
    if (!isValidBIC(bic)) throw new ProjectsError(ProjectsErrorCode.BicInvalid, 'the BIC is not valid');
    const bicCountry = bic.slice(4, 6);
    // Monaco, San Marino… use French/Italian banks; only refuse an obviously foreign, non-SEPA BIC.
    if (!isSEPACountry(bicCountry)) {
      throw new ProjectsError(
        ProjectsErrorCode.BicInvalid,
        `BIC country ${bicCountry} is not in the SEPA area`,
      );
    }
  }
  return { kind: 'sepa', accountHolder, iban, bic, countryCode };
}

/** A Stripe Connect account id (`acct_` then letters and digits). */
export function validateStripeAccount(id: string): StripePayoutDetails {
  const stripeAccountId = id.trim();
  if (!/^acct_[A-Za-z0-9]{6,64}$/.test(stripeAccountId)) {
    throw new ProjectsError(
      ProjectsErrorCode.StripeAccountInvalid,
      'not a Stripe Connect account id (acct_…)',
    );
  }
  return { kind: 'stripe', stripeAccountId };
}

/** What may be shown to the maintainer: the IBAN masked to its country and last four characters. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 2)}•• •••• ${iban.slice(-4)}`;
}
