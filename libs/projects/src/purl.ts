import { PackageURL } from 'packageurl-js';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

/**
 * The canonical identity of a package: its purl normalised by packageurl-js, without version,
 * qualifiers or subpath (`pkg:npm/%40angular/core@17?x=1#y` → `pkg:npm/%40angular/core`).
 * Throws `PurlInvalid` when the string is not a purl.
 */
export function versionlessPurl(input: string): string {
  const purl = tryVersionlessPurl(input);
  if (purl === null) {
    throw new ProjectsError(
      ProjectsErrorCode.PurlInvalid,
      `"${truncate(input)}" is not a valid package URL`,
      {
        purl: truncate(input),
      },
    );
  }
  return purl;
}

/** Like `versionlessPurl`, but null instead of an error (for SBOM components). */
export function tryVersionlessPurl(input: string): string | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2048) return null;
  try {
    const parsed = PackageURL.fromString(input.trim());
    return new PackageURL(
      parsed.type,
      parsed.namespace,
      parsed.name,
      undefined,
      undefined,
      undefined,
    ).toString();
  } catch {
    return null;
  }
}

function truncate(s: unknown): string {
  return typeof s === 'string' ? s.slice(0, 200) : String(s);
}
