import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { isValidSiren, isValidSiret, luhnValid, normaliseSiret } from './siret';

interface SiretCase {
  input: string;
  type: 'siren' | 'siret';
  valid: boolean;
  why: string;
}

const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'siret.json'), 'utf8')) as {
  cases: SiretCase[];
};

describe('SIREN / SIRET validation', () => {
  it('loads the shared vectors', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(vectors.cases.map((c) => [`${c.type} ${JSON.stringify(c.input)} (${c.why})`, c] as const))(
    'vector: %s',
    (_n, c) => {
      const sut = c.type === 'siren' ? isValidSiren : isValidSiret;
      expect(sut(c.input)).toBe(c.valid);
    },
  );

  it('normalises a SIRET by stripping spaces', () => {
    expect(normaliseSiret('732 829 320 00074')).toBe('73282932000074');
  });

  it('every 9-digit string has exactly one Luhn check digit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), (body) => {
        const valid = [...'0123456789'].filter((d) => luhnValid(body + d));
        expect(valid).toHaveLength(1);
      }),
    );
  });

  it('a single changed digit breaks a valid (non-La Poste) SIRET', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{13}$/),
        fc.nat({ max: 13 }),
        fc.integer({ min: 1, max: 9 }),
        (body, pos, delta) => {
          const check = [...'0123456789'].find((d) => luhnValid(body + d))!;
          const siret = body + check;
          fc.pre(!siret.startsWith('356000000'));
          const changed =
            siret.slice(0, pos) + String((Number(siret[pos]) + delta) % 10) + siret.slice(pos + 1);
          expect(luhnValid(changed)).toBe(false);
        },
      ),
    );
  });
});
