import fc from 'fast-check';
import {
  AmountInputErrorCode,
  AmountLanguage,
  DEFAULT_AMOUNT_BOUNDS,
  formatAmountInput,
  parseAmountInput,
} from './amount-input';

const WIDE = { min: 1n, max: 10n ** 17n };

function cents(text: string, language: AmountLanguage, bounds = WIDE): bigint | string {
  const sut = parseAmountInput(text, language, bounds);
  return sut.ok ? sut.amount : sut.reason;
}

describe('parseAmountInput', () => {
  it.each<[string, AmountLanguage, bigint]>([
    ['12,50', 'fr', 1250n],
    ['12.50', 'fr', 1250n],
    ['12,50', 'en', 1250n],
    ['12.50', 'en', 1250n],
    ['12,5', 'fr', 1250n],
    ['12', 'fr', 1200n],
    ['12', 'en', 1200n],
    ['12 €', 'fr', 1200n],
    ['€12', 'en', 1200n],
    ['12 EUR', 'en', 1200n],
    ['1 234,56', 'fr', 123456n],
    ['1\u202f234,56\u00a0€', 'fr', 123456n],
    ['1,234.56', 'en', 123456n],
    ['1,234.56', 'fr', 123456n],
    ['1.234,56', 'fr', 123456n],
    ['1.234,56', 'en', 123456n],
    ['1.234', 'fr', 123400n],
    ['1,234', 'en', 123400n],
    ['1,234,567', 'fr', 123456700n],
    ['1 234 567', 'en', 123456700n],
    ['0,99', 'fr', 99n],
    [',50', 'fr', 50n],
    ['007', 'en', 700n],
    ['  25  ', 'fr', 2500n],
  ])('reads %p (%s) as %p cents', (text, language, expected) => {
    expect(cents(text, language)).toBe(expected);
  });

  it.each<[string, AmountLanguage, AmountInputErrorCode]>([
    ['', 'fr', AmountInputErrorCode.Empty],
    ['   ', 'en', AmountInputErrorCode.Empty],
    ['12,345', 'fr', AmountInputErrorCode.TooManyDecimals],
    ['1.234', 'en', AmountInputErrorCode.TooManyDecimals],
    ['12.3456', 'fr', AmountInputErrorCode.TooManyDecimals],
    ['0,001', 'fr', AmountInputErrorCode.TooManyDecimals],
    ['0,001', 'en', AmountInputErrorCode.Invalid],
    ['-12', 'fr', AmountInputErrorCode.Negative],
    ['\u221212,50', 'fr', AmountInputErrorCode.Negative],
    ['- 5 €', 'fr', AmountInputErrorCode.Negative],
    ['€-5', 'en', AmountInputErrorCode.Negative],
    ['0', 'fr', AmountInputErrorCode.Zero],
    ['0,00', 'fr', AmountInputErrorCode.Zero],
    ['douze', 'fr', AmountInputErrorCode.Invalid],
    ['12abc', 'en', AmountInputErrorCode.Invalid],
    ['1e3', 'en', AmountInputErrorCode.Invalid],
    ['12.', 'en', AmountInputErrorCode.Invalid],
    ['12 50', 'fr', AmountInputErrorCode.Invalid],
    ['1,23,456', 'en', AmountInputErrorCode.Invalid],
    ['1.234.56', 'fr', AmountInputErrorCode.Invalid],
    ['1,234,56.00', 'en', AmountInputErrorCode.Invalid],
    ['1 234.567,00', 'fr', AmountInputErrorCode.Invalid],
    ['12,50,1', 'fr', AmountInputErrorCode.Invalid],
    ['+12', 'en', AmountInputErrorCode.Invalid],
    ['0x10', 'en', AmountInputErrorCode.Invalid],
    ['12€50', 'fr', AmountInputErrorCode.Invalid],
    ['9'.repeat(65), 'en', AmountInputErrorCode.Invalid],
    ['9'.repeat(40), 'en', AmountInputErrorCode.TooLarge],
  ])('refuses %p (%s): %s', (text, language, reason) => {
    expect(cents(text, language)).toBe(reason);
  });

  it('applies the bounds, by default 1.00 to 999,999.99', () => {
    expect(cents('0,99', 'fr', DEFAULT_AMOUNT_BOUNDS)).toBe(AmountInputErrorCode.TooSmall);
    expect(cents('1', 'fr', DEFAULT_AMOUNT_BOUNDS)).toBe(100n);
    expect(cents('999 999,99', 'fr', DEFAULT_AMOUNT_BOUNDS)).toBe(99_999_999n);
    expect(cents('1 000 000', 'fr', DEFAULT_AMOUNT_BOUNDS)).toBe(AmountInputErrorCode.TooLarge);
    const refused = parseAmountInput('5', 'en', { min: 1000n, max: 2000n });
    expect(refused).toEqual({
      ok: false,
      reason: AmountInputErrorCode.TooSmall,
      bounds: { min: 1000n, max: 2000n },
    });
  });

  it('gives back the cents it formatted, in French and English', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 17n }),
        fc.constantFrom<AmountLanguage>('fr', 'en'),
        (amount, language) => {
          expect(cents(formatAmountInput(amount, language), language)).toBe(amount);
        },
      ),
    );
  });

  it("reads what Intl's currency format prints (as browsers and spreadsheets show amounts)", () => {
    const formats = {
      fr: new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }),
      en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }),
    };
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 13n }),
        fc.constantFrom<AmountLanguage>('fr', 'en'),
        (amount, language) => {
          // Only the test goes through a number (exact below 2^53) to get Intl's text.
          const text = formats[language].format(Number(amount) / 100);
          expect(cents(text, language)).toBe(amount);
        },
      ),
    );
  });

  it('never accepts what it cannot read exactly: any accepted text has at most two decimals', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9 ,.€-]{1,16}$/),
        fc.constantFrom<AmountLanguage>('fr', 'en'),
        (text, language) => {
          const sut = parseAmountInput(text, language, WIDE);
          if (!sut.ok) return;
          const digits = text.replace(/[^0-9]/g, '').replace(/^0+/, '');
          // The amount's significant digits are the typed ones, shifted by at most two places.
          const shown = sut.amount.toString();
          expect([digits, digits + '0', digits + '00']).toContain(shown);
        },
      ),
    );
  });
});

describe('formatAmountInput', () => {
  it('shows amounts as each language writes them', () => {
    expect(formatAmountInput(123456n, 'fr')).toBe('1\u202f234,56');
    expect(formatAmountInput(123456n, 'en')).toBe('1,234.56');
    expect(formatAmountInput(5n, 'fr')).toBe('0,05');
    expect(formatAmountInput(100000000n, 'en')).toBe('1,000,000.00');
  });
});
