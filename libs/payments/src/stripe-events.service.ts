import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ContributionBookingService, Direction } from '@app/contributions';
import { Accounts, translateLedgerError } from '@app/ledger';
import { donorParty } from '@app/transparency';
import { donorSubject } from './donor-identity';
import { idOf, StripeGateway } from './stripe.gateway';

type Json = Record<string, unknown>;

interface IntentRow {
  id: string;
  mode: string;
  directions: { projectId: string; weight: string }[];
  donor_user_id: string | null;
}

/** Dispute statuses in which the disputed funds have been withdrawn from the balance. */
const WITHDRAWN = new Set(['needs_response', 'under_review', 'won', 'lost']);

/**
 * Processes stored Stripe events (in the worker). Whatever the event, the object it is about is
 * re-fetched from Stripe and the whole charge is brought up to date in one transaction: the
 * payment booked once (keyed by PaymentIntent, or invoice for subscriptions), then every refund
 * and dispute in Stripe's order. Events may come twice or in any order: the books end the same.
 */
@Injectable()
export class StripeEventsService {
  private readonly logger = new Logger(StripeEventsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stripe: StripeGateway,
    private readonly booking: ContributionBookingService,
  ) {}

  async process(eventId: string): Promise<string> {
    const rows = (await this.dataSource.query(
      'SELECT payload, processed_at FROM stripe_events WHERE event_id = $1',
      [eventId],
    )) as {
      payload: Json;
      processed_at: Date | null;
    }[];
    if (rows.length === 0) return 'unknown event';
    if (rows[0].processed_at) return 'already processed';
    const outcome = await this.handle(rows[0].payload);
    await this.dataSource.query(
      'UPDATE stripe_events SET processed_at = now(), outcome = $2 WHERE event_id = $1 AND processed_at IS NULL',
      [eventId, outcome],
    );
    return outcome;
  }

  private async handle(event: Json): Promise<string> {
    const type = String(event.type);
    const object = ((event.data as Json | undefined)?.object ?? {}) as Json;
    if (await this.paymentAlreadyBooked(type, object)) return 'up to date: payment already booked';
    let chargeId: string | null = null;
    switch (type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = await this.stripe.checkoutSession(String(object.id));
        if (session.payment_status !== 'paid') return 'ignored: session not paid';
        if (session.mode === 'payment')
          chargeId = await this.chargeOfPaymentIntent(idOf(session.payment_intent));
        else if (idOf(session.invoice)) chargeId = await this.chargeOfInvoice(idOf(session.invoice)!);
        break;
      }
      case 'payment_intent.succeeded':
        chargeId = await this.chargeOfPaymentIntent(String(object.id));
        break;
      case 'charge.succeeded':
      case 'charge.refunded':
      case 'charge.updated':
        chargeId = String(object.id);
        break;
      case 'refund.created':
      case 'refund.updated':
      case 'charge.refund.updated':
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed':
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated':
        chargeId = idOf(object.charge);
        break;
      case 'invoice.paid':
      case 'invoice.payment_succeeded':
        chargeId = await this.chargeOfInvoice(String(object.id));
        break;
      default:
        return 'ignored: event type not handled';
    }
    if (!chargeId) return 'ignored: no charge';
    return this.syncCharge(chargeId);
  }

  /**
   * A payment event (not a refund or dispute) about a payment already booked changes nothing:
   * answered from the database, without calling Stripe. Refunds and disputes always re-sync.
   */
  private async paymentAlreadyBooked(type: string, object: Json): Promise<boolean> {
    let query: { sql: string; value: string } | null = null;
    if (type === 'payment_intent.succeeded' && typeof object.id === 'string')
      query = { sql: 'source_ref = $1', value: `stripe:pi:${object.id}` };
    else if (
      type === 'checkout.session.completed' &&
      object.mode === 'payment' &&
      idOf(object.payment_intent)
    ) {
      query = { sql: 'source_ref = $1', value: `stripe:pi:${idOf(object.payment_intent)}` };
    } else if (
      (type === 'invoice.paid' || type === 'invoice.payment_succeeded') &&
      typeof object.id === 'string'
    ) {
      query = { sql: 'source_ref = $1', value: `stripe:invoice:${object.id}` };
    } else if (type === 'charge.succeeded' && typeof object.id === 'string')
      query = { sql: 'stripe_charge_id = $1', value: object.id };
    if (!query) return false;
    const rows = (await this.dataSource.query(`SELECT 1 FROM contributions WHERE ${query.sql} LIMIT 1`, [
      query.value,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** A transaction, tried again at once (a few times) when PostgreSQL reports a deadlock or serialization failure. */
  private async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if ((code !== '40P01' && code !== '40001') || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
      }
    }
  }

  private async chargeOfPaymentIntent(id: string | null): Promise<string | null> {
    if (!id) return null;
    const pi = await this.stripe.paymentIntent(id);
    return pi.status === 'succeeded' ? idOf(pi.latest_charge) : null;
  }

  private async chargeOfInvoice(id: string): Promise<string | null> {
    const invoice = await this.stripe.invoice(id);
    if (invoice.status !== 'paid') return null;
    const legacy = idOf(invoice.charge);
    if (legacy) return legacy;
    const payments = ((invoice.payments as Json | undefined)?.data ?? []) as Json[];
    const pi =
      payments.map((p) => idOf((p.payment as Json | undefined)?.payment_intent)).find((x) => x !== null) ??
      idOf(invoice.payment_intent);
    return this.chargeOfPaymentIntent(pi ?? null);
  }

  /** Brings one charge's books up to date: the payment, then its refunds and disputes in Stripe's order. */
  async syncCharge(chargeId: string): Promise<string> {
    const charge = await this.stripe.charge(chargeId);
    if (charge.status !== 'succeeded' || !charge.paymentIntentId) return 'ignored: charge not succeeded';
    const pi = await this.stripe.paymentIntent(charge.paymentIntentId);
    let intentId = ((pi.metadata ?? {}) as Json).donation_intent_id as string | undefined;
    let sourceRef = `stripe:pi:${charge.paymentIntentId}`;
    let expectedMode = 'one_time';
    const invoiceId = idOf(pi.invoice);
    if (!intentId && invoiceId) {
      const invoice = await this.stripe.invoice(invoiceId);
      const parent = (invoice.parent ?? {}) as Json;
      const details = (parent.subscription_details ?? invoice.subscription_details ?? {}) as Json;
      intentId = ((details.metadata ?? {}) as Json).donation_intent_id as string | undefined;
      sourceRef = `stripe:invoice:${invoiceId}`;
      expectedMode = 'recurring';
    }
    if (!intentId || !/^[0-9a-f-]{36}$/i.test(intentId)) return 'ignored: payment without donation intent';
    const [intent] = (await this.dataSource.query(
      'SELECT id::text, mode, directions, donor_user_id::text FROM donation_intents WHERE id = $1',
      [intentId],
    )) as IntentRow[];
    if (!intent) return 'ignored: unknown donation intent';
    if ((intent.mode === 'one_time') !== (expectedMode === 'one_time'))
      return 'ignored: payment belongs to an invoice';
    const refunds = (await this.stripe.refunds(chargeId)).filter((r) => r.status === 'succeeded');
    const disputes = (await this.stripe.disputes(chargeId)).filter((d) => WITHDRAWN.has(String(d.status)));
    const reversals = [
      ...refunds.map((r) => ({
        kind: 'refund' as const,
        id: String(r.id),
        amount: BigInt(Number(r.amount)),
        created: Number(r.created),
        status: 'succeeded',
      })),
      ...disputes.map((d) => ({
        kind: 'dispute' as const,
        id: String(d.id),
        amount: BigInt(Number(d.amount)),
        created: Number(d.created),
        status: String(d.status),
        balanceTransactions: ((d.balance_transactions ?? []) as Json[]).map((t) => ({
          id: String(t.id),
          fee: BigInt(Number(t.fee ?? 0)),
          created: Number(t.created),
        })),
      })),
    ].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const directions: Direction[] = intent.directions.map((d) => ({
      projectId: d.projectId,
      weight: BigInt(d.weight),
    }));
    await this.booking.prepareAccounts(charge.currency, Accounts.stripe(charge.currency), directions);
    try {
      // One transaction per booking (each with its own entries), so that locks on hot accounts are
      // taken in the ledger's order; the advisory lock on the payment keeps them in sequence.
      const booked = await this.transaction(async (m) =>
        this.booking.book(m, {
          source: 'stripe',
          sourceRef,
          contributorKind: 'donor',
          donationIntentId: intent.id,
          currency: charge.currency,
          gross: BigInt(charge.amount),
          processorFee: BigInt(charge.fee),
          cash: Accounts.stripe(charge.currency),
          directions,
          occurredAt: new Date(charge.created * 1000),
          stripeChargeId: charge.id,
          // The donor enters the permanent log only as a salted commitment (leaf format 2); the
          // name or pseudonym stays in donation_intents, joined when the public reads.
          metadata: { party: await donorParty(m, donorSubject(intent)), mode: intent.mode },
        }),
      );
      let changes = booked.created ? 1 : 0;
      for (const r of reversals) {
        const ref = `stripe:${r.kind}:${r.id}`;
        const done = await this.transaction((m) =>
          this.booking.reverse(m, {
            contributionId: booked.id,
            sourceRef: ref,
            kind: r.kind,
            amount: r.amount,
            occurredAt: new Date(r.created * 1000),
          }),
        );
        if (done.created) changes += 1;
        for (const t of r.kind === 'dispute' ? r.balanceTransactions : []) {
          const fee = await this.transaction((m) =>
            this.booking.bookDisputeFee(m, {
              balanceTransactionId: t.id,
              disputeId: r.id,
              chargeId: charge.id,
              currency: charge.currency,
              fee: t.fee,
              cash: Accounts.stripe(charge.currency),
              occurredAt: new Date(t.created * 1000),
            }),
          );
          if (fee.created) changes += 1;
        }
        if (r.kind === 'dispute' && r.status === 'won') {
          const won = await this.transaction((m) =>
            this.booking.reinstateDispute(m, ref, new Date(r.created * 1000)),
          );
          if (won.created) changes += 1;
        }
      }
      return changes > 0 ? `booked ${sourceRef} (${changes} change(s))` : `up to date ${sourceRef}`;
    } catch (e) {
      this.logger.warn({ chargeId, err: (e as Error).message }, 'stripe charge sync failed');
      throw translateLedgerError(e);
    }
  }
}
