import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { parseStripeForm } from './form-body';
import { HostedCheckoutView, renderHostedCheckout } from './hosted-checkout.page';
import {
  buildStripeEvent,
  defaultStripeFee,
  fakeStripeId,
  signStripeDelivery,
  SignedDelivery,
  StripeObject,
} from './stripe-event.factory';

interface Failure {
  method: string;
  pathPrefix: string;
  status: number;
  error: { type: string; code?: string; message: string };
}

/** One webhook delivery the hosted checkout made, and how the endpoint answered. */
export interface WebhookDelivery {
  readonly eventId: string;
  readonly type: string;
  readonly status: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly idempotencyKey: string | undefined;
}

type Json = Record<string, unknown>;

/**
 * A local, stateful stand-in for the part of Stripe's API the Librery calls, for tests: the
 * official SDK is pointed at it (host, port, protocol 'http'). It keeps every object it creates,
 * expands `expand[]` paths, replays POSTs by Idempotency-Key, can fail the next call to a path,
 * and builds the events real Stripe would send for each scenario (checkout paid, invoice paid,
 * refund, dispute), signed with the SDK's test-header helper.
 *
 * A Checkout Session's `url` opens a hosted checkout page on this server (`/c/pay/<id>`, plain
 * HTML forms, no script) showing the amount, with "Pay" and "Cancel": Pay completes the session
 * as `completeCheckout` does, delivers the events Stripe would send, signed, to `webhookUrl` (in
 * Stripe's order, one after the other), then redirects (303) to the session's `success_url` with
 * `{CHECKOUT_SESSION_ID}` replaced; Cancel redirects to its `cancel_url`.
 */
export class FakeStripe {
  readonly secretKey = 'sk_test_fake_librery';
  readonly webhookSecret = `whsec_fake_${randomBytes(8).toString('hex')}`;
  readonly objects = new Map<string, StripeObject>();
  readonly requests: RecordedRequest[] = [];
  /** Seconds since the epoch used for `created`; advances by one per object unless set. */
  clock = Math.floor(Date.now() / 1000);
  /** Where the hosted checkout delivers events (the app's `/webhooks/stripe`); none when unset. */
  webhookUrl: string | null = null;
  /** Every delivery the hosted checkout made, in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private server: Server | null = null;
  private port = 0;
  private readonly replies = new Map<string, { status: number; body: Json }>();
  private readonly failures: Failure[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** `http://127.0.0.1:<port>`, for STRIPE_API_BASE. */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** An SDK client pointed at this fake. */
  client(): Stripe {
    return new Stripe(this.secretKey, {
      host: '127.0.0.1',
      port: this.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    });
  }

  /** Makes the next `method` call whose path starts with `pathPrefix` fail with this status and error. */
  failNext(method: string, pathPrefix: string, status: number, error: Failure['error']): void {
    this.failures.push({ method: method.toUpperCase(), pathPrefix, status, error });
  }

  get<T extends StripeObject = StripeObject>(id: string): T {
    const found = this.objects.get(id);
    if (!found) throw new Error(`fake Stripe has no object ${id}`);
    return found as T;
  }

  /**
   * Delivers events, signed, to `webhookUrl`, one after the other as Stripe does for one
   * endpoint; each answer is recorded in `deliveries`. Without `webhookUrl`, nothing is sent.
   */
  async deliver(events: readonly StripeObject[]): Promise<WebhookDelivery[]> {
    const done: WebhookDelivery[] = [];
    if (!this.webhookUrl) return done;
    for (const event of events) {
      const { payload, header } = this.sign(event);
      let status = 0;
      try {
        const res = await fetch(this.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
          body: payload,
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      const delivery = { eventId: event.id, type: String(event.type), status };
      this.deliveries.push(delivery);
      done.push(delivery);
    }
    return done;
  }

  /** Signs an event for delivery to the webhook endpoint. */
  sign(event: StripeObject, timestamp?: number): SignedDelivery {
    return signStripeDelivery(event, this.webhookSecret, timestamp);
  }

  // ---------------------------------------------------------------- scenarios (state + events)

  /**
   * The donor pays a Checkout Session. One-time: creates the PaymentIntent, charge and balance
   * transaction. Subscription: creates the subscription and pays its first invoice. Returns the
   * events Stripe sends for it.
   */
  completeCheckout(sessionId: string, options: { fee?: number } = {}): StripeObject[] {
    const session = this.get(sessionId);
    const amount = Number(session.amount_total);
    const currency = String(session.currency);
    if (session.mode === 'subscription') {
      const subData = (session.subscription_data ?? {}) as Json;
      const subscription = this.put({
        id: fakeStripeId('sub'),
        object: 'subscription',
        status: 'active',
        currency,
        metadata: subData.metadata ?? {},
        items: {
          object: 'list',
          data: [{ price: { unit_amount: amount, currency, recurring: session.recurring } }],
        },
        created: this.tick(),
      });
      Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
      const events = this.payInvoice(subscription.id, options);
      const invoiceId = String(
        (events.find((e) => e.type === 'invoice.paid')!.data as Json & { object: Json }).object.id,
      );
      session.invoice = invoiceId;
      return [this.event('checkout.session.completed', session), ...events];
    }
    const { paymentIntent, charge } = this.createPayment(
      amount,
      currency,
      ((session.payment_intent_data ?? {}) as Json).metadata as Json,
      options.fee,
    );
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: paymentIntent.id });
    return [
      this.event('checkout.session.completed', session),
      this.event('payment_intent.succeeded', paymentIntent),
      this.event('charge.succeeded', charge),
    ];
  }

  /** The subscription renews: one more invoice paid (with its PaymentIntent, charge and fee). */
  payInvoice(subscriptionId: string, options: { fee?: number } = {}): StripeObject[] {
    const subscription = this.get(subscriptionId);
    const item = ((subscription.items as Json).data as Json[])[0].price as Json;
    const amount = Number(item.unit_amount);
    const currency = String(item.currency);
    const { paymentIntent, charge } = this.createPayment(amount, currency, {}, options.fee);
    const invoice = this.put({
      id: fakeStripeId('in'),
      object: 'invoice',
      status: 'paid',
      currency,
      amount_due: amount,
      amount_paid: amount,
      subscription: subscriptionId,
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: subscriptionId, metadata: subscription.metadata },
      },
      payments: {
        object: 'list',
        data: [
          {
            object: 'invoice_payment',
            payment: { type: 'payment_intent', payment_intent: paymentIntent.id },
          },
        ],
      },
      payment_intent: paymentIntent.id,
      charge: charge.id,
      created: this.tick(),
    });
    paymentIntent.invoice = invoice.id;
    return [
      this.event('invoice.paid', invoice),
      this.event('invoice.payment_succeeded', invoice),
      this.event('payment_intent.succeeded', paymentIntent),
      this.event('charge.succeeded', charge),
    ];
  }

  /** Refunds part or all of a charge (Stripe keeps its fee); returns charge.refunded and refund.created. */
  refundCharge(chargeId: string, amount?: number): StripeObject[] {
    const refund = this.createRefund(chargeId, amount);
    return [this.event('charge.refunded', this.get(chargeId)), this.event('refund.created', refund)];
  }

  /** The cardholder disputes a charge: the amount is withdrawn. */
  openDispute(chargeId: string, amount?: number): StripeObject[] {
    const charge = this.get(chargeId);
    const disputed = amount ?? Number(charge.amount);
    const txn = this.put({
      id: fakeStripeId('txn'),
      object: 'balance_transaction',
      amount: -disputed,
      fee: 1500,
      net: -disputed - 1500,
      currency: charge.currency,
      type: 'adjustment',
      created: this.tick(),
    });
    const dispute = this.put({
      id: fakeStripeId('dp'),
      object: 'dispute',
      amount: disputed,
      currency: charge.currency,
      charge: chargeId,
      payment_intent: charge.payment_intent,
      status: 'needs_response',
      reason: 'fraudulent',
      balance_transactions: [txn],
      created: this.tick(),
    });
    charge.disputed = true;
    return [this.event('charge.dispute.created', dispute)];
  }

  /** Closes a dispute, won (the funds come back) or lost. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): StripeObject[] {
    const dispute = this.get(disputeId);
    dispute.status = outcome;
    if (outcome === 'won') {
      const txn = this.put({
        id: fakeStripeId('txn'),
        object: 'balance_transaction',
        amount: dispute.amount,
        fee: 0,
        net: dispute.amount,
        currency: dispute.currency,
        type: 'adjustment',
        created: this.tick(),
      });
      (dispute.balance_transactions as Json[]).push(txn);
    }
    return [this.event('charge.dispute.closed', dispute)];
  }

  /** A snapshot event of an object's current state (also retrievable at /v1/events/:id). */
  event(type: string, object: StripeObject): StripeObject {
    return this.put(buildStripeEvent(type, object, this.tick()));
  }

  // ---------------------------------------------------------------- state helpers

  private tick(): number {
    return this.clock++;
  }

  private put<T extends StripeObject>(object: T): T {
    this.objects.set(object.id, object);
    return object;
  }

  private createPayment(
    amount: number,
    currency: string,
    metadata: Json | undefined,
    fee?: number,
  ): { paymentIntent: StripeObject; charge: StripeObject } {
    const feeAmount = fee ?? defaultStripeFee(amount);
    const paymentIntentId = fakeStripeId('pi');
    const chargeId = fakeStripeId('ch');
    const txn = this.put({
      id: fakeStripeId('txn'),
      object: 'balance_transaction',
      amount,
      fee: feeAmount,
      net: amount - feeAmount,
      currency,
      type: 'charge',
      source: chargeId,
      created: this.tick(),
    });
    const charge = this.put({
      id: chargeId,
      object: 'charge',
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      currency,
      paid: true,
      captured: true,
      refunded: false,
      disputed: false,
      status: 'succeeded',
      payment_intent: paymentIntentId,
      balance_transaction: txn.id,
      metadata: metadata ?? {},
      refunds: { object: 'list', data: [], has_more: false },
      created: this.tick(),
    });
    const paymentIntent = this.put({
      id: paymentIntentId,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      currency,
      status: 'succeeded',
      latest_charge: chargeId,
      metadata: metadata ?? {},
      created: this.tick(),
    });
    return { paymentIntent, charge };
  }

  private createRefund(chargeId: string, amount?: number): StripeObject {
    const charge = this.get(chargeId);
    const left = Number(charge.amount) - Number(charge.amount_refunded);
    const value = amount ?? left;
    if (value <= 0 || value > left)
      throw new FakeStripeError(
        400,
        'invalid_request_error',
        `refund of ${value} exceeds what is left (${left})`,
      );
    const refund = this.put({
      id: fakeStripeId('re'),
      object: 'refund',
      amount: value,
      currency: charge.currency,
      charge: chargeId,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
      created: this.tick(),
    });
    charge.amount_refunded = Number(charge.amount_refunded) + value;
    charge.refunded = charge.amount_refunded === charge.amount;
    ((charge.refunds as Json).data as Json[]).unshift({ ...refund });
    return refund;
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const params =
      method === 'GET' || method === 'DELETE'
        ? parseStripeForm(url.search.slice(1))
        : parseStripeForm(Buffer.concat(chunks).toString('utf8'));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    this.requests.push({ method, path: url.pathname, body: params, idempotencyKey });
    const send = (status: number, body: Json) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': fakeStripeId('req') });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/c/pay/')) {
      await this.hostedCheckout(method, url.pathname, res);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      return;
    }
    const replayKey = idempotencyKey && method === 'POST' ? `${url.pathname}\n${idempotencyKey}` : null;
    if (replayKey && this.replies.has(replayKey)) {
      const reply = this.replies.get(replayKey)!;
      send(reply.status, reply.body);
      return;
    }
    const failure = this.failures.findIndex(
      (f) => f.method === method && url.pathname.startsWith(f.pathPrefix),
    );
    let status = 200;
    let body: Json;
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      status = f.status;
      body = { error: f.error };
    } else {
      try {
        body = this.route(method, url.pathname, params);
        const expand = (params.expand ?? []) as string[];
        body = expandPaths(structuredClone(body), Array.isArray(expand) ? expand : [expand], this.objects);
      } catch (e) {
        if (!(e instanceof FakeStripeError)) throw e;
        status = e.status;
        body = { error: { type: e.type, message: e.message } };
      }
    }
    if (replayKey) this.replies.set(replayKey, { status, body });
    send(status, body);
  }

  private route(method: string, path: string, params: Json): Json {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'v1') throw new FakeStripeError(404, 'invalid_request_error', `unknown path ${path}`);
    const [, resource, second, third] = parts;
    const key = resource === 'checkout' ? `checkout/${second}` : resource;
    const id = resource === 'checkout' ? third : second;
    if (method === 'POST' && !id) {
      switch (key) {
        case 'checkout/sessions':
          return this.createSession(params);
        case 'refunds': {
          let chargeId = params.charge as string | undefined;
          if (!chargeId && params.payment_intent)
            chargeId = String(this.get(String(params.payment_intent)).latest_charge);
          if (!chargeId || !this.objects.has(chargeId))
            throw new FakeStripeError(404, 'invalid_request_error', 'No such charge');
          return this.createRefund(chargeId, params.amount === undefined ? undefined : Number(params.amount));
        }
        case 'transfers':
          return this.createTransfer(params);
      }
    }
    if (method === 'GET' && id) {
      const found = this.objects.get(id);
      const expected: Record<string, string> = {
        'checkout/sessions': 'checkout.session',
        payment_intents: 'payment_intent',
        charges: 'charge',
        balance_transactions: 'balance_transaction',
        invoices: 'invoice',
        subscriptions: 'subscription',
        refunds: 'refund',
        disputes: 'dispute',
        transfers: 'transfer',
        events: 'event',
      };
      if (!found || found.object !== expected[key]) {
        throw new FakeStripeError(404, 'invalid_request_error', `No such ${expected[key] ?? key}: '${id}'`);
      }
      return found;
    }
    if (method === 'GET' && !id && (key === 'refunds' || key === 'disputes')) {
      const kind = key === 'refunds' ? 'refund' : 'dispute';
      const data = [...this.objects.values()]
        .filter(
          (o) =>
            o.object === kind &&
            (!params.charge || o.charge === params.charge) &&
            (!params.payment_intent || o.payment_intent === params.payment_intent),
        )
        .sort((a, b) => Number(b.created) - Number(a.created));
      return { object: 'list', url: path, has_more: false, data };
    }
    throw new FakeStripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path})`);
  }

  private createSession(params: Json): Json {
    const mode = String(params.mode ?? '');
    if (mode !== 'payment' && mode !== 'subscription')
      throw new FakeStripeError(400, 'invalid_request_error', 'mode must be payment or subscription');
    const items = (params.line_items ?? []) as Json[];
    if (items.length === 0) throw new FakeStripeError(400, 'invalid_request_error', 'line_items required');
    let amount = 0;
    let currency = '';
    let recurring: unknown = null;
    for (const item of items) {
      const price = (item.price_data ?? {}) as Json;
      amount += Number(price.unit_amount) * Number(item.quantity ?? 1);
      currency = String(price.currency);
      recurring = price.recurring ?? null;
    }
    if (!Number.isSafeInteger(amount) || amount <= 0)
      throw new FakeStripeError(400, 'invalid_request_error', 'invalid amount');
    if (mode === 'subscription' && !recurring)
      throw new FakeStripeError(400, 'invalid_request_error', 'recurring price required');
    const id = fakeStripeId('cs');
    return this.put({
      id,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: 'unpaid',
      amount_total: amount,
      currency,
      recurring,
      client_reference_id: params.client_reference_id ?? null,
      customer_email: params.customer_email ?? null,
      metadata: params.metadata ?? {},
      payment_intent_data: params.payment_intent_data ?? null,
      subscription_data: params.subscription_data ?? null,
      success_url: params.success_url ?? null,
      cancel_url: params.cancel_url ?? null,
      payment_intent: null,
      subscription: null,
      url: `${this.apiBase}/c/pay/${id}`,
      created: this.tick(),
    });
  }

  // ---------------------------------------------------------------- hosted checkout page

  private async hostedCheckout(method: string, path: string, res: ServerResponse): Promise<void> {
    const [, , , id, action] = path.split('/');
    const session = id ? this.objects.get(id) : undefined;
    const page = (status: number, view: HostedCheckoutView) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; form-action 'self' http: https:; frame-ancestors 'none'",
      });
      res.end(renderHostedCheckout(view));
    };
    const message = (status: number, title: string, text: string) =>
      page(status, { kind: 'message', title, message: text });
    const redirect = (location: string) => {
      res.writeHead(303, { location });
      res.end();
    };
    if (!session || session.object !== 'checkout.session') {
      message(404, 'Checkout not found', 'This checkout link is not valid.');
      return;
    }
    if (method === 'POST' && action === 'cancel') {
      redirect(String(session.cancel_url ?? '/'));
      return;
    }
    if ((method === 'GET' && !action) || (method === 'POST' && action === 'pay')) {
      if (session.status !== 'open') {
        message(409, 'Checkout closed', 'This checkout is already complete.');
        return;
      }
      if (method === 'POST') {
        await this.deliver(this.completeCheckout(id));
        redirect(String(session.success_url ?? '/').replace('{CHECKOUT_SESSION_ID}', id));
        return;
      }
      const recurring = session.recurring as { interval?: string } | null;
      page(200, {
        kind: 'open',
        sessionId: id,
        amount: formatStripeAmount(Number(session.amount_total), String(session.currency)),
        every: recurring?.interval ? String(recurring.interval) : null,
      });
      return;
    }
    message(405, 'Not allowed', 'This action is not available.');
  }

  private createTransfer(params: Json): Json {
    const amount = Number(params.amount);
    if (!Number.isSafeInteger(amount) || amount <= 0)
      throw new FakeStripeError(400, 'invalid_request_error', 'invalid amount');
    if (typeof params.destination !== 'string' || !params.destination.startsWith('acct_')) {
      throw new FakeStripeError(400, 'invalid_request_error', 'No such destination');
    }
    return this.put({
      id: fakeStripeId('tr'),
      object: 'transfer',
      amount,
      currency: params.currency,
      destination: params.destination,
      transfer_group: params.transfer_group ?? null,
      metadata: params.metadata ?? {},
      reversed: false,
      created: this.tick(),
    });
  }
}

class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Minor units shown as Stripe's page shows them ("€25.00"), for a two-decimal currency. */
function formatStripeAmount(amount: number, currency: string): string {
  const digits = String(amount).padStart(3, '0');
  const sign = currency.toLowerCase() === 'eur' ? '€' : `${currency.toUpperCase()} `;
  return `${sign}${digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${digits.slice(-2)}`;
}

/** Replaces ids by the objects they name along each dotted `expand` path. */
function expandPaths(body: Json, paths: string[], objects: Map<string, StripeObject>): Json {
  for (const path of paths) expandOne(body, path.split('.'), objects);
  return body;
}

function expandOne(node: unknown, path: string[], objects: Map<string, StripeObject>): void {
  if (path.length === 0 || node === null || typeof node !== 'object') return;
  const holder = node as Json;
  if (holder.object === 'list' && Array.isArray(holder.data) && path[0] === 'data') {
    for (const item of holder.data) expandOne(item, path.slice(1), objects);
    return;
  }
  const [head, ...rest] = path;
  let value = holder[head];
  if (typeof value === 'string' && objects.has(value)) {
    value = structuredClone(objects.get(value));
    holder[head] = value;
  }
  expandOne(value, rest, objects);
}
