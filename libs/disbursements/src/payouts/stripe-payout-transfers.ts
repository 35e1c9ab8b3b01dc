import Stripe from 'stripe';
import { PayoutTransfers, TransferResult } from './payout-transfers';

/** Stripe Connect transfers ("separate charges and transfers") through the one Stripe client. */
export class StripePayoutTransfers extends PayoutTransfers {
  constructor(private readonly stripe: Stripe | null) {
    super();
  }

  async transfer(input: Parameters<PayoutTransfers['transfer']>[0]): Promise<TransferResult> {
    if (!this.stripe) return { ok: false, failure: 'Stripe is not configured (STRIPE_SECRET_KEY)' };
    // The SDK takes a JS number of minor units: only at this boundary, and only when exact.
    if (input.amount > BigInt(Number.MAX_SAFE_INTEGER))
      return { ok: false, failure: 'amount beyond what Stripe accepts' };
    try {
      const transfer = await this.stripe.transfers.create(
        {
          amount: Number(input.amount),
          currency: input.currency.toLowerCase(),
          destination: input.destination,
          transfer_group: input.transferGroup,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { ok: true, transferId: transfer.id };
    } catch (error) {
      // A refusal by Stripe (card/invalid request/permission) fails the payout; a network or
      // server error is thrown so the payout stays pending and the submission can be retried.
      if (
        error instanceof Stripe.errors.StripeError &&
        error.statusCode !== undefined &&
        error.statusCode < 500
      ) {
        return { ok: false, failure: `${error.code ?? error.type}: ${error.message}` };
      }
      throw error;
    }
  }
}
