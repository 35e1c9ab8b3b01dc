import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { Accounts, LedgerService } from '@app/ledger';
import { SYSTEM_PRINCIPAL } from '@app/identity';
import { ProjectsService, ProjectVerificationService } from '@app/projects';
import { selfSbomPath, spdxExamplePath } from './fixtures/sbom/self-sbom';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

type Auth = { auth: { Authorization: string }; userId: string };

describe('projects catalogue over HTTP', () => {
  let app: NestExpressApplication;
  let admin: Auth;
  let server: Server;
  let base: string;
  const files = new Map<string, string>();

  beforeAll(async () => {
    // The maintainers' sites of these tests are loopback listeners: the development setting.
    process.env.OUTBOUND_ALLOW_PRIVATE_NETWORKS = 'true';
    app = await createTestApp();
    delete process.env.OUTBOUND_ALLOW_PRIVATE_NETWORKS;
    admin = await createUserWithToken(app, [{ role: 'admin' }]);
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.statusCode = body === undefined ? 404 : 200;
      res.end(body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
  });

  const maintainer = () => createUserWithToken(app, []);

  function proposal(overrides: Record<string, unknown> = {}) {
    const slug = uniqueId('proj')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    return {
      slug,
      name: `Project ${slug}`,
      description: 'A library public services depend on.',
      repositoryUrl: `${base}/${slug}/repo`,
      websiteUrl: `${base}/${slug}`,
      licence: 'EUPL-1.2',
      purls: [`pkg:npm/${slug}@1.2.3`],
      opennessLevel: 'A',
      ...overrides,
    };
  }

  async function propose(owner: Auth, overrides: Record<string, unknown> = {}) {
    const body = proposal(overrides);
    const res = await http(app).post('/projects').set(owner.auth).send(body).expect(201);
    return res.body as { id: string; slug: string; purls: string[]; status: string };
  }

  describe('proposing and editing', () => {
    it('a user proposes a project and becomes its maintainer; purls stored versionless; licence normalised', async () => {
      const owner = await maintainer();
      const body = proposal({
        licence: 'cecill-b OR mit',
        purls: ['pkg:NPM/Some-Lib@2.0.0?x=1', 'pkg:pypi/Some_Lib@1'],
      });
      const res = await http(app).post('/projects').set(owner.auth).send(body).expect(201);
      expect(res.body).toMatchObject({
        slug: body.slug,
        status: 'proposed',
        licence: 'CECILL-B OR MIT',
        controlVerified: false,
        payoutVerified: false,
      });
      expect(res.body.purls).toEqual(['pkg:npm/some-lib', 'pkg:pypi/some-lib']);
      const me = await http(app).get('/me').set(owner.auth).expect(200);
      expect(me.body.roles).toContainEqual({ role: 'maintainer', scopeId: res.body.id });
      // free the generic purls for other runs on the same database
      await http(app).patch(`/projects/${res.body.id}`).set(owner.auth).send({ purls: [] }).expect(200);
    });

    it('refuses without a token (401)', async () => {
      await http(app).post('/projects').send(proposal()).expect(401);
    });

    it('refuses a slug already taken (409)', async () => {
      const owner = await maintainer();
      const first = await propose(owner);
      const res = await http(app)
        .post('/projects')
        .set(owner.auth)
        .send(proposal({ slug: first.slug }))
        .expect(409);
      expect(res.body.code).toBe('projects.slug_taken');
    });

    it('refuses a licence outside the allow-list (422, naming it) and an invalid one with a suggestion', async () => {
      const owner = await maintainer();
      const outside = await http(app)
        .post('/projects')
        .set(owner.auth)
        .send(proposal({ licence: 'MIT AND BUSL-1.1' }))
        .expect(422);
      expect(outside.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(outside.body).toMatchObject({ code: 'projects.licence_not_allowed', notAllowed: ['BUSL-1.1'] });
      expect(outside.body.detail).toContain('BUSL-1.1');
      const invalid = await http(app)
        .post('/projects')
        .set(owner.auth)
        .send(proposal({ licence: 'Apache 2' }))
        .expect(422);
      expect(invalid.body).toMatchObject({ code: 'projects.licence_invalid', suggestion: 'Apache-2.0' });
    });

    it('refuses an invalid purl (422) and a purl of another project (409), writing nothing', async () => {
      const owner = await maintainer();
      const bad = proposal({ purls: ['not-a-purl'] });
      const res = await http(app).post('/projects').set(owner.auth).send(bad).expect(422);
      expect(res.body.code).toBe('projects.purl_invalid');
      await http(app).get(`/projects/${bad.slug}`).expect(404);
      const first = await propose(owner);
      const clash = proposal({ purls: [`${first.purls[0]}@9.9.9`] });
      const taken = await http(app).post('/projects').set(owner.auth).send(clash).expect(409);
      expect(taken.body).toMatchObject({
        code: 'projects.purl_taken',
        purl: first.purls[0],
        project: first.slug,
      });
      await http(app).get(`/projects/${clash.slug}`).expect(404);
    });

    it('two concurrent proposals of one slug or one purl: exactly one wins (409 for the other)', async () => {
      const owner = await maintainer();
      const sameSlug = proposal();
      const slugRace = await Promise.all(
        [0, 1].map((i) =>
          http(app)
            .post('/projects')
            .set(owner.auth)
            .send({ ...sameSlug, purls: [`pkg:npm/${sameSlug.slug}-${i}`] }),
        ),
      );
      expect(slugRace.map((r) => r.status).sort()).toEqual([201, 409]);
      const purl = `pkg:npm/${uniqueId('race').toLowerCase()}`;
      const purlRace = await Promise.all(
        [0, 1].map(() =>
          http(app)
            .post('/projects')
            .set(owner.auth)
            .send(proposal({ purls: [purl] })),
        ),
      );
      expect(purlRace.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(purlRace.find((r) => r.status === 409)!.body.code).toBe('projects.purl_taken');
    });

    it('refuses bad fields with 400 (validation)', async () => {
      const owner = await maintainer();
      const res = await http(app)
        .post('/projects')
        .set(owner.auth)
        .send(proposal({ opennessLevel: 'D', slug: 'Bad Slug' }))
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'opennessLevel',
        'slug',
      ]);
    });

    it('lets a maintainer edit its project, and refuses another maintainer (403)', async () => {
      const owner = await maintainer();
      const other = await maintainer();
      const project = await propose(owner);
      await propose(other);
      const edited = await http(app)
        .patch(`/projects/${project.id}`)
        .set(owner.auth)
        .send({ name: 'Renamed', licence: 'Apache-2.0 OR MIT' })
        .expect(200);
      expect(edited.body).toMatchObject({ name: 'Renamed', licence: 'Apache-2.0 OR MIT' });
      const refused = await http(app)
        .patch(`/projects/${project.id}`)
        .set(other.auth)
        .send({ name: 'Hijacked' })
        .expect(403);
      expect(refused.body.code).toBe('identity.forbidden');
      const page = await http(app).get(`/projects/${project.slug}`).expect(200);
      expect(page.body.name).toBe('Renamed');
    });
  });

  describe('status', () => {
    it('an admin moves the status with a reason: audited, in the public history; bad moves refused', async () => {
      const owner = await maintainer();
      const project = await propose(owner);
      await http(app)
        .post(`/projects/${project.id}/status`)
        .set(owner.auth)
        .send({ status: 'admitted', reason: 'self-admission' })
        .expect(403);
      const payable = Accounts.payable(project.id, 'EUR').code;
      const payableAccounts = () =>
        app.get(DataSource).query('SELECT 1 FROM ledger_accounts WHERE code = $1', [payable]);
      expect(await payableAccounts()).toHaveLength(0);
      await http(app)
        .post(`/projects/${project.id}/status`)
        .set(admin.auth)
        .send({ status: 'admitted', reason: 'committee decision of 2026-11-20' })
        .expect(200);
      // admission opens the account its payouts will be reserved on, empty
      expect(await payableAccounts()).toHaveLength(1);
      expect((await app.get(LedgerService).balance(payable)).balance).toBe(0n);
      await http(app)
        .post(`/projects/${project.id}/status`)
        .set(admin.auth)
        .send({ status: 'suspended', reason: 'licence change under review' })
        .expect(200);
      const bad = await http(app)
        .post(`/projects/${project.id}/status`)
        .set(admin.auth)
        .send({ status: 'proposed', reason: 'undo' })
        .expect(409);
      expect(bad.body.code).toBe('projects.invalid_status_transition');
      const page = await http(app).get(`/projects/${project.id}`).expect(200);
      expect(page.body.status).toBe('suspended');
      expect(
        page.body.statusHistory.map((h: { from: string; to: string; reason: string }) => [
          h.from,
          h.to,
          h.reason,
        ]),
      ).toEqual([
        [null, 'proposed', 'proposed by a maintainer'],
        ['proposed', 'admitted', 'committee decision of 2026-11-20'],
        ['admitted', 'suspended', 'licence change under review'],
      ]);
      const audit = await app
        .get(DataSource)
        .query(
          `SELECT action, actor_id, details FROM audit_events WHERE target_type = 'project' AND target_id = $1 AND action = 'project.status' ORDER BY id`,
          [project.id],
        );
      expect(audit).toHaveLength(2);
      expect(audit[0]).toMatchObject({
        actor_id: admin.userId,
        details: { from: 'proposed', to: 'admitted', reason: 'committee decision of 2026-11-20' },
      });
    });

    it('assertFundable accepts proposed and admitted projects only', async () => {
      const owner = await maintainer();
      const a = await propose(owner);
      const b = await propose(owner);
      const projects = app.get(ProjectsService);
      await expect(projects.assertFundable([a.id, b.id])).resolves.toHaveLength(2);
      await projects.changeStatus(SYSTEM_PRINCIPAL, b.id, 'archived', 'duplicate of another project');
      await expect(
        projects.assertFundable([a.id, b.id, '00000000-0000-4000-8000-000000000000']),
      ).rejects.toMatchObject({
        code: 'projects.not_fundable',
        details: {
          unknown: ['00000000-0000-4000-8000-000000000000'],
          notFundable: [{ id: b.id, slug: b.slug, status: 'archived' }],
        },
      });
    });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const res = await http(app).get('/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/projects', '/projects/{idOrSlug}', '/sbom-analyses', '/public/dependencies']),
    );
  });

  describe('public listing and search', () => {
    it('searches by name, licence, purl and status; pages by slug', async () => {
      const owner = await maintainer();
      const marker = uniqueId('needle').replace(/[^a-z0-9-]/g, '');
      const one = await propose(owner, { name: `Alpha ${marker}`, licence: 'CECILL-C' });
      const two = await propose(owner, { name: `Beta ${marker}`, licence: 'etalab-2.0 OR MIT' });
      const byName = await http(app).get('/projects').query({ q: marker }).expect(200);
      expect(byName.body.items.map((p: { id: string }) => p.id)).toEqual(
        [one, two].sort((x, y) => (x.slug < y.slug ? -1 : 1)).map((p) => p.id),
      );
      const byLicence = await http(app)
        .get('/projects')
        .query({ q: marker, licence: 'etalab-2.0' })
        .expect(200);
      expect(byLicence.body.items.map((p: { id: string }) => p.id)).toEqual([two.id]);
      const byPurl = await http(app)
        .get('/projects')
        .query({ purl: `${one.purls[0]}@7.0.0` })
        .expect(200);
      expect(byPurl.body.items.map((p: { id: string }) => p.id)).toEqual([one.id]);
      const firstPage = await http(app).get('/projects').query({ q: marker, limit: 1 }).expect(200);
      expect(firstPage.body.items).toHaveLength(1);
      const secondPage = await http(app)
        .get('/projects')
        .query({ q: marker, limit: 1, after: firstPage.body.next })
        .expect(200);
      expect(secondPage.body.items).toHaveLength(1);
      expect(secondPage.body.items[0].id).not.toBe(firstPage.body.items[0].id);
      await http(app)
        .post(`/projects/${one.id}/status`)
        .set(admin.auth)
        .send({ status: 'admitted', reason: 'ok' })
        .expect(200);
      const admitted = await http(app).get('/projects').query({ q: marker, status: 'admitted' }).expect(200);
      expect(admitted.body.items.map((p: { id: string }) => p.id)).toEqual([one.id]);
      await http(app).get('/projects').query({ purl: 'nope' }).expect(422);
    });
  });

  describe('verification of control', () => {
    it('by a token at the website well-known path', async () => {
      const owner = await maintainer();
      const project = await propose(owner, {});
      const challenge = await http(app)
        .post(`/projects/${project.id}/verification/challenges`)
        .set(owner.auth)
        .expect(201);
      expect(challenge.body.url).toBe(`${base}/.well-known/librery-verification`);
      const check = () =>
        http(app)
          .post(`/projects/${project.id}/verification/challenges/${challenge.body.id}/check`)
          .set(owner.auth);
      const missing = await check().expect(422);
      expect(missing.body.code).toBe('projects.ownership_not_proven');
      files.set('/.well-known/librery-verification', `other-token\n${challenge.body.token}\n`);
      const ok = await check().expect(200);
      expect(ok.body).toMatchObject({ controlVerified: true, controlMethod: 'well_known_token' });
      const other = await maintainer();
      await http(app).post(`/projects/${project.id}/verification/challenges`).set(other.auth).expect(403);
    });

    it('by a funding.json whose well-known list vouches for the repository', async () => {
      const owner = await maintainer();
      const slug = uniqueId('fj')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const project = await propose(owner, {
        slug,
        repositoryUrl: `${base}/${slug}/repo`,
        websiteUrl: `${base}/${slug}`,
        fundingJsonUrl: `${base}/${slug}/funding.json`,
      });
      const manifest = (repositoryUrl: object) => ({
        version: 'v1.0.0',
        entity: {
          type: 'organisation',
          role: 'steward',
          name: 'Association Exemple',
          email: 'contact@example.org',
          webpageUrl: { url: 'https://funding.example.org' },
        },
        projects: [
          {
            guid: 'example-lib',
            name: 'Example lib',
            description: 'A library used by public services.',
            webpageUrl: { url: 'https://funding.example.org/lib' },
            repositoryUrl,
            licenses: ['spdx:EUPL-1.2'],
            tags: ['library'],
          },
        ],
        funding: {
          channels: [{ guid: 'bank', type: 'bank', address: '', description: '' }],
          plans: [
            {
              guid: 'hosting',
              status: 'active',
              name: 'Hosting',
              amount: 1200,
              currency: 'EUR',
              frequency: 'yearly',
              channels: ['bank'],
            },
          ],
        },
      });
      const served = `${base}/${slug}/funding.json`;
      files.set(`/${slug}/funding.json`, '{ not json');
      const malformed = await http(app)
        .post(`/projects/${project.id}/verification/funding-manifest`)
        .set(owner.auth)
        .expect(422);
      expect(malformed.body.code).toBe('projects.funding_manifest_invalid');
      // A repository on the manifest's own host and path is covered without a well-known list.
      files.set(`/${slug}/funding.json`, JSON.stringify(manifest({ url: `${base}/${slug}/repo` })));
      const ok = await http(app)
        .post(`/projects/${project.id}/verification/funding-manifest`)
        .set(owner.auth)
        .expect(200);
      expect(ok.body).toMatchObject({ controlVerified: true, controlMethod: 'funding_manifest' });
      expect(ok.body.fundingManifest).toMatchObject({
        url: served,
        entity: { name: 'Association Exemple', type: 'organisation' },
      });
      expect(ok.body.fundingManifest.projects[0]).toMatchObject({
        guid: 'example-lib',
        repositoryUrl: `${base}/${slug}/repo`,
      });
    });

    it('by an admin attestation with a reason (audited); not by a maintainer', async () => {
      const owner = await maintainer();
      const project = await propose(owner);
      await http(app)
        .post(`/projects/${project.id}/verification/attestation`)
        .set(owner.auth)
        .send({ reason: 'trust me' })
        .expect(403);
      const ok = await http(app)
        .post(`/projects/${project.id}/verification/attestation`)
        .set(admin.auth)
        .send({ reason: 'confirmed by the foundation in writing' })
        .expect(200);
      expect(ok.body).toMatchObject({ controlVerified: true, controlMethod: 'admin_attestation' });
      const audit = await app
        .get(DataSource)
        .query(
          `SELECT details FROM audit_events WHERE target_type = 'project' AND target_id = $1 AND action = 'project.control.verified'`,
          [project.id],
        );
      expect(audit).toEqual([
        { details: { method: 'admin_attestation', reason: 'confirmed by the foundation in writing' } },
      ]);
    });

    it('refuses a funding.json naming a repository elsewhere unless its well-known list names the manifest', async () => {
      const owner = await maintainer();
      const slug = uniqueId('wk')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const repo = `http://localhost:${new URL(base).port}/${slug}/repo`;
      const manifestAt = `${base}/${slug}/funding.json`;
      const project = await propose(owner, {
        slug,
        repositoryUrl: repo,
        websiteUrl: null,
        fundingJsonUrl: manifestAt,
      });
      const wellKnown = `http://localhost:${new URL(base).port}/${slug}/repo/.well-known/funding-manifest-urls`;
      files.set(
        `/${slug}/funding.json`,
        JSON.stringify({
          version: 'v1.0.0',
          entity: {
            type: 'individual',
            role: 'owner',
            name: 'Ada',
            email: 'ada@example.org',
            webpageUrl: { url: `${base}/${slug}` },
          },
          projects: [
            {
              guid: 'lib',
              name: 'Lib',
              description: 'The library.',
              webpageUrl: { url: `${base}/${slug}` },
              repositoryUrl: { url: repo, wellKnown },
              licenses: ['spdx:MIT'],
              tags: ['lib'],
            },
          ],
          funding: {
            channels: [],
            plans: [
              {
                guid: 'main',
                status: 'active',
                name: 'Main',
                amount: 0,
                currency: 'EUR',
                frequency: 'monthly',
                channels: [],
              },
            ],
          },
        }),
      );
      const refused = await http(app)
        .post(`/projects/${project.id}/verification/funding-manifest`)
        .set(owner.auth)
        .expect(422);
      expect(refused.body.code).toBe('projects.ownership_not_proven');
      files.set(`/${slug}/repo/.well-known/funding-manifest-urls`, `${manifestAt}\n`);
      const ok = await http(app)
        .post(`/projects/${project.id}/verification/funding-manifest`)
        .set(owner.auth)
        .expect(200);
      expect(ok.body.controlVerified).toBe(true);
    });
  });

  describe('payout details', () => {
    it('validates, hides, audits masked, and needs verification again after a change', async () => {
      const owner = await maintainer();
      const treasurer = await createUserWithToken(app, [{ role: 'treasurer' }]);
      const project = await propose(owner);
      const put = (body: object) =>
        http(app).put(`/projects/${project.id}/payout-details`).set(owner.auth).send(body);
      expect(
        (
          await put({
            kind: 'sepa',
            accountHolder: 'Association Exemple',
            iban: 'FR76 3000 6000 0112 3456 7890 188',
          }).expect(422)
        ).body.code,
      ).toBe('projects.iban_invalid');
      expect(
        (
          await put({
            kind: 'sepa',
            accountHolder: 'Association Exemple',
            iban: 'BR1800360305000010009795493C1',
          }).expect(422)
        ).body.code,
      ).toBe('projects.payout_country_not_sepa');
      const set = await put({
        kind: 'sepa',
        accountHolder: 'Association Exemple',
        iban: 'FR76 3000 6000 0112 3456 7890 189',
        bic: 'AGRIFRPP',
      }).expect(200);
      expect(set.body).toMatchObject({ kind: 'sepa', iban: 'FR•• •••• 0189', revision: 1, verified: false });
      const other = await maintainer();
      await http(app).get(`/projects/${project.id}/payout-details`).set(other.auth).expect(403);
      const page = await http(app).get(`/projects/${project.id}`).expect(200);
      expect(JSON.stringify(page.body)).not.toMatch(/FR76|3000600001|Association Exemple/);
      // Control first, then the treasurer verifies the revision it saw.
      const early = await http(app)
        .post(`/projects/${project.id}/payout-details/verify`)
        .set(treasurer.auth)
        .send({ revision: 1 })
        .expect(422);
      expect(early.body.code).toBe('projects.ownership_not_proven');
      const challenge = await http(app)
        .post(`/projects/${project.id}/verification/challenges`)
        .set(owner.auth)
        .expect(201);
      files.set('/.well-known/librery-verification', challenge.body.token);
      await http(app)
        .post(`/projects/${project.id}/verification/challenges/${challenge.body.id}/check`)
        .set(owner.auth)
        .expect(200);
      await http(app)
        .post(`/projects/${project.id}/payout-details/verify`)
        .set(owner.auth)
        .send({ revision: 1 })
        .expect(403);
      const verified = await http(app)
        .post(`/projects/${project.id}/payout-details/verify`)
        .set(treasurer.auth)
        .send({ revision: 1 })
        .expect(200);
      expect(
        (await app.get(ProjectVerificationService).payees([project.id])).get(project.id)?.payout,
      ).toEqual({
        kind: 'sepa',
        accountHolder: 'Association Exemple',
        iban: 'FR7630006000011234567890189',
        bic: 'AGRIFRPP',
        countryCode: 'FR',
      });
      expect(verified.body).toMatchObject({
        kind: 'sepa',
        revision: 1,
        verified: true,
        iban: 'FR•• •••• 0189',
      });
      expect((await http(app).get(`/projects/${project.id}`).expect(200)).body.payoutVerified).toBe(true);
      const changed = await put({ kind: 'stripe', stripeAccountId: 'acct_1Nv0FGQ9RKHgCVdK' }).expect(200);
      expect(changed.body).toMatchObject({ kind: 'stripe', revision: 2, verified: false });
      expect((await http(app).get(`/projects/${project.id}`).expect(200)).body.payoutVerified).toBe(false);
      const stale = await http(app)
        .post(`/projects/${project.id}/payout-details/verify`)
        .set(treasurer.auth)
        .send({ revision: 1 });
      expect([stale.status, stale.body]).toEqual([
        422,
        expect.objectContaining({ code: 'projects.invalid_input' }),
      ]);
      const payees = app.get(ProjectVerificationService);
      expect((await payees.payees([project.id])).get(project.id)).toMatchObject({
        status: 'proposed',
        admitted: false,
        payout: null,
      });
      const audit = await app
        .get(DataSource)
        .query(
          `SELECT details FROM audit_events WHERE target_type = 'project' AND target_id = $1 AND action LIKE 'project.payout_details.%' ORDER BY id`,
          [project.id],
        );
      expect(audit).toHaveLength(3);
      expect(JSON.stringify(audit)).not.toMatch(/FR7630006000011234567890189|Association Exemple/);
    });
  });

  describe('SBOM analyses', () => {
    let buyer: Auth;
    let organisationId: string;
    beforeAll(async () => {
      organisationId = uniqueId('org');
      buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: organisationId }]);
    });

    const upload = (body: Buffer | string, type = 'application/octet-stream', org = organisationId) =>
      http(app)
        .post('/sbom-analyses')
        .query({ organisationId: org, label: 'intranet' })
        .set(buyer.auth)
        .set('Content-Type', type)
        .send(type.includes('json') ? body.toString() : Buffer.from(body));

    it('streams an SBOM sent as application/json past the general 1 MB body limit', async () => {
      const sbom = readFileSync(selfSbomPath());
      expect(sbom.length).toBeGreaterThan(1_048_576);
      const res = await upload(sbom, 'application/vnd.cyclonedx+json').expect(201);
      expect(res.body.coverage).toBeDefined();
      const plain = await upload(sbom, 'application/json').expect(201);
      expect(plain.body.id).toBe(res.body.id);
    });

    it('analyses the real SBOM of this repository, matches registered projects, stores it, feeds the public aggregate', async () => {
      const owner = await maintainer();
      const marker = uniqueId('dep')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const direct = await propose(owner, { purls: [`pkg:npm/${marker}-direct`] });
      const transitive = await propose(owner, {
        purls: [`pkg:npm/${marker}-transitive`, `pkg:npm/${marker}-transitive-too`],
      });
      const unregistered = `pkg:npm/${marker}-nobody`;
      // The generated SBOM, plus three packages of our own so the matches are unique to this test.
      const sbom = JSON.parse(readFileSync(selfSbomPath(), 'utf8'));
      const root = sbom.metadata.component['bom-ref'];
      const add = (name: string) => {
        sbom.components.push({
          type: 'library',
          name,
          version: '1.0.0',
          'bom-ref': `x|${name}`,
          purl: `pkg:npm/${name}@1.0.0`,
        });
        return `x|${name}`;
      };
      const d = add(`${marker}-direct`);
      const t = add(`${marker}-transitive`);
      const t2 = add(`${marker}-transitive-too`);
      const n = add(`${marker}-nobody`);
      sbom.dependencies.find((x: { ref: string }) => x.ref === root).dependsOn.push(d);
      sbom.dependencies.push({ ref: d, dependsOn: [t, t2, n] });
      const res = await upload(JSON.stringify(sbom)).expect(201);
      expect(res.body).toMatchObject({
        format: 'CycloneDX',
        specVersion: sbom.specVersion,
        organisationId,
        label: 'intranet',
        policyVersion: expect.any(Number),
      });
      expect(res.body.directions).toEqual(
        expect.arrayContaining([
          { projectId: direct.id, weight: 3 },
          { projectId: transitive.id, weight: 2 },
        ]),
      );
      expect(res.body.coverage.componentsTotal).toBeGreaterThan(500);
      expect(res.body.unmatched.some((p: { purl: string }) => p.purl === unregistered)).toBe(true);

      const stored = await http(app).get(`/sbom-analyses/${res.body.id}`).set(buyer.auth).expect(200);
      expect(stored.body.coverage).toEqual(res.body.coverage);
      expect(stored.body.directions).toEqual(res.body.directions);
      const stranger = await createUserWithToken(app, [{ role: 'buyer', scopeId: uniqueId('org') }]);
      await http(app).get(`/sbom-analyses/${res.body.id}`).set(stranger.auth).expect(403);

      const fromAnalysis = await app
        .get(ProjectsService)
        .directionsFromAnalysis(res.body.id, { caller: SYSTEM_PRINCIPAL, organisationId });
      expect(fromAnalysis.directions).toEqual(
        expect.arrayContaining([
          { projectId: direct.id, weight: 3n },
          { projectId: transitive.id, weight: 2n },
        ]),
      );

      const aggregate = await http(app).get('/public/dependencies').query({ limit: 500 }).expect(200);
      const mine = aggregate.body.items.filter((i: { purl: string }) =>
        i.purl.startsWith(`pkg:npm/${marker}`),
      );
      // Only one analysis names them, so they rank low: look them up through a fresh unfunded query instead if absent.
      if (mine.length > 0)
        expect(mine.find((i: { purl: string }) => i.purl === unregistered)).toMatchObject({
          registered: false,
          admitted: false,
          received: '0',
        });
      const rows = await app
        .get(DataSource)
        .query(
          'SELECT purl, analyses, direct_analyses FROM sbom_dependency_stats WHERE purl = ANY($1) ORDER BY purl',
          [[`pkg:npm/${marker}-direct`, unregistered]],
        );
      expect(rows).toEqual([
        { purl: `pkg:npm/${marker}-direct`, analyses: 1, direct_analyses: 1 },
        { purl: unregistered, analyses: 1, direct_analyses: 0 },
      ]);
    });

    it('ranks what public money depends on, with registration, admission and money received', async () => {
      const owner = await maintainer();
      const marker = uniqueId('agg')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const funded = await propose(owner, { purls: [`pkg:npm/${marker}-funded`] });
      await http(app)
        .post(`/projects/${funded.id}/status`)
        .set(admin.auth)
        .send({ status: 'admitted', reason: 'ok' })
        .expect(200);
      const ledger = app.get(LedgerService);
      const account = Accounts.projectDirected(funded.id);
      const source = { ...Accounts.bank(), code: `asset:bank:test-${marker}`, hot: false };
      await ledger.ensureAccounts([account, source]);
      await ledger.post({
        kind: 'test.direct',
        businessRef: marker,
        idempotencyKey: `test:${marker}`,
        postings: [
          { account: source.code, direction: 'debit', amount: 1234n, currency: 'EUR' },
          { account: account.code, direction: 'credit', amount: 1234n, currency: 'EUR' },
        ],
      });
      const doc = (n: number) =>
        JSON.stringify({
          bomFormat: 'CycloneDX',
          specVersion: '1.5',
          metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
          components: [
            { type: 'library', name: 'f', 'bom-ref': 'f', purl: `pkg:npm/${marker}-funded@1` },
            { type: 'library', name: 'u', 'bom-ref': 'u', purl: `pkg:npm/${marker}-unfunded@${n}` },
          ],
          dependencies: [{ ref: 'app', dependsOn: ['f', 'u'] }],
        });
      for (let i = 0; i < 3; i++) await upload(doc(i)).expect(201);
      const res = await http(app).get('/public/dependencies').query({ limit: 500 }).expect(200);
      const items = res.body.items as {
        purl: string;
        analyses: number;
        registered: boolean;
        admitted: boolean;
        received: string;
        project: { id: string } | null;
      }[];
      const f = items.find((i) => i.purl === `pkg:npm/${marker}-funded`);
      const u = items.find((i) => i.purl === `pkg:npm/${marker}-unfunded`);
      expect(f).toMatchObject({
        analyses: 3,
        registered: true,
        admitted: true,
        received: '1234',
        project: { id: funded.id },
      });
      expect(u).toMatchObject({
        analyses: 3,
        registered: false,
        admitted: false,
        received: '0',
        project: null,
      });
      const unfunded = await http(app)
        .get('/public/dependencies')
        .query({ limit: 500, unfundedOnly: 'true' })
        .expect(200);
      const purls = unfunded.body.items.map((i: { purl: string }) => i.purl);
      expect(purls).toContain(`pkg:npm/${marker}-unfunded`);
      expect(purls).not.toContain(`pkg:npm/${marker}-funded`);
    });

    it('concurrent uploads naming the same packages are all counted in the aggregate', async () => {
      const marker = uniqueId('conc')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const doc = (n: number) =>
        JSON.stringify({
          bomFormat: 'CycloneDX',
          specVersion: '1.6',
          serialNumber: `urn:uuid:00000000-0000-4000-8000-00000000000${n}`,
          metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
          components: Array.from({ length: 50 }, (_, i) => ({
            type: 'library',
            name: `c${i}`,
            'bom-ref': `c${i}`,
            purl: `pkg:npm/${marker}-${i}@1`,
          })),
          dependencies: [{ ref: 'app', dependsOn: ['c0', 'c49'] }],
        });
      const results = await Promise.all(Array.from({ length: 4 }, (_, n) => upload(doc(n))));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      const rows = await app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n, min(analyses) AS lo, max(analyses) AS hi, sum(direct_analyses)::int AS direct FROM sbom_dependency_stats WHERE purl LIKE $1`,
          [`pkg:npm/${marker}-%`],
        );
      expect(rows).toEqual([{ n: 50, lo: 4, hi: 4, direct: 8 }]);
    });

    it('the same document uploaded again for the same organisation is the same analysis, counted once', async () => {
      const marker = uniqueId('again')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
      const doc = JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.7',
        metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
        components: [{ type: 'library', name: 'a', 'bom-ref': 'a', purl: `pkg:npm/${marker}@1` }],
        dependencies: [{ ref: 'app', dependsOn: ['a'] }],
      });
      const [first, second] = await Promise.all([upload(doc), upload(doc)]);
      const third = await upload(doc);
      expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
      expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
      const otherOrganisation = uniqueId('org');
      const other = await createUserWithToken(app, [{ role: 'buyer', scopeId: otherOrganisation }]);
      const elsewhere = await http(app)
        .post('/sbom-analyses')
        .query({ organisationId: otherOrganisation })
        .set(other.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from(doc))
        .expect(201);
      expect(elsewhere.body.id).not.toBe(first.body.id);
      const rows = await app
        .get(DataSource)
        .query('SELECT analyses FROM sbom_dependency_stats WHERE purl = $1', [`pkg:npm/${marker}`]);
      expect(rows).toEqual([{ analyses: 2 }]);
    });

    it('accepts the published SPDX 2.3 example, also as application/json', async () => {
      const res = await upload(readFileSync(spdxExamplePath()), 'application/json');
      expect([res.status, res.body.detail]).toEqual([201, undefined]);
      expect(res.body).toMatchObject({
        format: 'SPDX',
        specVersion: 'SPDX-2.3',
        components: 3,
        componentsWithoutPurl: 2,
      });
      expect(res.body.coverage).toMatchObject({ componentsTotal: 1, weightTotal: 1 });
    });

    it('refuses malformed JSON (400), unknown formats and versions (422), and a buyer of another organisation (403)', async () => {
      expect((await upload('{"bomFormat": "CycloneDX", "components": [').expect(400)).body.code).toBe(
        'projects.sbom_malformed',
      );
      expect((await upload('{"name": "package.json"}').expect(422)).body.code).toBe(
        'projects.sbom_unknown_format',
      );
      expect((await upload('{"bomFormat": "CycloneDX", "specVersion": "1.2"}').expect(422)).body.code).toBe(
        'projects.sbom_unsupported_version',
      );
      expect((await upload('{"spdxVersion": "SPDX-2.2"}').expect(422)).body.code).toBe(
        'projects.sbom_unsupported_version',
      );
      expect((await upload('{}', 'application/octet-stream', uniqueId('org')).expect(403)).body.code).toBe(
        'identity.forbidden',
      );
      await http(app)
        .post('/sbom-analyses')
        .set(buyer.auth)
        .set('Content-Type', 'application/octet-stream')
        .send('{}')
        .expect(422);
    });

    it('refuses an SBOM over the policy limit with 413, by its declared length or while streaming it', async () => {
      const limit = (
        await app
          .get(DataSource)
          .query("SELECT (sbom->>'maxBytes')::int AS n FROM policies ORDER BY version DESC LIMIT 1")
      )[0].n as number;
      const address = app.getHttpServer().address() as AddressInfo | null;
      if (!address) await app.listen(0, '127.0.0.1');
      const port = (app.getHttpServer().address() as AddressInfo).port;
      const send = (
        headers: Record<string, string | number>,
        writer: (req: ReturnType<typeof httpRequest>) => void,
      ) =>
        new Promise<{ status: number; body: { code?: string } }>((resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/sbom-analyses?organisationId=${encodeURIComponent(organisationId)}`,
              headers: { ...buyer.auth, 'Content-Type': 'application/octet-stream', ...headers },
            },
            (res) => {
              let text = '';
              res.on('data', (c) => (text += c));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }),
              );
            },
          );
          req.on('error', (e: NodeJS.ErrnoException) =>
            e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
          );
          writer(req);
        });
      const declared = await send({ 'Content-Length': limit + 1 }, (req) =>
        req.write('{"bomFormat":"CycloneDX",'),
      );
      expect(declared).toEqual({
        status: 413,
        body: expect.objectContaining({ code: 'projects.sbom_too_large' }),
      });
      const streamed = await send({ 'Transfer-Encoding': 'chunked' }, (req) => {
        const chunk = Buffer.from('{"type":"library","name":"x","purl":"pkg:npm/x@1"},'.repeat(20000));
        req.write('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[');
        let sent = 0;
        const pump = () => {
          while (sent <= limit + chunk.length) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        req.on('response', () => (sent = Infinity));
        pump();
      });
      expect(streamed).toEqual({
        status: 413,
        body: expect.objectContaining({ code: 'projects.sbom_too_large' }),
      });
    });
  });
});
