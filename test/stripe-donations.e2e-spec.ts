import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { Accounts, LedgerService, PROJECT_DEBITS_LOCK_KEY } from '@app/ledger';
import { StripeEventsService } from '@app/payments';
import { FakeStripe, StripeObject } from '@app/testing';
import {
  createTestApp,
  createTestWorker,
  createUserWithToken,
  http,
  uniqueId,
} from './support/create-test-app';

type Json = Record<string, unknown>;
const objectOf = (event: StripeObject): Json => (event.data as { object: Json }).object;

describe('private donations through Stripe (official SDK against a local fake)', () => {
  let fake: FakeStripe;
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let db: DataSource;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    for (const [k, v] of Object.entries({
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.apiBase,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
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
  });

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

  async function deliver(event: StripeObject, timestamp?: number) {
    const { payload, header } = fake.sign(event, timestamp);
    return http(app)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', header)
      .send(payload);
  }

  async function processed(eventIds: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < 600; i++) {
      const rows = (await db.query(
        'SELECT event_id, outcome FROM stripe_events WHERE event_id = ANY($1) AND processed_at IS NOT NULL',
        [unique],
      )) as {
        event_id: string;
        outcome: string;
      }[];
      if (rows.length === unique.length) return new Map(rows.map((r) => [r.event_id, r.outcome]));
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the worker did not process every event in time');
  }

  async function checkout(body: Json): Promise<{ intent: string; session: string }> {
    const res = await http(app).post('/donations/checkout').send(body).expect(201);
    return { intent: res.body.donationIntentId, session: res.body.checkoutSessionId };
  }

  /** Every ledger entry of the given donation intents, normalised (no ids): the books as a multiset. */
  async function books(intents: string[]): Promise<string[]> {
    const rows = (await db.query(
      `WITH c AS (SELECT id, source_ref FROM contributions WHERE donation_intent_id = ANY($1::uuid[])),
            refs AS (SELECT source_ref FROM c UNION SELECT r.source_ref FROM contribution_reversals r JOIN c ON c.id = r.contribution_id)
       SELECT e.kind, e.policy_version, string_agg(a.code || ' ' || p.direction || ' ' || p.amount, ', ' ORDER BY a.code, p.direction, p.amount) AS postings
         FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.business_ref IN (SELECT source_ref FROM refs)
        GROUP BY e.id, e.kind, e.policy_version`,
      [intents],
    )) as { kind: string; policy_version: number; postings: string }[];
    return rows.map((r) => `${r.kind} v${r.policy_version}: ${r.postings}`).sort();
  }

  describe('checkout', () => {
    it('creates a Checkout Session carrying the donation intent, one-time or monthly', async () => {
      const p = await project();
      const res = await http(app)
        .post('/donations/checkout')
        .send({
          amount: '2500',
          mode: 'one_time',
          directions: [{ projectId: p, weight: 2 }],
          publicName: 'Ada',
        })
        .expect(201);
      expect(res.body).toMatchObject({
        amount: '2500',
        currency: 'EUR',
        mode: 'one_time',
        publicName: 'Ada',
      });
      expect(res.body.url).toBe(`${fake.apiBase}/c/pay/${res.body.checkoutSessionId}`);
      const session = fake.get(res.body.checkoutSessionId);
      expect(session.metadata).toEqual({ donation_intent_id: res.body.donationIntentId });
      expect((session.payment_intent_data as Json).metadata).toEqual({
        donation_intent_id: res.body.donationIntentId,
      });
      const monthly = await http(app)
        .post('/donations/checkout')
        .send({ amount: '1000', mode: 'monthly' })
        .expect(201);
      const sub = fake.get(monthly.body.checkoutSessionId);
      expect(sub.mode).toBe('subscription');
      expect((sub.subscription_data as Json).metadata).toEqual({
        donation_intent_id: monthly.body.donationIntentId,
      });
      expect(monthly.body.publicName).toBeNull();
      expect(monthly.body.pseudonym).toMatch(/^donor-[0-9a-f]{12}$/);
    });

    it.each([
      ['a zero amount', { amount: '0' }, 'amount'],
      ['an amount as a number', { amount: 2500 }, 'amount'],
      ['an unknown mode', { amount: '2500', mode: 'weekly' }, 'mode'],
      [
        'an unknown project',
        { amount: '2500', directions: [{ projectId: '00000000-0000-4000-8000-000000000000', weight: 1 }] },
        'directions[0].projectId',
      ],
      [
        'a weight of zero',
        { amount: '2500', directions: [{ projectId: '00000000-0000-4000-8000-000000000000', weight: 0 }] },
        'directions[0].weight',
      ],
      [
        '201 directions',
        {
          amount: '2500',
          directions: Array.from({ length: 201 }, (_, i) => ({
            projectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            weight: 1,
          })),
        },
        'directions',
      ],
    ])('refuses %s with 422 naming the field', async (_n, body, field) => {
      const res = await http(app).post('/donations/checkout').send(body).expect(422);
      expect(res.body.field).toBe(field);
    });
  });

  describe('webhook intake', () => {
    it('refuses a bad or stale signature with 400 and stores nothing', async () => {
      const event = fake.event('customer.created', { id: `cus_${uniqueId()}`, object: 'customer' });
      const { payload } = fake.sign(event);
      const forged = await http(app)
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)
        .send(payload)
        .expect(400);
      expect(forged.body.code).toBe('payments.invalid_signature');
      const stale = await deliver(event, Math.floor(Date.now() / 1000) - 301);
      expect(stale.status).toBe(400);
      expect(stale.body.code).toBe('payments.stale_signature');
      await http(app)
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .send(payload)
        .expect(400);
      const rows = await db.query('SELECT 1 FROM stripe_events WHERE event_id = $1', [event.id]);
      expect(rows).toEqual([]);
    });

    it('acknowledges an unknown event type and ignores it; a duplicate is stored once', async () => {
      const event = fake.event('customer.created', { id: `cus_${uniqueId()}`, object: 'customer' });
      const first = await deliver(event);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: true, eventId: event.id, duplicate: false });
      const again = await deliver(event);
      expect(again.body.duplicate).toBe(true);
      const outcomes = await processed([event.id]);
      expect(outcomes.get(event.id)).toMatch(/^ignored/);
      const rows = await db.query('SELECT count(*)::int AS n FROM stripe_events WHERE event_id = $1', [
        event.id,
      ]);
      expect(rows[0].n).toBe(1);
    });
  });

  describe('booking', () => {
    it('books a one-time payment once with the processor fee as its own posting and the split on the net', async () => {
      const [p1, p2] = [await project(), await project()];
      const { intent, session } = await checkout({
        amount: '10000',
        directions: [
          { projectId: p1, weight: 1 },
          { projectId: p2, weight: 3 },
        ],
      });
      const events = fake.completeCheckout(session, { fee: 175 });
      for (const e of [...events, ...events]) expect((await deliver(e)).status).toBe(200);
      await processed(events.map((e) => e.id));
      expect(await books([intent])).toEqual([
        'contribution.donation v1: ' +
          [
            'asset:stripe:eur D 9825',
            'expense:processor-fees:eur D 175',
            'income:processor-fee-cover:eur C 175',
            // net 9825: directed 4913 (the tie goes to 'directed'), pool 4912; 4913 over 1:3 → 1228 / 3685
            `liability:pool:eur C 4912`,
            `liability:project:${p1}:directed:eur C 1228`,
            `liability:project:${p2}:directed:eur C 3685`,
          ]
            .sort((a, b) => (a < b ? -1 : 1))
            .join(', '),
      ]);
      const [row] = await db.query(
        'SELECT count(*)::int AS n FROM contributions WHERE donation_intent_id = $1',
        [intent],
      );
      expect(row.n).toBe(1);
    });

    it('books a payment once when several workers sync the same charge at the same time', async () => {
      const p = await project();
      const { intent, session } = await checkout({
        amount: '4000',
        directions: [{ projectId: p, weight: 1 }],
      });
      fake.completeCheckout(session);
      const chargeId = String(fake.get(String(fake.get(session).payment_intent)).latest_charge);
      fake.refundCharge(chargeId, 1000);
      const sut = worker.get(StripeEventsService);
      await Promise.all(Array.from({ length: 6 }, () => sut.syncCharge(chargeId)));
      const entries = await books([intent]);
      expect(entries.filter((e) => e.startsWith('contribution.donation'))).toHaveLength(1);
      expect(entries.filter((e) => e.startsWith('contribution.refund'))).toHaveLength(1);
      const [{ n }] = await db.query(
        'SELECT count(*)::int AS n FROM contributions WHERE donation_intent_id = $1',
        [intent],
      );
      expect(n).toBe(1);
    });

    it("takes a project's money back only when no disbursement run executes", async () => {
      const p = await project();
      const { intent, session } = await checkout({
        amount: '4000',
        directions: [{ projectId: p, weight: 1 }],
      });
      const paid = fake.completeCheckout(session, { fee: 0 });
      for (const e of paid) await deliver(e);
      await processed(paid.map((e) => e.id));
      const chargeId = String(fake.get(String(fake.get(session).payment_intent)).latest_charge);
      fake.refundCharge(chargeId, 1000);
      // A run holds its lock (DisbursementRunService.execute) for its whole duration.
      const run = db.createQueryRunner();
      await run.connect();
      let refunded = false;
      try {
        await run.query('SELECT pg_advisory_lock($1)', [PROJECT_DEBITS_LOCK_KEY]);
        const sync = worker
          .get(StripeEventsService)
          .syncCharge(chargeId)
          .then(() => {
            refunded = true;
          });
        // the refund's transaction waits on that lock, shared, and books nothing meanwhile
        const waitingShared = async () =>
          (
            (await db.query(
              `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND NOT granted`,
            )) as { n: number }[]
          )[0].n;
        for (let i = 0; i < 100 && (await waitingShared()) === 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await waitingShared()).toBe(1);
        expect(refunded).toBe(false);
        expect((await books([intent])).filter((e) => e.startsWith('contribution.refund'))).toHaveLength(0);
        await run.query('SELECT pg_advisory_unlock($1)', [PROJECT_DEBITS_LOCK_KEY]);
        await sync;
      } finally {
        await run.release();
      }
      expect(refunded).toBe(true);
      expect((await books([intent])).filter((e) => e.startsWith('contribution.refund'))).toHaveLength(1);
    });

    it('gives a signed-in donor a stable pseudonym and a yearly statement (JSON and CSV)', async () => {
      const p = await project();
      const donor = await createUserWithToken(app, [{ role: 'donor' }]);
      const first = await http(app)
        .post('/donations/checkout')
        .set(donor.auth)
        .send({ amount: '3000', directions: [{ projectId: p, weight: 1 }] })
        .expect(201);
      const second = await http(app)
        .post('/donations/checkout')
        .set(donor.auth)
        .send({ amount: '1000' })
        .expect(201);
      expect(second.body.pseudonym).toBe(first.body.pseudonym);
      const events = fake.completeCheckout(first.body.checkoutSessionId, { fee: 70 });
      for (const e of events) await deliver(e);
      await processed(events.map((e) => e.id));
      const year = new Date().getUTCFullYear();
      const statement = await http(app).get(`/donations/statements/${year}`).set(donor.auth).expect(200);
      expect(statement.body.contributor).toEqual({ kind: 'donor', id: donor.userId, name: null });
      expect(statement.body.totals).toMatchObject({
        gross: '3000',
        processorFee: '70',
        net: '2930',
        pool: '1465',
        directedShare: '1465',
      });
      expect(statement.body.lines).toEqual([
        expect.objectContaining({ policyVersion: 1, directed: [{ projectId: p, amount: '1465' }] }),
      ]);
      const csv = await http(app).get(`/donations/statements/${year}?format=csv`).set(donor.auth).expect(200);
      expect(csv.text.trim().split('\n')).toHaveLength(2);
      expect(csv.text).toContain(',30.00,0.70,29.30,0.00,14.65,14.65,0.00,1,');
      const stranger = await createUserWithToken(app, [{ role: 'buyer', scopeId: p }]);
      await http(app).get(`/donations/statements/${year}`).set(stranger.auth).expect(403);
    });

    it("gives a donor without an account a statement key, shown once, that opens only that donation's statement", async () => {
      const p = await project();
      const checkout = () =>
        http(app)
          .post('/donations/checkout')
          .set('idempotency-key', `checkout-${p}`)
          .send({ amount: '2000', mode: 'monthly', directions: [{ projectId: p, weight: 1 }] })
          .expect(201);
      const res = await checkout();
      const key = res.body.statementKey as string;
      expect(key).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
      // a replay answers the same donation without the key, which is stored nowhere in clear
      const replay = await checkout();
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ ...res.body, statementKey: null });
      const [record] = await db.query(
        `SELECT response_body::text AS body FROM idempotency_records WHERE key = $1`,
        [`checkout-${p}`],
      );
      expect(record.body).toContain(res.body.donationIntentId);
      expect(record.body).not.toContain(key);
      const [stored] = await db.query('SELECT statement_key_hash FROM donation_intents WHERE id = $1', [
        res.body.donationIntentId,
      ]);
      expect(stored.statement_key_hash).toHaveLength(32);
      expect(stored.statement_key_hash.toString('hex')).not.toContain(Buffer.from(key).toString('hex'));
      const events = fake.completeCheckout(res.body.checkoutSessionId, { fee: 50 });
      for (const e of events) await deliver(e);
      await processed(events.map((e) => e.id));

      const year = new Date().getUTCFullYear();
      const statement = await http(app)
        .get(`/donations/statements/${year}/by-key`)
        .set('statement-key', key)
        .expect(200);
      expect(statement.headers['cache-control']).toBe('no-store');
      expect(statement.body.contributor).toEqual({ kind: 'donor', id: res.body.pseudonym, name: null });
      expect(statement.body.totals).toMatchObject({ gross: '2000', processorFee: '50', net: '1950' });
      expect(statement.body.lines).toEqual([
        expect.objectContaining({ directed: [{ projectId: p, amount: '975' }] }),
      ]);
      const csv = await http(app)
        .get(`/donations/statements/${year}/by-key?format=csv`)
        .set('statement-key', key)
        .expect(200);
      expect(csv.text.trim().split('\n')).toHaveLength(2);
      // Last year's statement is empty; a wrong, malformed or missing key opens nothing.
      const before = await http(app)
        .get(`/donations/statements/${year - 1}/by-key`)
        .set('statement-key', key)
        .expect(200);
      expect(before.body.lines).toEqual([]);
      const wrong = `lsk_${'A'.repeat(43)}`;
      for (const header of [wrong, 'lsk_short', undefined]) {
        const req = http(app).get(`/donations/statements/${year}/by-key`);
        const answer = await (header === undefined ? req : req.set('statement-key', header)).expect(404);
        expect(answer.body.code).toBe('contributions.donation_intent_not_found');
      }
    });

    it('charges to the pool, by an explicit entry, what a refunded project was already paid', async () => {
      const p = await project();
      // The pool must be able to bear the shortfall: another donor filled it.
      const filler = await checkout({ amount: '20000' });
      const { intent, session } = await checkout({
        amount: '10000',
        directions: [{ projectId: p, weight: 1 }],
      });
      const paid = [
        ...fake.completeCheckout(filler.session, { fee: 0 }),
        ...fake.completeCheckout(session, { fee: 0 }),
      ];
      for (const e of paid) await deliver(e);
      await processed(paid.map((e) => e.id));
      const ledger = app.get(LedgerService);
      const directed = Accounts.projectDirected(p);
      expect((await ledger.balance(directed.code)).balance).toBe(5000n);
      // A disbursement already moved the project's money out (to payable).
      await ledger.ensureAccounts([Accounts.payable(p)]);
      await ledger.post({
        kind: 'test.payout',
        businessRef: `payout:${p}`,
        idempotencyKey: `test-payout:${p}`,
        postings: [
          { account: directed.code, direction: 'debit', amount: 5000n, currency: 'EUR' },
          { account: Accounts.payable(p).code, direction: 'credit', amount: 5000n, currency: 'EUR' },
        ],
      });
      const chargeId = String(fake.get(String(fake.get(session).payment_intent)).latest_charge);
      const refunded = fake.refundCharge(chargeId);
      for (const e of refunded) await deliver(e);
      await processed(refunded.map((e) => e.id));
      const entries = await books([intent]);
      expect(entries).toEqual(
        [
          `contribution.donation v1: asset:stripe:eur D 10000, liability:pool:eur C 5000, ${directed.code} C 5000`,
          'contribution.refund v1: asset:stripe:eur C 5000, liability:pool:eur D 5000',
          'contribution.shortfall v1: asset:stripe:eur C 5000, liability:pool:eur D 5000',
        ].sort(),
      );
      expect((await ledger.balance(directed.code)).balance).toBe(0n);
      const [reversal] = await db.query(
        'SELECT r.shortfall::text FROM contribution_reversals r JOIN contributions c ON c.id = r.contribution_id WHERE c.donation_intent_id = $1',
        [intent],
      );
      expect(reversal.shortfall).toBe('5000');
    });

    it("books the fee Stripe takes for a dispute, once: the Stripe account moves exactly as Stripe's balance", async () => {
      const ledger = app.get(LedgerService);
      const stripeBalance = async () => (await ledger.balance(Accounts.stripe('EUR').code)).balance;
      await ledger.ensureAccounts([Accounts.stripe('EUR')]);
      const p = await project();
      const before = await stripeBalance();
      const { session } = await checkout({ amount: '10000', directions: [{ projectId: p, weight: 1 }] });
      const events = fake.completeCheckout(session, { fee: 200 });
      const chargeId = String(fake.get(String(fake.get(session).payment_intent)).latest_charge);
      const [opened] = fake.openDispute(chargeId);
      const disputeId = String(objectOf(opened).id);
      events.push(opened, ...fake.closeDispute(disputeId, 'won'));
      // Delivered twice: the fee is still booked once.
      for (const e of [...events, ...events]) await deliver(e);
      await processed(events.map((e) => e.id));

      const charge = fake.get(chargeId);
      const moves = [
        fake.get(String(charge.balance_transaction)),
        ...(fake.get(disputeId).balance_transactions as StripeObject[]),
      ];
      const stripeNet = moves.reduce((sum, t) => sum + BigInt(Number(t.net)), 0n);
      expect(stripeNet).toBe(10000n - 200n - 1500n);
      expect((await stripeBalance()) - before).toBe(stripeNet);
      const fees = await db.query(
        `SELECT e.business_ref, p.direction, p.amount::text FROM ledger_entries e
           JOIN ledger_postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
          WHERE e.kind = 'contribution.dispute_fee' AND e.business_ref = $1 AND a.code = $2`,
        [`stripe:dispute:${disputeId}`, Accounts.processorFees('EUR').code],
      );
      expect(fees).toEqual([{ business_ref: `stripe:dispute:${disputeId}`, direction: 'D', amount: '1500' }]);
    });

    it('delivers one realistic set of events twice, duplicated and shuffled, and ends with identical books', async () => {
      const [p1, p2] = [await project(), await project()];
      /** The same story twice, on different Stripe objects: returns its intents and its events in Stripe's order. */
      async function story(): Promise<{ intents: string[]; events: StripeObject[] }> {
        const events: StripeObject[] = [];
        const a = await checkout({
          amount: '2500',
          directions: [
            { projectId: p1, weight: 1 },
            { projectId: p2, weight: 3 },
          ],
          publicName: 'Ada',
        });
        events.push(...fake.completeCheckout(a.session));
        const aCharge = String(
          fake.get(String(fake.get(String(fake.get(a.session).payment_intent)).id)).latest_charge,
        );
        events.push(...fake.refundCharge(aCharge, 700), ...fake.refundCharge(aCharge, 300));
        const b = await checkout({ amount: '10000' });
        events.push(...fake.completeCheckout(b.session, { fee: 0 }));
        const bCharge = String(fake.get(String(fake.get(b.session).payment_intent)).latest_charge);
        const [opened] = fake.openDispute(bCharge);
        events.push(opened, ...fake.closeDispute(String(objectOf(opened).id), 'won'));
        const c = await checkout({ amount: '5000', directions: [{ projectId: p1, weight: 1 }] });
        events.push(...fake.completeCheckout(c.session));
        const cCharge = String(fake.get(String(fake.get(c.session).payment_intent)).latest_charge);
        const [cOpened] = fake.openDispute(cCharge, 5000);
        events.push(cOpened, ...fake.closeDispute(String(objectOf(cOpened).id), 'lost'));
        const d = await checkout({
          amount: '1200',
          mode: 'monthly',
          directions: [{ projectId: p2, weight: 5 }],
        });
        events.push(...fake.completeCheckout(d.session));
        events.push(...fake.payInvoice(String(fake.get(d.session).subscription)));
        const e = await checkout({
          amount: '3000',
          directions: [
            { projectId: p1, weight: 2 },
            { projectId: p2, weight: 1 },
          ],
        });
        events.push(...fake.completeCheckout(e.session));
        events.push(
          ...fake.refundCharge(String(fake.get(String(fake.get(e.session).payment_intent)).latest_charge)),
        );
        events.push(fake.event('customer.created', { id: `cus_${uniqueId()}`, object: 'customer' }));
        return { intents: [a.intent, b.intent, c.intent, d.intent, e.intent], events };
      }

      const inOrder = await story();
      for (const e of inOrder.events) expect((await deliver(e)).status).toBe(200);
      await processed(inOrder.events.map((e) => e.id));
      const expected = await books(inOrder.intents);

      const shuffled = await story();
      const deliveries = fc.sample(
        fc.shuffledSubarray(
          [...shuffled.events, ...shuffled.events, ...shuffled.events.filter((_, i) => i % 3 === 0)],
          {
            minLength: shuffled.events.length * 2 + Math.ceil(shuffled.events.length / 3),
          },
        ),
        { numRuns: 1, seed: 20261121 },
      )[0];
      const statuses = await Promise.all(deliveries.map(async (e) => (await deliver(e)).status));
      expect(new Set(statuses)).toEqual(new Set([200]));
      await processed(shuffled.events.map((e) => e.id));
      const actual = await books(shuffled.intents);
      expect(actual).toEqual(expected);

      // And once more, all of it again in reverse: nothing changes.
      for (const e of [...shuffled.events].reverse()) expect((await deliver(e)).status).toBe(200);
      await processed(shuffled.events.map((e) => e.id));
      expect(await books(shuffled.intents)).toEqual(expected);

      // The story as booked: 5 one-time payments + 2 invoices; 3 refunds, 2 disputes, 1 won.
      const kinds = expected.map((line) => line.split(' ')[0]);
      const count = (k: string) => kinds.filter((x) => x === k).length;
      expect(count('contribution.donation')).toBe(6);
      expect(count('contribution.refund')).toBe(3);
      expect(count('contribution.dispute')).toBe(2);
      expect(count('contribution.dispute_won')).toBe(1);
      const [{ n }] = await db.query(
        'SELECT count(*)::int AS n FROM contributions WHERE donation_intent_id = ANY($1::uuid[])',
        [shuffled.intents],
      );
      expect(n).toBe(6);
    });
  });
});
