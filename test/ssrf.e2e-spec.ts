import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

/**
 * Server-side request forgery (issue 15): with the default configuration (a loopback
 * PUBLIC_BASE_URL, no development setting), a maintainer's URLs never make the server fetch a
 * loopback or private address, whatever its spelling, and the caller learns nothing of why.
 */
describe('outbound fetches of maintainers’ URLs', () => {
  let app: NestExpressApplication;
  let server: Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    delete process.env.OUTBOUND_ALLOW_PRIVATE_NETWORKS;
    app = await createTestApp();
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url?.endsWith('/redirect')) {
        res.writeHead(302, { location: '/secret' }).end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/secret' ? '{"secret":"internal"}' : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
  });

  async function projectWith(
    owner: { auth: { Authorization: string } },
    fundingJsonUrl: string,
    websiteUrl: string,
  ) {
    const slug = uniqueId('ssrf')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const res = await http(app)
      .post('/projects')
      .set(owner.auth)
      .send({
        slug,
        name: `Project ${slug}`,
        description: 'A library public services depend on.',
        repositoryUrl: `https://example.org/${slug}`,
        websiteUrl,
        licence: 'EUPL-1.2',
        purls: [`pkg:npm/${slug}`],
        opennessLevel: 'A',
        fundingJsonUrl,
      })
      .expect(201);
    return res.body as { id: string };
  }

  it.each([
    ['a loopback address', (p: number) => `http://127.0.0.1:${p}/redirect`],
    ['an IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:127.0.0.1]:${p}/funding.json`],
    ['the hex form of the mapped loopback', (p: number) => `http://[::ffff:7f00:1]:${p}/funding.json`],
    ['a hostname that resolves to 127.0.0.1', (p: number) => `http://localhost:${p}/funding.json`],
    ['an IPv4-compatible loopback', (p: number) => `http://[::127.0.0.1]:${p}/funding.json`],
  ])('refuses %s for a funding.json, without fetching it and with a generic error', async (_label, url) => {
    const owner = await createUserWithToken(app, []);
    const target = url(port);
    const project = await projectWith(owner, target, `http://127.0.0.1:${port}/site`);
    hits.length = 0;
    const res = await http(app)
      .post(`/projects/${project.id}/verification/funding-manifest`)
      .set(owner.auth)
      .expect(422);
    expect(res.body.code).toBe('projects.funding_manifest_unreachable');
    expect(res.body.detail).toBe('the funding.json could not be fetched');
    expect(res.body.url).toBe(target); // the caller's own input, echoed; nothing else
    const text = JSON.stringify({ ...res.body, url: undefined });
    for (const leak of ['public address', 'HTTP', 'fetch failed', '127.0.0.1', 'ECONNREFUSED', 'redirect'])
      expect(text).not.toContain(leak);
    expect(hits).toEqual([]);
  });

  it('refuses a loopback website for a control challenge, and stores no detail', async () => {
    const owner = await createUserWithToken(app, []);
    const project = await projectWith(owner, `https://example.org/funding.json`, `http://127.0.0.1:${port}/`);
    const challenge = await http(app)
      .post(`/projects/${project.id}/verification/challenges`)
      .set(owner.auth)
      .expect(201);
    hits.length = 0;
    const res = await http(app)
      .post(`/projects/${project.id}/verification/challenges/${challenge.body.id}/check`)
      .set(owner.auth)
      .expect(422);
    expect(res.body.code).toBe('projects.ownership_not_proven');
    expect(res.body.detail).toBe('the verification file could not be fetched');
    expect(hits).toEqual([]);
  });
});
