import fc from 'fast-check';
import { creditorReference, formatCreditorReference, isValidCreditorReference } from './creditor-reference';

describe('ISO 11649 creditor references', () => {
  it.each([
    ['539007547034', 'RF18539007547034'],
    ['LIB2026000123', 'RF12LIB2026000123'],
    ['D2026X0042', 'RF04D2026X0042'],
  ])('generates the worked example %s → %s', (body, expected) => {
    expect(creditorReference(body)).toBe(expected);
    expect(isValidCreditorReference(expected)).toBe(true);
  });

  it.each(['RF19539007547034', 'RF18539007547043', 'RF98123456789012', 'RF1', 'XX18539007547034', ''])(
    'refuses %s',
    (value) => {
      expect(isValidCreditorReference(value)).toBe(false);
    },
  );

  it('ignores spaces and case, and prints in groups of four', () => {
    expect(isValidCreditorReference('rf18 5390 0754 7034')).toBe(true);
    expect(formatCreditorReference('RF18539007547034')).toBe('RF18 5390 0754 7034');
  });

  it('refuses a body that is empty, too long or not alphanumeric', () => {
    expect(() => creditorReference('')).toThrow(RangeError);
    expect(() => creditorReference('A'.repeat(22))).toThrow(RangeError);
    expect(() => creditorReference('AB-12')).toThrow(RangeError);
  });

  const body = fc.stringMatching(/^[0-9A-Z]{1,21}$/);

  it('every generated reference passes its own check (property)', () => {
    fc.assert(fc.property(body, (b) => isValidCreditorReference(creditorReference(b))));
  });

  // Mod 97-10 guarantees detection when a digit replaces a digit or a letter a letter, and for
  // swaps of two digits or two letters ("B1" ↔ "1B" is a known blind spot, so mixed swaps are left out).
  const sameKind = (a: string, b: string) => /[0-9]/.test(a) === /[0-9]/.test(b);

  it('any single changed character is detected (property)', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 0, max: 35 }), (b, at, replacement) => {
        const ref = creditorReference(b);
        const i = 2 + (at % (ref.length - 2));
        const ch = replacement.toString(36).toUpperCase();
        fc.pre(ref[i] !== ch && sameKind(ref[i], ch));
        return !isValidCreditorReference(ref.slice(0, i) + ch + ref.slice(i + 1));
      }),
    );
  });

  it('any swap of two adjacent different characters is detected (property)', () => {
    fc.assert(
      fc.property(body, fc.nat(), (b, at) => {
        const ref = creditorReference(b);
        const i = 2 + (at % (ref.length - 3));
        fc.pre(ref[i] !== ref[i + 1] && sameKind(ref[i], ref[i + 1]));
        const swapped = ref.slice(0, i) + ref[i + 1] + ref[i] + ref.slice(i + 2);
        return !isValidCreditorReference(swapped);
      }),
    );
  });
});
