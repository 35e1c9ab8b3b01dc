import fc from 'fast-check';
import { versionlessPurl, tryVersionlessPurl } from './purl';
import { ProjectsErrorCode } from './projects.errors';

describe('versionless purls', () => {
  it.each([
    ['pkg:npm/%40angular/core@17.0.0', 'pkg:npm/%40angular/core'],
    ['pkg:NPM/Foo@1.2.3?arch=x86#sub/path', 'pkg:npm/foo'],
    ['pkg:pypi/Django_Rest@3.1', 'pkg:pypi/django-rest'],
    [
      'pkg:maven/org.springframework.integration/spring-integration-jms@5.5.5',
      'pkg:maven/org.springframework.integration/spring-integration-jms',
    ],
    ['pkg:github/Owner/Repo', 'pkg:github/owner/repo'],
    ['pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c', 'pkg:golang/github.com/gorilla/context'],
    ['pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie', 'pkg:deb/debian/curl'],
  ])('%s → %s', (input, expected) => {
    expect(versionlessPurl(input)).toBe(expected);
  });

  it.each(['nope', 'pkg:npm/', 'https://example.org/x', ''])('refuses %j', (input) => {
    expect(() => versionlessPurl(input)).toThrow(
      expect.objectContaining({ code: ProjectsErrorCode.PurlInvalid }),
    );
    expect(tryVersionlessPurl(input)).toBeNull();
  });

  it('is idempotent and ignores the version (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(
        name,
        fc.option(name, { nil: undefined }),
        fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}$/),
        (n, scope, version) => {
          const base = `pkg:npm/${scope ? `%40${scope}/` : ''}${n}`;
          const once = versionlessPurl(`${base}@${version}`);
          expect(once).toBe(versionlessPurl(base));
          expect(versionlessPurl(once)).toBe(once);
        },
      ),
    );
  });
});
