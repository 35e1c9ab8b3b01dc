import { createHash } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { CheckpointService, donorCommitment, LogVerifier } from '@app/transparency';
import { adminQuery, FakeStripe, randomSuffix, StripeObject, withDatabase } from '@app/testing';
import { createTestApp, createTestWorker, createUserWithToken, http } from './support/create-test-app';

/**
 * Personal data stays out of the public log, and erasing a donor erases it (issue 15): a donation's
 * leaf (format 2) names its donor only by a salted commitment; names and pseudonyms are joined
 * from outside the log; an erasure deletes the salt, the name, the e-mail and the statement key,
 * counts what it erased, and the whole log still verifies.
 */
describe('donor privacy and erasure', () => {
  const admin = process.env.TEST_PG_ADMIN_URL as string;
  const database = `${process.env.TEST_DATABASE_PREFIX}_privacy_${randomSuffix()}`;
  const saved: Record<string, string | undefined> = {};
  let fake: FakeStripe;
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let db: DataSource;
  let baseUrl: string;

  beforeAll(async () => {
    await adminQuery(admin, `CREATE DATABASE ${database} TEMPLATE ${process.env.TEST_DATABASE_PREFIX}`);
    fake = await new FakeStripe().start();
    for (const [k, v] of Object.entries({
      DATABASE_URL: withDatabase(admin, database),
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.apiBase,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    worker = await createTestWorker();
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await fake.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  async function give(body: Record<string, unknown>, auth?: { Authorization: string }) {
    const req = http(app).post('/donations/checkout');
    const res = await (auth ? req.set(auth) : req).send(body).expect(201);
    const events = fake.completeCheckout(res.body.checkoutSessionId, { fee: 30 });
    for (const e of events as StripeObject[]) {
      const { payload, header } = fake.sign(e);
      await http(app)
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', header)
        .send(payload)
        .expect(200);
    }
    const ids = events.map((e) => e.id);
    for (let i = 0; i < 600; i++) {
      const [{ n }] = (await db.query(
        'SELECT count(*)::int AS n FROM stripe_events WHERE event_id = ANY($1) AND processed_at IS NOT NULL',
        [ids],
      )) as { n: number }[];
      if (n === ids.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [leaf] = (await db.query(
      `SELECT l.leaf_data AS leaf, e.metadata FROM contributions c
         JOIN ledger_entries e ON e.business_ref = c.source_ref
         JOIN transparency_log_leaves l ON l.entry_id = e.id
        WHERE c.donation_intent_id = $1`,
      [res.body.donationIntentId],
    )) as { leaf: string; metadata: Record<string, unknown> }[];
    return {
      ...(res.body as { donationIntentId: string; pseudonym: string; statementKey: string }),
      ...leaf,
    };
  }

  it('writes a named donor into the log only as a salted commitment, and shows the name from outside it', async () => {
    const name = `Marie Curie-Privée ${randomSuffix()}`;
    const gift = await give({ amount: '2500', publicName: name, email: 'marie@example.org' });
    expect(gift.leaf).toBeDefined();
    expect(gift.leaf).not.toContain(name);
    expect(gift.leaf).not.toContain(gift.pseudonym);
    expect(gift.leaf).not.toContain('marie@example.org');
    expect(JSON.stringify(gift.metadata)).not.toContain(name);
    const parsed = JSON.parse(gift.leaf) as { v: number; party: { type: string; commitment: string } };
    expect(parsed.v).toBe(2);
    const [salt] = (await db.query(
      'SELECT salt, commitment FROM transparency_donor_salts WHERE subject = $1',
      [`intent:${gift.donationIntentId}`],
    )) as { salt: Buffer; commitment: string }[];
    expect(parsed.party).toEqual({ type: 'donor', commitment: salt.commitment });
    expect(donorCommitment(salt.salt, `intent:${gift.donationIntentId}`)).toBe(salt.commitment);
    // the public view joins the name, kept outside the log
    const page = await http(app).get(`/public/contributors/${gift.pseudonym}`).expect(200);
    expect(JSON.stringify(page.body)).toContain(name);
  });

  it('gives a signed-in donor a pseudonym that cannot be computed from the user id', async () => {
    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    const gift = await give({ amount: '1500' }, donor.auth);
    const guessable = `donor-${createHash('sha256').update(`librery-donor:${donor.userId}`).digest('hex').slice(0, 12)}`;
    expect(gift.pseudonym).toMatch(/^donor-[0-9a-f]{12}$/);
    expect(gift.pseudonym).not.toBe(guessable);
    const again = await http(app)
      .post('/donations/checkout')
      .set(donor.auth)
      .send({ amount: '1000' })
      .expect(201);
    expect(again.body.pseudonym).toBe(gift.pseudonym);
  });

  it('erases a donor: salt, name, e-mail and statement key go, the true count is answered and audited, and the log still verifies', async () => {
    const name = `Erased Donor ${randomSuffix()}`;
    const gift = await give({ amount: '4200', publicName: name, email: 'erase-me@example.org' });
    const subject = `intent:${gift.donationIntentId}`;
    const operator = await createUserWithToken(app, [{ role: 'admin' }]);
    const res = await http(app)
      .post('/transparency/donor-erasures')
      .set(operator.auth)
      .send({ subject })
      .expect(200);
    expect(res.body).toEqual({ subject, erased: 2, salts: 1, donations: 1 });
    const [intent] = await db.query(
      'SELECT public_name, donor_email, statement_key_hash, pseudonym FROM donation_intents WHERE id = $1',
      [gift.donationIntentId],
    );
    expect(intent).toMatchObject({ public_name: null, donor_email: null, statement_key_hash: null });
    expect(intent.pseudonym).not.toBe(gift.pseudonym);
    expect(await db.query('SELECT 1 FROM transparency_donor_salts WHERE subject = $1', [subject])).toEqual(
      [],
    );
    const [audit] = await db.query(
      `SELECT details FROM audit_events WHERE action = 'donor.erased' AND target_id = $1`,
      [subject],
    );
    expect(audit.details).toEqual({ salts: 1, donations: 1 });
    // the public pages no longer show the name, under the old pseudonym or anywhere
    const old = await http(app).get(`/public/contributors/${gift.pseudonym}`);
    expect(JSON.stringify(old.body)).not.toContain(name);
    const entries = await http(app).get('/public/entries?limit=200').expect(200);
    expect(JSON.stringify(entries.body)).not.toContain(name);
    const html = await http(app).get('/ledger').expect(200);
    expect(html.text).not.toContain(name);
    // the statement key opens nothing any more
    await http(app)
      .get(`/donations/statements/${new Date().getUTCFullYear()}/by-key`)
      .set('statement-key', gift.statementKey)
      .expect(404);
    // again: nothing left, and it says so
    const twice = await http(app)
      .post('/transparency/donor-erasures')
      .set(operator.auth)
      .send({ subject })
      .expect(200);
    expect(twice.body).toEqual({ subject, erased: 0, salts: 0, donations: 0 });
    // the whole log still verifies
    await app.get(CheckpointService).signLatest();
    const report = await new LogVerifier({
      baseUrl,
      verifierKey: app.get(CheckpointService).verifierKey,
    }).run();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
