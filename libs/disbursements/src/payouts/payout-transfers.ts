/** A Stripe Connect transfer, as the payout rail sees it. */
export interface TransferResult {
  readonly ok: boolean;
  readonly transferId?: string;
  readonly failure?: string;
}

/**
 * The port through which payouts reach Stripe Connect (`transfers.create`); the module binds it to
 * the one Stripe client of @app/payments. `idempotencyKey` is the payout's, so a retry after a
 * crash never transfers twice.
 */
export abstract class PayoutTransfers {
  abstract transfer(input: {
    readonly amount: bigint;
    readonly currency: string;
    readonly destination: string;
    readonly transferGroup: string;
    readonly idempotencyKey: string;
    readonly metadata: Record<string, string>;
  }): Promise<TransferResult>;
}
