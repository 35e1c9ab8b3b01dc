import { hasControlCharacters } from '@app/text';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import {
  ContributionsError,
  ContributionsErrorCode,
  newStatementKey,
  ProjectDirectory,
  readDirections,
  statementKeyHash,
} from '@app/contributions';
import { hasRole, Principal } from '@app/identity';
import { donorPseudonym, donorSubject, loadPseudonymKey } from './donor-identity';
import { StripeGateway } from './stripe.gateway';

export type DonationMode = 'one_time' | 'monthly' | 'yearly';

export interface CheckoutInput {
  amount?: unknown;
  currency?: unknown;
  mode?: unknown;
  directions?: unknown;
  publicName?: unknown;
  email?: unknown;
}

export interface CheckoutResult {
  readonly donationIntentId: string;
  readonly checkoutSessionId: string;
  readonly url: string | null;
  readonly mode: DonationMode;
  readonly amount: bigint;
  readonly currency: string;
  readonly publicName: string | null;
  readonly pseudonym: string;
  /**
   * Opens this donation's yearly statements (`GET /donations/statements/{year}/by-key`, header
   * `Statement-Key`); shown once, only its SHA-256 is kept.
   */
  readonly statementKey: string;
}

/** Smallest gift: 1.00 € (below it, the processor's fee would take most of it). */
export const MIN_DONATION = 100n;
/** Stripe's largest amount for one EUR charge: 999,999.99 €. */
export const MAX_DONATION = 99_999_999n;
const MODES: readonly DonationMode[] = ['one_time', 'monthly', 'yearly'];

/**
 * Private donations: the directions are kept server-side under a donation intent, whose id
 * travels in the Checkout Session's metadata (and the PaymentIntent's or subscription's).
 */
@Injectable()
export class DonationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projects: ProjectDirectory,
    private readonly stripe: StripeGateway,
    private readonly config: AppConfig,
  ) {
    this.pseudonymKey = loadPseudonymKey(config);
  }

  private readonly pseudonymKey: Buffer;

  /**
   * `returnTo` replaces the API's return pages (the donate pages bring the donor back to
   * themselves); `success` may hold Stripe's `{CHECKOUT_SESSION_ID}`.
   */
  async checkout(
    caller: Principal | undefined,
    input: CheckoutInput,
    returnTo?: { readonly success: string; readonly cancel: string },
  ): Promise<CheckoutResult> {
    const fail = (field: string, message: string, code = ContributionsErrorCode.InvalidInput) =>
      new ContributionsError(code, `${field}: ${message}`, { field });
    if (typeof input.amount !== 'string' || !/^[1-9][0-9]{0,17}$/.test(input.amount))
      throw fail('amount', 'must be a positive string of cents');
    const amount = BigInt(input.amount);
    if (amount < MIN_DONATION || amount > MAX_DONATION)
      throw fail('amount', `must be between ${MIN_DONATION} and ${MAX_DONATION} cents`);
    const currency = input.currency === undefined ? 'EUR' : input.currency;
    if (currency !== 'EUR') throw fail('currency', 'only EUR is accepted');
    const mode = (input.mode ?? 'one_time') as DonationMode;
    if (!MODES.includes(mode)) throw fail('mode', 'must be one_time, monthly or yearly');
    const { directions, errors } = readDirections(input.directions);
    if (errors.length > 0)
      throw new ContributionsError(
        ContributionsErrorCode.InvalidDirections,
        `${errors[0].field}: ${errors[0].message}`,
        { field: errors[0].field, errors },
      );
    await this.projects.assertRegistered(directions);
    let publicName: string | null = null;
    if (input.publicName !== undefined && input.publicName !== null) {
      if (
        typeof input.publicName !== 'string' ||
        input.publicName.trim().length === 0 ||
        input.publicName.length > 120 ||
        hasControlCharacters(input.publicName)
      ) {
        throw fail('publicName', 'must be text on one line of 1 to 120 characters');
      }
      publicName = input.publicName.trim();
    }
    let email: string | null = null;
    if (input.email !== undefined && input.email !== null) {
      if (typeof input.email !== 'string' || !/^[^@\s]{1,64}@[^@\s]{1,190}$/.test(input.email))
        throw fail('email', 'must be an e-mail address');
      email = input.email;
    }
    const donorUserId = caller && caller.userId && hasRole(caller, 'donor') ? caller.userId : null;
    const [{ id }] = (await this.dataSource.query('SELECT gen_random_uuid()::text AS id')) as {
      id: string;
    }[];
    const pseudonym = donorPseudonym(this.pseudonymKey, donorSubject({ id, donor_user_id: donorUserId }));
    const statementKey = newStatementKey();
    await this.dataSource.query(
      `INSERT INTO donation_intents (id, mode, amount, currency, directions, public_name, donor_email, donor_user_id, pseudonym, statement_key_hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
        id,
        mode,
        amount.toString(),
        currency,
        JSON.stringify(directions.map((d) => ({ projectId: d.projectId, weight: d.weight.toString() }))),
        publicName,
        email,
        donorUserId,
        pseudonym,
        statementKeyHash(statementKey),
      ],
    );
    const metadata = { donation_intent_id: id };
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    const session = await this.stripe.createCheckoutSession(
      {
        mode: mode === 'one_time' ? 'payment' : 'subscription',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: currency.toLowerCase(),
              unit_amount: Number(amount),
              product_data: {
                name:
                  mode === 'one_time'
                    ? 'Donation to the Librery'
                    : `${mode === 'monthly' ? 'Monthly' : 'Yearly'} donation to the Librery`,
              },
              ...(mode === 'one_time'
                ? {}
                : { recurring: { interval: mode === 'monthly' ? 'month' : 'year' } }),
            },
          },
        ],
        client_reference_id: id,
        metadata,
        ...(mode === 'one_time'
          ? { payment_intent_data: { metadata } }
          : { subscription_data: { metadata } }),
        ...(email ? { customer_email: email } : {}),
        success_url: returnTo?.success ?? `${base}/donations/thanks?intent=${id}`,
        cancel_url: returnTo?.cancel ?? `${base}/donations/cancelled?intent=${id}`,
      },
      `donation-intent:${id}`,
    );
    await this.dataSource.query('UPDATE donation_intents SET stripe_session_id = $2 WHERE id = $1', [
      id,
      session.id,
    ]);
    return {
      donationIntentId: id,
      checkoutSessionId: session.id,
      url: session.url,
      mode,
      amount,
      currency,
      publicName,
      pseudonym,
      statementKey,
    };
  }
}
