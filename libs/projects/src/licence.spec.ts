import fc from 'fast-check';
import { seededPolicy } from '../../../test/fixtures/sbom/seeded-policy';
import { checkLicence, normaliseLicence, suggestLicence } from './licence';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

function errorOf(fn: () => unknown): ProjectsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProjectsError) return error;
    throw error;
  }
  throw new Error('expected a ProjectsError');
}

describe('licence check against the policy allow-list', () => {
  let allowList: string[];
  beforeAll(async () => {
    allowList = (await seededPolicy()).licenceAllowList;
  });

  it.each([
    'MIT',
    'Apache-2.0',
    'CECILL-B',
    'CECILL-C',
    'CECILL-2.1',
    'etalab-2.0',
    'EUPL-1.2',
    'EPL-2.0',
    'GPL-3.0-or-later',
    'AGPL-3.0-only',
  ])('admits %s (OSI plus the French administration list, never "OSI only")', (id) => {
    expect(checkLicence(id, allowList).normalised).toBe(id);
  });

  it('normalises case, operators and parentheses', () => {
    const sut = normaliseLicence('  mit or (apache-2.0 and bsd-3-clause) ');
    expect(sut.normalised).toBe('MIT OR Apache-2.0 AND BSD-3-Clause');
    expect(sut.licences).toEqual(['MIT', 'Apache-2.0', 'BSD-3-Clause']);
    expect(normaliseLicence('(MIT OR ISC) AND Zlib').normalised).toBe('(MIT OR ISC) AND Zlib');
    expect(normaliseLicence('cecill-b').normalised).toBe('CECILL-B');
    expect(normaliseLicence('Etalab-2.0').normalised).toBe('etalab-2.0');
  });

  it('accepts an OR when one side is allowed, an AND only when both are', () => {
    expect(checkLicence('SSPL-1.0 OR MIT', allowList).normalised).toBe('SSPL-1.0 OR MIT');
    const error = errorOf(() => checkLicence('MIT AND SSPL-1.0', allowList));
    expect(error.code).toBe(ProjectsErrorCode.LicenceNotAllowed);
    expect(error.details.notAllowed).toEqual(['SSPL-1.0']);
    expect(error.message).toContain('SSPL-1.0');
  });

  it('judges a licence WITH an exception on its licence', () => {
    expect(checkLicence('Apache-2.0 WITH LLVM-exception', allowList).normalised).toBe(
      'Apache-2.0 WITH LLVM-exception',
    );
    expect(checkLicence('GPL-2.0-or-later WITH Classpath-exception-2.0', allowList).licences).toEqual([
      'GPL-2.0-or-later',
    ]);
  });

  it('refuses proprietary references and source-available licences, naming them', () => {
    for (const expression of ['LicenseRef-Proprietary', 'BUSL-1.1', 'SSPL-1.0', 'CC-BY-NC-4.0']) {
      const error = errorOf(() => checkLicence(expression, allowList));
      expect(error.code).toBe(ProjectsErrorCode.LicenceNotAllowed);
      expect(error.details.notAllowed).toEqual([expression]);
    }
  });

  it('refuses an invalid expression and suggests the corrected id', () => {
    const error = errorOf(() => checkLicence('Apache 2', allowList));
    expect(error.code).toBe(ProjectsErrorCode.LicenceInvalid);
    expect(error.details.suggestion).toBe('Apache-2.0');
    expect(errorOf(() => checkLicence('GPLv3', allowList)).details.suggestion).toBe('GPL-3.0-or-later');
    expect(errorOf(() => checkLicence('MIT AND', allowList)).code).toBe(ProjectsErrorCode.LicenceInvalid);
    expect(errorOf(() => checkLicence('', allowList)).code).toBe(ProjectsErrorCode.LicenceInvalid);
    expect(errorOf(() => checkLicence('not a licence at all !', allowList)).details.suggestion).toBeNull();
  });

  it('suggests per term in a compound expression', () => {
    expect(suggestLicence('Apache 2 OR GPLv2')).toBe('Apache-2.0 OR GPL-2.0-only');
  });

  it('a normalised expression normalises to itself and keeps its verdict (property)', () => {
    const leaf = fc.constantFrom(
      'MIT',
      'mit',
      'Apache-2.0',
      'CECILL-B',
      'etalab-2.0',
      'EUPL-1.2',
      'SSPL-1.0',
      'BUSL-1.1',
      'GPL-2.0+',
      'LicenseRef-x',
    );
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(tie('e'), fc.constantFrom('AND', 'OR', 'and', 'or'), tie('e'))
          .map(([a, op, b]) => `(${a}) ${op} (${b})`),
      ),
    })).e;
    fc.assert(
      fc.property(expr, (e) => {
        const once = normaliseLicence(e).normalised;
        expect(normaliseLicence(once).normalised).toBe(once);
        const verdict = (s: string): string => {
          try {
            checkLicence(s, allowList);
            return 'ok';
          } catch (error) {
            return (error as ProjectsError).code;
          }
        };
        expect(verdict(once)).toBe(verdict(e));
      }),
    );
  });
});
