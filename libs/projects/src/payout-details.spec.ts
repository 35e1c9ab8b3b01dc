import { maskIban, validateSepaPayout, validateStripeAccount } from './payout-details';
import { ProjectsErrorCode } from './projects.errors';

describe('payout details', () => {
  it('accepts a French IBAN in any spacing and a matching BIC, normalised', () => {
    const sut = validateSepaPayout({
      accountHolder: ' Association Libre ',
      iban: 'fr76 3000 6000 0112 3456 7890 189',
      bic: 'agrifrpp',
    });
    expect(sut).toEqual({
      kind: 'sepa',
      accountHolder: 'Association Libre',
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPP',
      countryCode: 'FR',
    });
    expect(maskIban(sut.iban)).toBe('FR•• •••• 0189');
  });

  it('accepts other SEPA countries, including non-EU ones', () => {
    expect(validateSepaPayout({ accountHolder: 'Verein', iban: 'DE89370400440532013000' }).countryCode).toBe(
      'DE',
    );
    expect(validateSepaPayout({ accountHolder: 'Verein', iban: 'CH9300762011623852957' }).countryCode).toBe(
      'CH',
    );
  });

  it('refuses an IBAN with a wrong check digit', () => {
    expect(() => validateSepaPayout({ accountHolder: 'X Y', iban: 'FR7630006000011234567890188' })).toThrow(
      expect.objectContaining({ code: ProjectsErrorCode.IbanInvalid }),
    );
  });

  it('refuses a valid IBAN outside the SEPA area', () => {
    expect(() => validateSepaPayout({ accountHolder: 'X Y', iban: 'BR1800360305000010009795493C1' })).toThrow(
      expect.objectContaining({ code: ProjectsErrorCode.PayoutCountryNotSepa }),
    );
  });

  it('refuses an invalid BIC', () => {
    expect(() =>
      validateSepaPayout({ accountHolder: 'X Y', iban: 'DE89370400440532013000', bic: 'NOTABIC!' }),
    ).toThrow(expect.objectContaining({ code: ProjectsErrorCode.BicInvalid }));
  });

  it('accepts only Stripe Connect account ids', () => {
    expect(validateStripeAccount('acct_1Nv0FGQ9RKHgCVdK').stripeAccountId).toBe('acct_1Nv0FGQ9RKHgCVdK');
    expect(() => validateStripeAccount('cus_123456')).toThrow(
      expect.objectContaining({ code: ProjectsErrorCode.StripeAccountInvalid }),
    );
  });
});
