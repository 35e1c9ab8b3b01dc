import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export type StripeObject = Record<string, unknown> & { id: string; object: string };

/** A Stripe-like id: `<prefix>_test_<random>`, unique across runs. */
export function fakeStripeId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString('hex')}`;
}

/** The event types the Librery acts on (the others are acknowledged and ignored). */
export type DonationEventType =
  | 'checkout.session.completed'
  | 'payment_intent.succeeded'
  | 'charge.succeeded'
  | 'invoice.paid'
  | 'invoice.payment_succeeded'
  | 'charge.refunded'
  | 'refund.created'
  | 'charge.dispute.created'
  | 'charge.dispute.closed'
  | 'customer.created';

/** A snapshot event as Stripe delivers it, wrapping a copy of the object at that moment. */
export function buildStripeEvent(
  type: string,
  object: StripeObject,
  created: number,
  previous?: Record<string, unknown>,
): StripeObject {
  return {
    id: fakeStripeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    data: previous
      ? { object: structuredClone(object), previous_attributes: previous }
      : { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** Stripe's EU card price as a default processor fee: 1.5 % (rounded half up) + 25 cents, never above the amount. */
export function defaultStripeFee(amount: number): number {
  const fee = Math.floor((amount * 150 + 5000) / 10000) + 25;
  return Math.min(fee, amount);
}

/** The body and `Stripe-Signature` header of one delivery, signed with the SDK's own helper. */
export interface SignedDelivery {
  readonly payload: string;
  readonly header: string;
}

export function signStripeDelivery(
  event: StripeObject,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): SignedDelivery {
  const payload = JSON.stringify(event, null, 2);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return { payload, header };
}
