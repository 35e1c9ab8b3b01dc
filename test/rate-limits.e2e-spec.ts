import { NestExpressApplication } from '@nestjs/platform-express';
import { FakeStripe } from '@app/testing';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

/** Issue 15: rate limits on one Redis store (@nestjs/throttler): failed token authentications, anonymous checkouts. */
describe('rate limits', () => {
  let fake: FakeStripe;
  let app: NestExpressApplication;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    for (const [k, v] of Object.entries({
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.apiBase,
      CHECKOUT_RATE_LIMIT: '3',
      AUTH_FAILURE_RATE_LIMIT: '4',
      // A prefix of its own: the counters of other suites (same address) do not count here.
      QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-${uniqueId('rl')}`,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
    await fake.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('answers 429 problem+json once an address has failed token authentication too often, and valid tokens still work', async () => {
    const user = await createUserWithToken(app, [{ role: 'donor' }]);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await http(app).get('/me').set('Authorization', `Bearer lib_wrong${i}`);
      statuses.push(res.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429, 429]);
    const limited = await http(app).get('/me').set('Authorization', 'Bearer lib_wrong-again').expect(429);
    expect(limited.body.code).toBe('request.rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await http(app).get('/me').set(user.auth).expect(200);
  });

  it('limits anonymous checkouts per address, not signed-in donors', async () => {
    const body = { amount: '2500' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await http(app).post('/donations/checkout').send(body)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const limited = await http(app).post('/donations/checkout').send(body).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body.code).toBe('request.rate_limited');
    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    for (let i = 0; i < 4; i++)
      await http(app).post('/donations/checkout').set(donor.auth).send(body).expect(201);
  });
});
