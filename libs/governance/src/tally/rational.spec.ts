import fc from 'fast-check';
import { GovernanceError } from '../governance.errors';
import { Rational } from './rational';

describe('Rational', () => {
  it('reduces and formats as N/D', () => {
    expect(Rational.of(6, 4).toString()).toBe('3/2');
    expect(Rational.of(0, 7).toString()).toBe('0/1');
    expect(Rational.of(3).toString()).toBe('3/1');
    expect(Rational.of(2, -4).toString()).toBe('-1/2');
    expect(Rational.parse('10/4').toString()).toBe('5/2');
    expect(Rational.parse('7').toString()).toBe('7/1');
  });

  it('rejects a zero denominator and garbage', () => {
    expect(() => Rational.of(1, 0)).toThrow(GovernanceError);
    expect(() => Rational.parse('1/2/3')).toThrow(GovernanceError);
    expect(() => Rational.parse('0.5')).toThrow(GovernanceError);
  });

  it('floors towards minus infinity', () => {
    expect(Rational.of(7, 2).floor()).toBe(3n);
    expect(Rational.of(-7, 2).floor()).toBe(-4n);
    expect(Rational.of(-6, 2).floor()).toBe(-3n);
  });

  const ratArb = fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 20n }))
    .map(([n, d]) => Rational.of(n, d));

  it('property: field laws and order agree', () => {
    fc.assert(
      fc.property(ratArb, ratArb, ratArb, (a, b, c) => {
        expect(a.add(b).eq(b.add(a))).toBe(true);
        expect(a.mul(b.add(c)).eq(a.mul(b).add(a.mul(c)))).toBe(true);
        expect(a.sub(b).add(b).eq(a)).toBe(true);
        if (!b.isZero()) expect(a.div(b).mul(b).eq(a)).toBe(true);
        expect(Math.sign(a.compare(b)) + Math.sign(b.compare(a))).toBe(0); // -0 is not 0 for toBe
        expect(Rational.parse(a.toString()).eq(a)).toBe(true);
        const f = a.floor();
        expect(Rational.of(f).compare(a) <= 0 && Rational.of(f + 1n).gt(a)).toBe(true);
      }),
    );
  });
});
