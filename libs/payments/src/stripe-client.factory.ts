import Stripe from 'stripe';

/** The Stripe API version this code is written against (the SDK's pinned one). */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

export interface StripeClientOptions {
  readonly secretKey: string;
  /** Another API base (tests: a local fake, `http://127.0.0.1:12111`); unset: Stripe itself. */
  readonly apiBase?: string;
  readonly maxNetworkRetries?: number;
}

/** The one way a Stripe client is made; the Nest provider and the tests both use it. */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: 'librery' },
  };
  if (options.apiBase) {
    const url = new URL(options.apiBase);
    config.host = url.hostname;
    config.port = url.port || (url.protocol === 'http:' ? '80' : '443');
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
  }
  return new Stripe(options.secretKey, config);
}
