import { GovernanceError, GovernanceErrorCode } from '../governance.errors';

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return abs((a / gcd(a, b)) * b);
}

/**
 * An exact rational number on bigint, always reduced, denominator ≥ 1.
 * Formats as "N/D" ("3/1" for 3, "0/1" for 0), the form the test vectors and audit records use.
 */
export class Rational {
  static readonly ZERO = new Rational(0n, 1n, true);
  static readonly ONE = new Rational(1n, 1n, true);
  static readonly HALF = new Rational(1n, 2n, true);

  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint, reduced: boolean) {
    if (reduced) {
      this.num = num;
      this.den = den;
      return;
    }
    if (den === 0n)
      throw new GovernanceError(
        GovernanceErrorCode.InvalidInput,
        'a fraction cannot have a zero denominator',
      );
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    return new Rational(BigInt(num), BigInt(den), false);
  }

  /** Parses "N/D" (or an integer "N"); throws on anything else. */
  static parse(text: string): Rational {
    const m = /^(-?\d+)(?:\/(\d+))?$/.exec(text.trim());
    if (!m) throw new GovernanceError(GovernanceErrorCode.InvalidInput, `not a fraction: "${text}"`);
    return Rational.of(BigInt(m[1]), m[2] === undefined ? 1n : BigInt(m[2]));
  }

  add(o: Rational): Rational {
    if (this.den === o.den) return Rational.of(this.num + o.num, this.den);
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return this.add(o.neg());
  }

  neg(): Rational {
    return new Rational(-this.num, this.den, true);
  }

  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }

  div(o: Rational): Rational {
    if (o.num === 0n) throw new GovernanceError(GovernanceErrorCode.InvalidInput, 'division by zero');
    return Rational.of(this.num * o.den, this.den * o.num);
  }

  /** -1, 0 or 1. */
  compare(o: Rational): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l === r ? 0 : l < r ? -1 : 1;
  }

  eq(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  gt(o: Rational): boolean {
    return this.compare(o) > 0;
  }
  gte(o: Rational): boolean {
    return this.compare(o) >= 0;
  }
  lt(o: Rational): boolean {
    return this.compare(o) < 0;
  }
  isZero(): boolean {
    return this.num === 0n;
  }

  /** Largest integer ≤ this. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  toString(): string {
    return `${this.num}/${this.den}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
