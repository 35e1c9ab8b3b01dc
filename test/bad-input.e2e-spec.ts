import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';
import { randomSiret } from './support/random-siret';

type Auth = { Authorization: string };

/** Issue 15, "Bad input": every one of these used to answer 500, be stored altered, or be accepted. */
describe('bad input at the boundary', () => {
  let app: NestExpressApplication;
  let db: DataSource;
  let admin: Auth;
  let adminTokens: string;
  let treasurer: Auth;

  beforeAll(async () => {
    app = await createTestApp();
    db = app.get(DataSource);
    const adminUser = await createUserWithToken(app, [{ role: 'admin' }]);
    admin = adminUser.auth;
    adminTokens = `/users/${adminUser.userId}/tokens`;
    treasurer = (await createUserWithToken(app, [{ role: 'treasurer' }])).auth;
  });

  afterAll(async () => {
    await app.close();
  });

  const users = async () =>
    Number(((await db.query('SELECT count(*)::int AS n FROM users')) as { n: number }[])[0].n);

  function expectProblem(
    res: { status: number; headers: Record<string, string>; body: { code?: string } },
    status: number,
    code?: string,
  ) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (code) expect(res.body.code).toBe(code);
  }

  async function organisationWithBuyer(): Promise<{ id: string; buyer: Auth }> {
    const res = await http(app)
      .post('/organisations')
      .set(treasurer)
      .send({ siret: randomSiret(), name: 'Ville de Test' })
      .expect(201);
    const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: res.body.id }]);
    return { id: res.body.id, buyer: buyer.auth };
  }

  async function project(): Promise<string> {
    const slug = uniqueId('p')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [row] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, $1, 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    return row.id;
  }

  describe('JSON structure', () => {
    it('refuses 10,000 nested levels with 400, not a stack overflow', async () => {
      const deep = '['.repeat(10_000) + ']'.repeat(10_000);
      for (const body of [deep, `{"email":"a@example.test","roles":${deep}}`]) {
        const res = await http(app)
          .post('/users')
          .set(admin)
          .set('Content-Type', 'application/json')
          .send(body);
        expectProblem(res, 400, 'request.too_deep');
      }
    });

    it('refuses too many keys with 400', async () => {
      const keys = Array.from({ length: 30_000 }, (_, i) => `"k${i}":1`).join(',');
      const res = await http(app)
        .post('/users')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(`{${keys}}`);
      expectProblem(res, 400, 'request.too_many_keys');
    });

    it.each([
      ['a duplicate key', '{"name":"a","name":"b"}', 'request.duplicate_key'],
      ['a __proto__ key', '{"name":"a","__proto__":{"days":1}}', 'request.forbidden_key'],
      ['a constructor key', '{"name":"a","constructor":{"prototype":{}}}', 'request.forbidden_key'],
      ['a nested prototype key', '{"name":"a","x":{"prototype":1}}', 'request.forbidden_key'],
    ])('refuses %s with 400', async (_name, body, code) => {
      const res = await http(app)
        .post(adminTokens)
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(body);
      expectProblem(res, 400, code);
    });
  });

  describe('text', () => {
    it.each([
      ['a NUL', 'Ville\\u0000 de Test'],
      ['a lone high surrogate', 'Ville \\ud800 de Test'],
      ['a lone low surrogate', 'Ville \\udc00 de Test'],
    ])('refuses %s in any JSON text field with 400 before it reaches PostgreSQL', async (_name, text) => {
      const before = await users();
      for (const [path, auth, body] of [
        ['/users', admin, `{"email":"x-${randomUUID()}@example.test","displayName":"${text}"}`],
        ['/organisations', treasurer, `{"siret":"${randomSiret()}","name":"${text}"}`],
        [adminTokens, admin, `{"name":"${text}"}`],
        ['/ledger/adjustments', treasurer, `{"businessRef":"${text}","description":"x","postings":[]}`],
      ] as const) {
        const res = await http(app).post(path).set(auth).set('Content-Type', 'application/json').send(body);
        expectProblem(res, 400, 'request.invalid_text');
      }
      expect(await users()).toBe(before);
    });

    it('keeps a well-formed surrogate pair (an emoji) intact', async () => {
      const res = await http(app)
        .post('/users')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(`{"email":"e-${randomUUID()}@example.test","displayName":"Ada \\ud83d\\ude00"}`)
        .expect(201);
      expect(res.body.displayName).toBe('Ada \u{1F600}');
    });

    it('refuses a NUL or an encoded surrogate in a query string or a path with 400', async () => {
      for (const url of [
        '/public/entries?project=a%00b',
        '/public/entries?project=%ED%A0%80',
        '/public/entries?project=%E0%80',
        '/projects/a%00b',
        '/ledger?contributor=%00',
      ]) {
        const res = await http(app).get(url);
        expectProblem(res, 400, 'request.invalid_text');
      }
    });

    it('refuses a NUL or an encoded surrogate in a form body with 400', async () => {
      for (const form of ['name=a%00b', 'name=%ED%A0%80']) {
        const res = await http(app)
          .post(adminTokens)
          .set(admin)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(form);
        expectProblem(res, 400, 'request.invalid_text');
      }
    });

    it('refuses control characters in names and references', async () => {
      const before = await users();
      const checks: [string, Auth, object][] = [
        ['/users', admin, { email: `c-${randomUUID()}@example.test`, displayName: 'Ada\u0007' }],
        ['/organisations', treasurer, { siret: randomSiret(), name: 'Ville\nde Test' }],
        [adminTokens, admin, { name: 'ci\u001b[31m' }],
        [
          '/governance/motions',
          admin,
          { kind: 'ordinary', title: 'Motion\u0085', closesAt: '2099-01-01T00:00:00Z' },
        ],
      ];
      for (const [path, auth, body] of checks) {
        const res = await http(app).post(path).set(auth).send(body);
        expect([path, [400, 422].includes(res.status)]).toEqual([path, true]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await users()).toBe(before);
    });
  });

  describe('dates and bounds', () => {
    it('refuses a date that is not on the calendar (2026-02-30) with 4xx', async () => {
      const org = await organisationWithBuyer();
      const decl = await http(app)
        .post(`/organisations/${org.id}/declarations`)
        .set(org.buyer)
        .send({ projectTitle: 'Portail', budgetExclVat: '100000', fiscalYear: 2026, directions: [] })
        .expect(201);
      const res = await http(app)
        .post(`/obligations/${decl.body.id}/receipts`)
        .set(treasurer)
        .send({ bankReference: `VIR-${randomUUID()}`, amount: '100', valueDate: '2026-02-30' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.field).toBe('valueDate');
      const term = await http(app)
        .post('/governance/members')
        .set(admin)
        .send({ userId: randomUUID(), collegeId: 'commoners', termEnd: '2027-02-30' });
      expectProblem(term, 400);
    });

    it('refuses an unbounded integer (revision 1e308) with 400', async () => {
      const res = await http(app)
        .post(`/projects/${randomUUID()}/payout-details/verify`)
        .set(admin)
        .set('Content-Type', 'application/json')
        .send('{"revision":1e308}');
      expectProblem(res, 400, 'validation.failed');
    });

    it('refuses an amount beyond any real sum (9223372036854775807) with 400', async () => {
      const res = await http(app)
        .post('/ledger/adjustments')
        .set(treasurer)
        .send({
          businessRef: `adj-${randomUUID()}`,
          description: 'x',
          kind: 'adjustment.correction',
          postings: [
            { account: 'asset:bank:EUR', direction: 'debit', amount: '9223372036854775807', currency: 'EUR' },
            {
              account: 'liability:pool:EUR',
              direction: 'credit',
              amount: '9223372036854775807',
              currency: 'EUR',
            },
          ],
        });
      expectProblem(res, 400, 'validation.failed');
    });

    it('answers a run cut-off before any policy with 4xx, not 503', async () => {
      const res = await http(app)
        .post('/disbursements/runs')
        .set(treasurer)
        .send({ cutoff: '2001-01-01T00:00:00Z' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('media types and missing bodies', () => {
    it.each([
      ['text/plain', 'email=a@example.test'],
      ['application/xml', '<user><email>a@example.test</email></user>'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.test\r\n--x--\r\n',
      ],
      ['application/x-www-form-urlencoded', 'email=form-user%40example.test'],
    ])('refuses a body of %s on a JSON route with 415', async (type, body) => {
      const before = await users();
      const res = await http(app).post('/users').set(admin).set('Content-Type', type).send(body);
      expectProblem(res, 415, 'request.unsupported_media_type');
      expect(await users()).toBe(before);
    });

    it('refuses bytes without a media type with 415', async () => {
      const before = await users();
      const res = await http(app).post('/users').set(admin).send(Buffer.from('{"email":"z@example.test"}'));
      expectProblem(res, 415, 'request.unsupported_media_type');
      expect(await users()).toBe(before);
    });

    it('refuses a missing or empty body with 400: an empty body creates no user', async () => {
      const before = await users();
      expectProblem(await http(app).post('/users').set(admin), 400, 'request.body_missing');
      expectProblem(
        await http(app).post('/users').set(admin).set('Content-Type', 'application/json').send(''),
        400,
        'request.body_missing',
      );
      expectProblem(
        await http(app).post('/users').set(admin).set('Content-Type', 'application/json').send('  '),
        400,
        'request.body_missing',
      );
      for (const json of ['[]', 'null', '"x"', '12']) {
        expectProblem(
          await http(app).post('/users').set(admin).set('Content-Type', 'application/json').send(json),
          400,
        );
      }
      expect(await users()).toBe(before);
    });
  });

  describe('strict types', () => {
    it('refuses a fiscal year or a weight given as a string, and unknown fields in directions', async () => {
      const org = await organisationWithBuyer();
      const p = await project();
      const base = { projectTitle: 'Portail', budgetExclVat: '100000', fiscalYear: 2026 };
      for (const patch of [
        { fiscalYear: '2026' },
        { directions: [{ projectId: p, weight: '1' }] },
        { directions: [{ projectId: p, weight: 1, share: 99 }] },
        { directions: [{ projectId: p, weight: 1.5 }] },
        { directions: [{ projectId: p, weight: 1e300 }] },
      ]) {
        const res = await http(app)
          .post(`/organisations/${org.id}/declarations`)
          .set(org.buyer)
          .send({ ...base, ...patch });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      const list = await http(app).get(`/organisations/${org.id}/obligations`).set(org.buyer).expect(200);
      expect(list.body).toEqual([]);
    });

    it('refuses an SBOM whose components are not a list', async () => {
      const organisationId = uniqueId('org');
      const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: organisationId }]);
      const res = await http(app)
        .post('/sbom-analyses')
        .query({ organisationId })
        .set(buyer.auth)
        .set('Content-Type', 'application/vnd.cyclonedx+json')
        .send(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: 'x' }));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it('refuses a motion whose options are a list', async () => {
      const res = await http(app)
        .post('/governance/motions')
        .set(admin)
        .send({ kind: 'ordinary', title: 'x', options: [], closesAt: '2099-01-01T00:00:00Z' });
      expectProblem(res, 400, 'validation.failed');
    });
  });
});
