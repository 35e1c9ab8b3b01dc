import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { FakeStripe } from './fake-stripe.server';
import { parseStripeForm } from './form-body';

describe('FakeStripe (the official SDK against a local fake)', () => {
  let fake: FakeStripe;
  let sut: Stripe;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    sut = fake.client();
  });
  afterAll(() => fake.stop());

  it('decodes Stripe form bodies', () => {
    expect(parseStripeForm('a[b][0][c]=1&a[b][0][d]=x&expand[]=p&expand[]=q&m[k]=v')).toEqual({
      a: { b: [{ c: '1', d: 'x' }] },
      expand: ['p', 'q'],
      m: { k: 'v' },
    });
  });

  it('creates a one-time Checkout Session, then the payment and its fee can be retrieved', async () => {
    const session = await sut.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: { currency: 'eur', unit_amount: 2500, product_data: { name: 'Donation' } },
        },
      ],
      payment_intent_data: { metadata: { donation_intent_id: 'd1' } },
      metadata: { donation_intent_id: 'd1' },
      success_url: 'https://example.org/ok',
    });
    expect(session.url).toBe(`${fake.apiBase}/c/pay/${session.id}`);
    expect(session.amount_total).toBe(2500);
    const events = fake.completeCheckout(session.id, { fee: 63 });
    expect(events.map((e) => e.type)).toEqual([
      'checkout.session.completed',
      'payment_intent.succeeded',
      'charge.succeeded',
    ]);
    const pi = await sut.paymentIntents.retrieve(String(fake.get(session.id).payment_intent), {
      expand: ['latest_charge.balance_transaction'],
    });
    expect(pi.metadata).toEqual({ donation_intent_id: 'd1' });
    const charge = pi.latest_charge as Stripe.Charge;
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect([txn.amount, txn.fee, txn.net]).toEqual([2500, 63, 2437]);
    const txnAgain = await sut.balanceTransactions.retrieve(txn.id);
    expect(txnAgain.fee).toBe(63);
  });

  it('refunds partially through the SDK, and refuses more than is left', async () => {
    const session = await sut.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { quantity: 1, price_data: { currency: 'eur', unit_amount: 1000, product_data: { name: 'D' } } },
      ],
    });
    fake.completeCheckout(session.id);
    const pi = fake.get(String(fake.get(session.id).payment_intent));
    const refund = await sut.refunds.create({ payment_intent: pi.id, amount: 400 });
    expect(refund.amount).toBe(400);
    const charge = await sut.charges.retrieve(String(pi.latest_charge));
    expect(charge.amount_refunded).toBe(400);
    await expect(sut.refunds.create({ charge: charge.id, amount: 601 })).rejects.toThrow(/exceeds/);
    const list = await sut.refunds.list({ charge: charge.id });
    expect(list.data.map((r) => r.amount)).toEqual([400]);
  });

  it('pays subscription invoices with the donation metadata on the invoice', async () => {
    const session = await sut.checkout.sessions.create({
      mode: 'subscription',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: 'eur',
            unit_amount: 1200,
            recurring: { interval: 'month' },
            product_data: { name: 'M' },
          },
        },
      ],
      subscription_data: { metadata: { donation_intent_id: 'd2' } },
    });
    const events = fake.completeCheckout(session.id);
    expect(events.map((e) => e.type)).toContain('invoice.paid');
    const subscription = await sut.subscriptions.retrieve(String(fake.get(session.id).subscription));
    expect(subscription.metadata).toEqual({ donation_intent_id: 'd2' });
    const renewal = fake.payInvoice(subscription.id);
    const invoiceId = String((renewal[0].data as { object: { id: string } }).object.id);
    const invoice = await sut.invoices.retrieve(invoiceId);
    expect(invoice.amount_paid).toBe(1200);
    expect(invoice.parent?.subscription_details?.metadata).toEqual({ donation_intent_id: 'd2' });
  });

  it('replays a transfer by Idempotency-Key and can fail the next call', async () => {
    const first = await sut.transfers.create(
      { amount: 500, currency: 'eur', destination: 'acct_1' },
      { idempotencyKey: 'k1' },
    );
    const again = await sut.transfers.create(
      { amount: 500, currency: 'eur', destination: 'acct_1' },
      { idempotencyKey: 'k1' },
    );
    expect(again.id).toBe(first.id);
    fake.failNext('POST', '/v1/transfers', 400, {
      type: 'invalid_request_error',
      code: 'balance_insufficient',
      message: 'Insufficient funds',
    });
    await expect(sut.transfers.create({ amount: 1, currency: 'eur', destination: 'acct_1' })).rejects.toThrow(
      /Insufficient/,
    );
  });

  it('signs events the SDK verifies, and disputes follow Stripe’s shapes', async () => {
    const session = await sut.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { quantity: 1, price_data: { currency: 'eur', unit_amount: 3000, product_data: { name: 'D' } } },
      ],
    });
    const [, , chargeEvent] = fake.completeCheckout(session.id);
    const chargeId = String((chargeEvent.data as { object: { id: string } }).object.id);
    const [opened] = fake.openDispute(chargeId, 1000);
    const disputeId = String((opened.data as { object: { id: string } }).object.id);
    const [closed] = fake.closeDispute(disputeId, 'won');
    const { payload, header } = fake.sign(closed);
    const event = sut.webhooks.constructEvent(payload, header, fake.webhookSecret, 300);
    expect(event.type).toBe('charge.dispute.closed');
    const dispute = await sut.disputes.retrieve(disputeId);
    expect(dispute.status).toBe('won');
  });

  describe('hosted checkout page', () => {
    let endpoint: Server;
    const received: { type: string; payload: string; header: string }[] = [];

    beforeAll(async () => {
      endpoint = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const payload = Buffer.concat(chunks).toString('utf8');
          received.push({
            type: String((JSON.parse(payload) as { type: string }).type),
            payload,
            header: String(req.headers['stripe-signature']),
          });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
      fake.webhookUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhooks/stripe`;
    });
    afterAll(async () => {
      fake.webhookUrl = null;
      endpoint.closeAllConnections();
      await new Promise<void>((r) => endpoint.close(() => r()));
    });
    beforeEach(() => {
      received.length = 0;
    });

    const create = (mode: 'payment' | 'subscription', amount: number) =>
      sut.checkout.sessions.create({
        mode,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'eur',
              unit_amount: amount,
              product_data: { name: 'Donation' },
              ...(mode === 'subscription' ? { recurring: { interval: 'month' as const } } : {}),
            },
          },
        ],
        metadata: { donation_intent_id: 'd9' },
        ...(mode === 'payment'
          ? { payment_intent_data: { metadata: { donation_intent_id: 'd9' } } }
          : { subscription_data: { metadata: { donation_intent_id: 'd9' } } }),
        success_url: 'http://fund.test/give/thanks?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'http://fund.test/give/cancelled/abc',
      });

    it('shows the amount; Pay completes it, delivers signed events in order, then redirects to success_url', async () => {
      const session = await create('payment', 123456);
      const page = await fetch(session.url!);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('€1,234.56');
      expect(html).toContain(`action="/c/pay/${session.id}/pay"`);

      const paid = await fetch(`${fake.apiBase}/c/pay/${session.id}/pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`http://fund.test/give/thanks?session=${session.id}`);
      expect(received.map((r) => r.type)).toEqual([
        'checkout.session.completed',
        'payment_intent.succeeded',
        'charge.succeeded',
      ]);
      for (const r of received) {
        expect(sut.webhooks.constructEvent(r.payload, r.header, fake.webhookSecret, 300).type).toBe(r.type);
      }
      expect((await sut.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
      expect(fake.deliveries.slice(-3).map((d) => d.status)).toEqual([200, 200, 200]);

      const again = await fetch(`${fake.apiBase}/c/pay/${session.id}/pay`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(again.status).toBe(409);
      expect(received).toHaveLength(3);
    });

    it('for a subscription, sends what Stripe sends for the first invoice', async () => {
      const session = await create('subscription', 1000);
      expect(await (await fetch(session.url!)).text()).toContain('€10.00 per month');
      await fetch(`${fake.apiBase}/c/pay/${session.id}/pay`, { method: 'POST', redirect: 'manual' });
      expect(received.map((r) => r.type)).toEqual([
        'checkout.session.completed',
        'invoice.paid',
        'invoice.payment_succeeded',
        'payment_intent.succeeded',
        'charge.succeeded',
      ]);
      const invoice = (JSON.parse(received[1].payload) as { data: { object: Record<string, unknown> } }).data
        .object;
      expect(invoice.subscription).toBe((await sut.checkout.sessions.retrieve(session.id)).subscription);
    });

    it('Cancel redirects to cancel_url and charges nothing; an unknown session is a 404', async () => {
      const session = await create('payment', 2500);
      const cancelled = await fetch(`${fake.apiBase}/c/pay/${session.id}/cancel`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(cancelled.status).toBe(303);
      expect(cancelled.headers.get('location')).toBe('http://fund.test/give/cancelled/abc');
      expect(received).toHaveLength(0);
      expect((await sut.checkout.sessions.retrieve(session.id)).status).toBe('open');
      expect((await fetch(`${fake.apiBase}/c/pay/cs_test_nothing`)).status).toBe(404);
    });
  });
});
