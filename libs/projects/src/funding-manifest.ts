import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { FUNDING_MANIFEST_SCHEMA } from './funding-manifest.schema';
import { TextFetcher } from './outbound/outbound-fetcher';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

export const WELL_KNOWN_MANIFEST_LIST = '/.well-known/funding-manifest-urls';
/** Where a maintainer publishes our control token, at the root of the project's website. */
export const WELL_KNOWN_CONTROL_TOKEN = '/.well-known/librery-verification';

export interface ManifestUrl {
  readonly url: string;
  readonly wellKnown?: string;
}

export interface FundingManifest {
  readonly version: string;
  readonly entity: {
    readonly type: string;
    readonly role: string;
    readonly name: string;
    readonly email: string;
    readonly phone?: string;
    readonly description?: string;
    readonly webpageUrl: ManifestUrl;
  };
  readonly projects: readonly {
    readonly guid: string;
    readonly name: string;
    readonly description: string;
    readonly webpageUrl: ManifestUrl;
    readonly repositoryUrl: ManifestUrl;
    readonly licenses: readonly string[];
    readonly tags: readonly string[];
  }[];
  readonly funding: {
    readonly channels: readonly { guid: string; type: string; address?: string; description?: string }[];
    readonly plans: readonly {
      guid: string;
      status: string;
      name: string;
      amount: number;
      currency: string;
      frequency: string;
      channels: readonly string[];
    }[];
    readonly history?: readonly { year: number; income?: number; expenses?: number; currency?: string }[];
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSchema = ajv.compile(FUNDING_MANIFEST_SCHEMA);

/** Validates a parsed `funding.json` against the v1 schema and its cross-field rules. */
export function validateFundingManifest(json: unknown): FundingManifest {
  if (!validateSchema(json)) {
    throw invalid('funding.json does not match the v1 schema', formatErrors(validateSchema.errors ?? []));
  }
  const manifest = json as unknown as FundingManifest;
  const problems: string[] = [];
  const unique = (label: string, ids: readonly string[]): void => {
    if (new Set(ids).size !== ids.length) problems.push(`${label} guids must be unique`);
  };
  unique(
    'projects[]',
    manifest.projects.map((p) => p.guid),
  );
  unique(
    'funding.channels[]',
    manifest.funding.channels.map((c) => c.guid),
  );
  unique(
    'funding.plans[]',
    manifest.funding.plans.map((p) => p.guid),
  );
  const channels = new Set(manifest.funding.channels.map((c) => c.guid));
  manifest.funding.plans.forEach((plan, i) => {
    for (const ch of plan.channels)
      if (!channels.has(ch)) problems.push(`funding.plans[${i}] names unknown channel "${ch}"`);
  });
  if (problems.length > 0) throw invalid('funding.json is not consistent', problems);
  return manifest;
}

/** Parses the text of a `funding.json`, then validates it. */
export function parseFundingManifest(text: string): FundingManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('funding.json is not valid JSON', []);
  }
  return validateFundingManifest(json);
}

/**
 * The FLOSS/fund provenance rule for one URL named in a manifest: `null` when the manifest's own
 * location vouches for it (same host, and one path nests in the other, or the manifest at the
 * host's root), otherwise the well-known URL that must list the manifest URL. Throws
 * `OwnershipNotProven` when a well-known URL is needed but missing or badly placed.
 */
export function wellKnownRequirement(manifestUrl: string, target: ManifestUrl): string | null {
  const manifest = parseHttpUrl(manifestUrl, 'manifest URL');
  const url = parseHttpUrl(target.url, 'URL');
  const mfPath = trimSlashes(manifest.pathname.replace(/funding\.json$/, '')) + '/';
  const tgPath = trimSlashes(url.pathname) + '/';
  if (
    manifest.host === url.host &&
    (mfPath === '/' || tgPath.startsWith(mfPath) || mfPath.startsWith(tgPath))
  ) {
    return null;
  }
  if (!target.wellKnown) {
    throw notProven(
      `${target.url} is not under the manifest's location; it needs a wellKnown URL ending in ${WELL_KNOWN_MANIFEST_LIST}`,
    );
  }
  const wk = parseHttpUrl(target.wellKnown, 'wellKnown URL');
  const wkPath = trimSlashes(wk.pathname);
  if (!wkPath.endsWith(WELL_KNOWN_MANIFEST_LIST)) {
    throw notProven(`the wellKnown URL must end in ${WELL_KNOWN_MANIFEST_LIST}`);
  }
  if (wk.host !== url.host) throw notProven(`the wellKnown URL must be on ${url.host}`);
  const atRoot = wkPath === WELL_KNOWN_MANIFEST_LIST;
  if (!atRoot && tgPath !== '/' && !(wkPath + '/').startsWith(tgPath)) {
    throw notProven(`the wellKnown URL must be at the root of ${url.host} or under ${url.pathname}`);
  }
  return wk.toString();
}

/** True when `manifestUrl` is an exact line among the first 100 lines of a well-known list. */
export function wellKnownListIncludes(body: string, manifestUrl: string): boolean {
  const lines = body.split('\n', 101).slice(0, 100);
  return lines.some((line) => line.replace(/\r$/, '') === manifestUrl);
}

/**
 * Verifies that the manifest at `manifestUrl` vouches for `projectUrl` (the project's repository
 * or website): some project of the manifest names that URL, and the provenance rule holds for it
 * (fetching the well-known list when the rule needs one). Returns the manifest project's guid.
 */
export async function verifyManifestOwnership(
  manifest: FundingManifest,
  manifestUrl: string,
  projectUrls: readonly string[],
  fetchText: TextFetcher,
): Promise<{ guid: string; url: string }> {
  const wanted = new Set(projectUrls.map(comparableUrl));
  for (const project of manifest.projects) {
    for (const target of [project.repositoryUrl, project.webpageUrl]) {
      if (!wanted.has(comparableUrl(target.url))) continue;
      const wellKnown = wellKnownRequirement(manifestUrl, target);
      if (wellKnown !== null) {
        let body: string;
        try {
          body = await fetchText(wellKnown);
        } catch (error) {
          // The reason (an address, a status) is for the log: the caller must not learn it.
          throw notProven(`${wellKnown} could not be fetched`, error);
        }
        if (!wellKnownListIncludes(body, manifestUrl))
          throw notProven(`${wellKnown} does not list ${manifestUrl}`);
      }
      return { guid: project.guid, url: target.url };
    }
  }
  throw notProven(`no project in ${manifestUrl} names ${projectUrls.join(' or ')}`);
}

/** The URL where a maintainer publishes the control token of a project whose website is `website`. */
export function controlTokenUrl(website: string): string {
  const url = parseHttpUrl(website, 'website');
  return `${url.protocol}//${url.host}${WELL_KNOWN_CONTROL_TOKEN}`;
}

/** True when the token is an exact line (trimmed) of the published file's first 100 lines. */
export function controlTokenPublished(body: string, token: string): boolean {
  return body
    .split('\n', 101)
    .slice(0, 100)
    .some((line) => line.trim() === token);
}

/** A URL compared loosely: lower-case host, no trailing slash, no `.git`, no query or fragment. */
export function comparableUrl(input: string): string {
  try {
    const url = new URL(input);
    return `${url.host.toLowerCase()}${trimSlashes(url.pathname).replace(/\.git$/, '')}`;
  } catch {
    return input;
  }
}

function parseHttpUrl(input: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid(`the ${label} is not a valid URL`, [String(input).slice(0, 200)]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`the ${label} must be http(s)`, [input]);
  return url;
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

function invalid(message: string, problems: string[]): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.FundingManifestInvalid, message, { problems });
}

function notProven(message: string, cause?: unknown): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.OwnershipNotProven, message, {}, cause);
}
