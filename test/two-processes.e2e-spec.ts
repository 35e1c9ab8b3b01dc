import { NestExpressApplication } from '@nestjs/platform-express';
import { Accounts, LedgerService } from '@app/ledger';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

/** Two API instances on one database must behave exactly like one. */
describe('two API processes on one database', () => {
  let first: NestExpressApplication;
  let second: NestExpressApplication;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestApp(), createTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('books a request retried on both instances at once exactly once', async () => {
    const ledger = first.get(LedgerService);
    const treasurer = await createUserWithToken(first, [{ role: 'treasurer' }]);
    const id = uniqueId('two');
    const project = Accounts.projectDirected(id);
    const bank = { ...Accounts.bank(), code: `asset:bank:test-${id}`, hot: false };
    await ledger.ensureAccounts([project, bank]);
    const body = {
      businessRef: id,
      description: 'retried adjustment',
      reason: 'test of retries',
      postings: [
        { account: bank.code, direction: 'debit', amount: '700', currency: 'EUR' },
        { account: project.code, direction: 'credit', amount: '700', currency: 'EUR' },
      ],
    };
    const key = uniqueId('key');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http(i % 2 ? first : second)
          .post('/ledger/adjustments')
          .set(treasurer.auth)
          .set('Idempotency-Key', key)
          .send(body),
      ),
    );
    const ok = responses.filter((r) => r.status === 201);
    // every answer is either the booked entry or "still in progress" (409), never a second booking
    expect(
      responses.every(
        (r) => r.status === 201 || (r.status === 409 && r.body.code === 'idempotency.in_progress'),
      ),
    ).toBe(true);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    expect((await ledger.balance(project.code)).balance).toBe(700n);
    const retry = await http(second)
      .post('/ledger/adjustments')
      .set(treasurer.auth)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect(retry.body.id).toBe(ok[0].body.id);
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const res = await http(first).get('/nowhere').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.status).toBe(404);
  });
});
