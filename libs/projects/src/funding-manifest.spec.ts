import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  controlTokenPublished,
  controlTokenUrl,
  parseFundingManifest,
  validateFundingManifest,
  verifyManifestOwnership,
  wellKnownListIncludes,
  wellKnownRequirement,
} from './funding-manifest';
import { boundedFetcher } from './outbound/outbound-fetcher';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

function manifest(
  overrides: {
    repositoryUrl?: { url: string; wellKnown?: string };
    webpageUrl?: { url: string; wellKnown?: string };
  } = {},
) {
  return {
    version: 'v1.0.0',
    entity: {
      type: 'organisation',
      role: 'steward',
      name: 'Association Exemple',
      email: 'contact@example.org',
      phone: '',
      description: 'Maintains the example libraries.',
      webpageUrl: { url: 'https://example.org' },
    },
    projects: [
      {
        guid: 'example-lib',
        name: 'Example lib',
        description: 'A library used by public services.',
        webpageUrl: overrides.webpageUrl ?? { url: 'https://example.org/lib' },
        repositoryUrl: overrides.repositoryUrl ?? { url: 'https://example.org/git/lib' },
        licenses: ['spdx:EUPL-1.2'],
        tags: ['library', 'e-government'],
      },
    ],
    funding: {
      channels: [
        {
          guid: 'bank-transfer',
          type: 'bank',
          address: 'FR76 3000 6000 0112 3456 7890 189',
          description: 'SEPA',
        },
      ],
      plans: [
        {
          guid: 'hosting',
          status: 'active',
          name: 'Hosting',
          description: '',
          amount: 1200,
          currency: 'EUR',
          frequency: 'yearly',
          channels: ['bank-transfer'],
        },
      ],
      history: [{ year: 2025, income: 10000, expenses: 8000, taxes: 0, currency: 'EUR', description: '' }],
    },
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as ProjectsError).code;
  }
  return 'ok';
}

describe('funding.json v1', () => {
  it('accepts a complete manifest', () => {
    expect(validateFundingManifest(manifest()).projects[0].guid).toBe('example-lib');
  });

  it.each([
    ['a missing entity', (m: any) => delete m.entity],
    ['a wrong version', (m: any) => (m.version = 'v2.0.0')],
    ['an unknown entity type', (m: any) => (m.entity.type = 'company')],
    ['a bad e-mail', (m: any) => (m.entity.email = 'nope')],
    ['an upper-case guid', (m: any) => (m.projects[0].guid = 'Example')],
    ['no licence', (m: any) => (m.projects[0].licenses = [])],
    ['no plan', (m: any) => (m.funding.plans = [])],
    ['a plan naming an unknown channel', (m: any) => (m.funding.plans[0].channels = ['paypal'])],
    ['duplicate project guids', (m: any) => m.projects.push({ ...m.projects[0] })],
    ['a year out of range', (m: any) => (m.funding.history[0].year = 1900)],
  ])('refuses %s', (_label, mutate) => {
    const m = manifest();
    mutate(m);
    expect(codeOf(() => validateFundingManifest(m))).toBe(ProjectsErrorCode.FundingManifestInvalid);
  });

  it('refuses text that is not JSON', () => {
    expect(codeOf(() => parseFundingManifest('{nope'))).toBe(ProjectsErrorCode.FundingManifestInvalid);
  });
});

describe('well-known provenance rule', () => {
  const at = 'https://example.org/funding.json';
  it('needs no proof for URLs the manifest location covers', () => {
    expect(wellKnownRequirement(at, { url: 'https://example.org/any/path' })).toBeNull();
    expect(
      wellKnownRequirement('https://github.com/u/p/blob/main/funding.json', {
        url: 'https://github.com/u/p',
      }),
    ).toBeNull();
    expect(
      wellKnownRequirement('https://site.com/project/files/funding.json', {
        url: 'https://site.com/project',
      }),
    ).toBeNull();
  });

  it('needs a well-known list on the URL host otherwise', () => {
    expect(codeOf(() => wellKnownRequirement(at, { url: 'https://github.com/example/lib' }))).toBe(
      ProjectsErrorCode.OwnershipNotProven,
    );
    expect(
      wellKnownRequirement(at, {
        url: 'https://github.com/example/lib',
        wellKnown: 'https://github.com/example/lib/blob/main/.well-known/funding-manifest-urls',
      }),
    ).toBe('https://github.com/example/lib/blob/main/.well-known/funding-manifest-urls');
    expect(
      codeOf(() =>
        wellKnownRequirement(at, {
          url: 'https://github.com/example/lib',
          wellKnown: 'https://gitlab.com/example/lib/.well-known/funding-manifest-urls',
        }),
      ),
    ).toBe(ProjectsErrorCode.OwnershipNotProven);
    expect(
      codeOf(() =>
        wellKnownRequirement(at, {
          url: 'https://github.com/example/lib',
          wellKnown: 'https://github.com/other/x/.well-known/funding-manifest-urls',
        }),
      ),
    ).toBe(ProjectsErrorCode.OwnershipNotProven);
  });

  it('matches the manifest URL as an exact line within the first 100 lines', () => {
    expect(
      wellKnownListIncludes('https://a.org/funding.json\r\nhttps://example.org/funding.json\n', at),
    ).toBe(true);
    expect(wellKnownListIncludes(' https://example.org/funding.json', at)).toBe(false);
    expect(wellKnownListIncludes('x\n'.repeat(100) + at, at)).toBe(false);
  });
});

describe('ownership and control proofs over HTTP', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (body === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'text/plain');
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies a repository on another host through its well-known list', async () => {
    const id = Math.random().toString(36).slice(2);
    const manifestUrl = `https://example.org/${id}/funding.json`;
    const wellKnown = `${base}/${id}/.well-known/funding-manifest-urls`;
    const m = validateFundingManifest(manifest({ repositoryUrl: { url: `${base}/${id}`, wellKnown } }));
    const fetcher = boundedFetcher({ allowPrivateNetworks: true });
    await expect(verifyManifestOwnership(m, manifestUrl, [`${base}/${id}/`], fetcher)).rejects.toMatchObject({
      code: ProjectsErrorCode.OwnershipNotProven,
    });
    files.set(
      `/${id}/.well-known/funding-manifest-urls`,
      `https://other.example/funding.json\n${manifestUrl}\n`,
    );
    await expect(verifyManifestOwnership(m, manifestUrl, [`${base}/${id}`], fetcher)).resolves.toEqual({
      guid: 'example-lib',
      url: `${base}/${id}`,
    });
  });

  it('refuses when no project of the manifest names the project URLs', async () => {
    const m = validateFundingManifest(manifest());
    await expect(
      verifyManifestOwnership(
        m,
        'https://example.org/funding.json',
        ['https://elsewhere.org/x'],
        boundedFetcher({ allowPrivateNetworks: true }),
      ),
    ).rejects.toMatchObject({
      code: ProjectsErrorCode.OwnershipNotProven,
    });
  });

  it('reads a control token at the website well-known path, bounded in size', async () => {
    const token = `librery-${Math.random().toString(36).slice(2)}`;
    const url = controlTokenUrl(`${base}/some/page`);
    expect(url).toBe(`${base}/.well-known/librery-verification`);
    files.set('/.well-known/librery-verification', `# Librery\n${token}\n`);
    const body = await boundedFetcher({ allowPrivateNetworks: true })(url);
    expect(controlTokenPublished(body, token)).toBe(true);
    expect(controlTokenPublished(body, 'librery-other')).toBe(false);
    files.set('/big', 'x'.repeat(400 * 1024));
    await expect(boundedFetcher({ allowPrivateNetworks: true })(`${base}/big`)).rejects.toMatchObject({
      reason: 'too_large',
    });
    await expect(boundedFetcher({ allowPrivateNetworks: true })(`${base}/missing`)).rejects.toMatchObject({
      reason: 'http_status',
      detail: '404',
    });
  });
});
