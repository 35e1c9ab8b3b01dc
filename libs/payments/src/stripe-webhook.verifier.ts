import Stripe from 'stripe';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

/** Stripe's default and ours: a signature older than this many seconds is refused. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Verifies a Stripe webhook over the raw body (never re-serialized JSON) with the SDK's own
 * check, and returns the event. A stale timestamp and a bad signature are told apart.
 * `receivedAtMs` pins the clock (tests); unset: now.
 */
export function verifyStripeWebhook(
  stripe: Stripe,
  rawBody: Buffer | string,
  header: string | string[] | undefined,
  secret: string,
  receivedAtMs?: number,
): Stripe.Event {
  if (typeof header !== 'string' || header.length === 0) {
    throw new PaymentsError(PaymentsErrorCode.InvalidSignature, 'the Stripe-Signature header is missing');
  }
  try {
    return stripe.webhooks.constructEvent(
      rawBody,
      header,
      secret,
      STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      undefined,
      receivedAtMs,
    );
  } catch (e) {
    if (e instanceof Stripe.errors.StripeSignatureVerificationError) {
      const stale = /tolerance/i.test(e.message);
      throw new PaymentsError(
        stale ? PaymentsErrorCode.StaleSignature : PaymentsErrorCode.InvalidSignature,
        stale ? 'the webhook signature is older than the tolerance' : 'the webhook signature does not match',
      );
    }
    if (e instanceof SyntaxError)
      throw new PaymentsError(PaymentsErrorCode.InvalidEvent, 'the webhook body is not JSON');
    throw e;
  }
}
