import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '@app/config';
import { createStripeClient } from './stripe-client.factory';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';

/** The injection token of the one Stripe SDK client. */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');

export const stripeClientProvider = {
  provide: STRIPE_CLIENT,
  inject: [AppConfig],
  useFactory: (config: AppConfig): Stripe =>
    createStripeClient({
      secretKey: config.STRIPE_SECRET_KEY ?? 'sk_test_not_configured',
      apiBase: config.STRIPE_API_BASE,
    }),
};

type Json = Record<string, unknown>;

/** A charge as the Librery reads it (the SDK's objects narrowed to what is used). */
export interface ChargeFacts {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: string;
  readonly created: number;
  readonly paymentIntentId: string | null;
  readonly fee: number;
}

/** Stripe is reached only through here: the calls the Librery makes, and their errors as PaymentsError. */
@Injectable()
export class StripeGateway {
  constructor(
    @Inject(STRIPE_CLIENT) readonly stripe: Stripe,
    private readonly config: AppConfig,
  ) {}

  webhookSecret(): string {
    const secret = this.config.STRIPE_WEBHOOK_SECRET;
    if (!secret) throw new PaymentsError(PaymentsErrorCode.NotConfigured, 'STRIPE_WEBHOOK_SECRET is not set');
    return secret;
  }

  async createCheckoutSession(
    params: Stripe.Checkout.SessionCreateParams,
    idempotencyKey: string,
  ): Promise<{ id: string; url: string | null }> {
    if (!this.config.STRIPE_SECRET_KEY)
      throw new PaymentsError(PaymentsErrorCode.NotConfigured, 'STRIPE_SECRET_KEY is not set');
    const session = await this.call(() => this.stripe.checkout.sessions.create(params, { idempotencyKey }));
    return { id: session.id, url: session.url ?? null };
  }

  async paymentIntent(id: string): Promise<Json> {
    return (await this.call(() => this.stripe.paymentIntents.retrieve(id))) as unknown as Json;
  }

  async invoice(id: string): Promise<Json> {
    return (await this.call(() => this.stripe.invoices.retrieve(id))) as unknown as Json;
  }

  async checkoutSession(id: string): Promise<Json> {
    return (await this.call(() => this.stripe.checkout.sessions.retrieve(id))) as unknown as Json;
  }

  /** The charge with its processor fee (from its balance transaction). */
  async charge(id: string): Promise<ChargeFacts> {
    const charge = (await this.call(() =>
      this.stripe.charges.retrieve(id, { expand: ['balance_transaction'] }),
    )) as unknown as Json;
    const txn = charge.balance_transaction as Json | string | null;
    let fee = 0;
    if (txn && typeof txn === 'object') fee = Number(txn.fee);
    else if (typeof txn === 'string')
      fee = Number(
        ((await this.call(() => this.stripe.balanceTransactions.retrieve(txn))) as unknown as Json).fee,
      );
    return {
      id: String(charge.id),
      amount: Number(charge.amount),
      currency: String(charge.currency).toUpperCase(),
      status: String(charge.status),
      created: Number(charge.created),
      paymentIntentId: idOf(charge.payment_intent),
      fee,
    };
  }

  async refunds(chargeId: string): Promise<Json[]> {
    const list = await this.call(() => this.stripe.refunds.list({ charge: chargeId, limit: 100 }));
    return list.data as unknown as Json[];
  }

  async disputes(chargeId: string): Promise<Json[]> {
    const list = await this.call(() => this.stripe.disputes.list({ charge: chargeId, limit: 100 }));
    return list.data as unknown as Json[];
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Stripe.errors.StripeError) {
        throw new PaymentsError(PaymentsErrorCode.ProcessorError, `Stripe refused: ${e.message}`, {
          stripeCode: e.code ?? null,
          status: e.statusCode ?? null,
        });
      }
      throw e;
    }
  }
}

/** The id of an expandable Stripe field (an id string or an expanded object). */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).id === 'string')
    return (value as Json).id as string;
  return null;
}
