import { NestExpressApplication } from '@nestjs/platform-express';
import { Accounts, LedgerService } from '@app/ledger';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

describe('foundation over HTTP', () => {
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let treasurer: { auth: { Authorization: string } };

  beforeAll(async () => {
    app = await createTestApp();
    ledger = app.get(LedgerService);
    treasurer = await createUserWithToken(app, [{ role: 'treasurer' }]);
  });

  afterAll(async () => {
    await app.close();
  });

  async function accounts() {
    const id = uniqueId('p');
    const pool = Accounts.projectDirected(id);
    const bank = { ...Accounts.bank(), code: `asset:bank:test-${id}`, hot: false };
    await ledger.ensureAccounts([pool, bank]);
    return { pool: pool.code, bank: bank.code };
  }

  it('reports database and Redis health', async () => {
    const res = await http(app).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up', redis: 'up' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await http(app).get('/docs/openapi.json').expect(200);
    expect(res.body.info.title).toBe('The Librery');
    expect(Object.keys(res.body.paths)).toContain('/policies/current');
  });

  it('publishes the current policy with the default split', async () => {
    const res = await http(app).get('/policies/current').expect(200);
    expect(res.body).toMatchObject({
      levyRateBps: 200,
      directedShareBps: 5000,
      poolShareBps: 5000,
      operatingFeeBps: 0,
    });
    expect(typeof res.body.minimumPayout).toBe('string');
    expect(res.body.licenceAllowList).toEqual(
      expect.arrayContaining(['CECILL-B', 'CECILL-C', 'etalab-2.0', 'EUPL-1.2', 'MIT']),
    );
    const history = await http(app).get('/policies').expect(200);
    expect(history.body[0].version).toBe(1);
  });

  it('refuses a missing token with 401 and a token without the role with 403, as problem+json', async () => {
    const none = await http(app).post('/ledger/adjustments').send({}).expect(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(none.body).toMatchObject({ status: 401, code: 'identity.unauthenticated' });
    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    const body = { businessRef: 'x', description: 'x', postings: [] };
    await http(app).post('/ledger/adjustments').set(donor.auth).send(body).expect(400);
    const { pool, bank } = await accounts();
    const ok = {
      businessRef: 'x',
      description: 'x',
      reason: 'a correction',
      postings: [
        { account: bank, direction: 'debit', amount: '100', currency: 'EUR' },
        { account: pool, direction: 'credit', amount: '100', currency: 'EUR' },
      ],
    };
    const forbidden = await http(app).post('/ledger/adjustments').set(donor.auth).send(ok).expect(403);
    expect(forbidden.body.code).toBe('identity.forbidden');
  });

  it('refuses an adjustment dressed as a donation: a business kind, a reserved reference, or no reason (issue 15)', async () => {
    const { pool, bank } = await accounts();
    const postings = [
      { account: bank, direction: 'debit', amount: '100', currency: 'EUR' },
      { account: pool, direction: 'credit', amount: '100', currency: 'EUR' },
    ];
    const base = { businessRef: uniqueId('adj'), description: 'x', reason: 'a correction', postings };
    const refused = [
      { ...base, kind: 'contribution.donation' },
      { ...base, kind: 'adjustmentx' },
      { ...base, businessRef: 'stripe:pi:forged' },
      { ...base, businessRef: 'bank:line:1' },
      { ...base, businessRef: 'receipt:RF18' },
      { ...base, businessRef: 'disbursement-payout:1' },
      { businessRef: base.businessRef, description: 'x', postings },
    ];
    for (const body of refused) {
      const res = await http(app).post('/ledger/adjustments').set(treasurer.auth).send(body).expect(400);
      expect(res.body.code).toBe('validation.failed');
    }
    expect((await ledger.balance(pool)).creditsPosted).toBe(0n);
    const booked = await http(app)
      .post('/ledger/adjustments')
      .set(treasurer.auth)
      .send({ ...base, kind: 'adjustment.correction' })
      .expect(201);
    expect(booked.body.kind).toBe('adjustment.correction');
  });

  it('refuses a revoked token', async () => {
    const admin = await createUserWithToken(app, [{ role: 'admin' }]);
    const user = await http(app)
      .post('/users')
      .set(admin.auth)
      .send({ email: `${uniqueId()}@example.test` })
      .expect(201);
    const issued = await http(app)
      .post(`/users/${user.body.id}/tokens`)
      .set(admin.auth)
      .send({ name: 'ci' })
      .expect(201);
    await http(app)
      .get('/me')
      .set({ Authorization: `Bearer ${issued.body.token}` })
      .expect(200);
    await http(app).delete(`/tokens/${issued.body.id}`).set(admin.auth).expect(204);
    await http(app)
      .get('/me')
      .set({ Authorization: `Bearer ${issued.body.token}` })
      .expect(401);
  });

  describe('amounts on the wire', () => {
    it.each([
      ['a JSON number', 100],
      ['a float string', '1.5'],
      ['a negative', '-100'],
      ['beyond the bigint range', '9223372036854775808'],
      ['a float number', 1.5],
    ])('refuses %s with 400 naming the field, nothing written', async (_label, amount) => {
      const { pool, bank } = await accounts();
      const res = await http(app)
        .post('/ledger/adjustments')
        .set(treasurer.auth)
        .send({
          businessRef: 'bad',
          description: 'bad amount',
          reason: 'testing amounts',
          postings: [
            { account: bank, direction: 'debit', amount, currency: 'EUR' },
            { account: pool, direction: 'credit', amount: '100', currency: 'EUR' },
          ],
        })
        .expect(400);
      expect(res.body.code).toBe('validation.failed');
      expect(res.body.errors[0].field).toBe('postings.0.amount');
      expect((await ledger.balance(pool)).creditsPosted).toBe(0n);
    });

    it('refuses malformed JSON with 400 and a body over the limit with 413, as problem+json', async () => {
      const malformed = await http(app)
        .post('/ledger/adjustments')
        .set(treasurer.auth)
        .set('Content-Type', 'application/json')
        .send('{"businessRef":')
        .expect(400);
      expect(malformed.body.code).toBe('request.malformed_json');
      const huge = await http(app)
        .post('/ledger/adjustments')
        .set(treasurer.auth)
        .send({ businessRef: 'x'.repeat(2_000_000) })
        .expect(413);
      expect(huge.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('refuses unknown fields', async () => {
      const res = await http(app)
        .post('/ledger/adjustments')
        .set(treasurer.auth)
        .send({ hack: true })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('hack');
    });
  });

  describe('ledger rules through the API', () => {
    const post = (postings: object[], key?: string) => {
      const req = http(app).post('/ledger/adjustments').set(treasurer.auth);
      if (key) req.set('Idempotency-Key', key);
      return req.send({ businessRef: 'adj', description: 'test', reason: 'a test adjustment', postings });
    };

    it('books a balanced adjustment, replays it by Idempotency-Key, and refuses the key with another body (409)', async () => {
      const { pool, bank } = await accounts();
      const postings = [
        { account: bank, direction: 'debit', amount: '250', currency: 'EUR' },
        { account: pool, direction: 'credit', amount: '250', currency: 'EUR' },
      ];
      const key = uniqueId('k');
      const first = await post(postings, key).expect(201);
      const again = await post(postings, key).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      const other = await post(
        [
          { ...postings[0], amount: '251' },
          { ...postings[1], amount: '251' },
        ],
        key,
      ).expect(409);
      expect(other.body.code).toBe('idempotency.key_reused');
      expect((await ledger.balance(pool)).balance).toBe(250n);
    });

    it.each([
      [
        'an unbalanced entry',
        'ledger.unbalanced_entry',
        (a: { pool: string; bank: string }) => [
          { account: a.bank, direction: 'debit', amount: '10', currency: 'EUR' },
          { account: a.pool, direction: 'credit', amount: '9', currency: 'EUR' },
        ],
      ],
      [
        'an unknown account',
        'ledger.unknown_account',
        (a: { pool: string; bank: string }) => [
          { account: a.bank, direction: 'debit', amount: '10', currency: 'EUR' },
          { account: 'liability:nowhere', direction: 'credit', amount: '10', currency: 'EUR' },
        ],
      ],
      [
        'a currency mismatch',
        'ledger.currency_mismatch',
        (a: { pool: string; bank: string }) => [
          { account: a.bank, direction: 'debit', amount: '10', currency: 'USD' },
          { account: a.pool, direction: 'credit', amount: '10', currency: 'USD' },
        ],
      ],
      [
        'an overdraft of a limited account',
        'ledger.balance_limit_exceeded',
        (a: { pool: string; bank: string }) => [
          { account: a.pool, direction: 'debit', amount: '10', currency: 'EUR' },
          { account: a.bank, direction: 'credit', amount: '10', currency: 'EUR' },
        ],
      ],
    ])('refuses %s with its own code (422), nothing written', async (_label, code, postings) => {
      const a = await accounts();
      const res = await post(postings(a)).expect(422);
      expect(res.body.code).toBe(code);
      const balances = await ledger.balances([a.pool, a.bank]);
      for (const b of balances.values()) expect(b.debitsPosted + b.creditsPosted).toBe(0n);
    });
  });
});
