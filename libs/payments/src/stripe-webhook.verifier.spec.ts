import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { createStripeClient } from './stripe-client.factory';
import { PaymentsError, PaymentsErrorCode } from './payments.errors';
import { verifyStripeWebhook } from './stripe-webhook.verifier';

interface WebhookVectors {
  signing: { secret: string; timestamp: number; payload: string; expectedHeader: string };
  cases: {
    name: string;
    secret: string;
    payload: string;
    header: string;
    receivedAt: number;
    toleranceSeconds: number;
    expected: { valid: boolean; reason: string };
  }[];
}

const vectors = JSON.parse(
  readFileSync(sharedPath('test-vectors', 'stripe-webhook.json'), 'utf8'),
) as WebhookVectors;
const stripe = createStripeClient({ secretKey: 'sk_test_unused' });

describe('verifyStripeWebhook', () => {
  it('the SDK test helper signs the reference payload as the vector says', () => {
    const { secret, timestamp, payload, expectedHeader } = vectors.signing;
    expect(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })).toBe(expectedHeader);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    expect(c.toleranceSeconds).toBe(300);
    const run = () =>
      verifyStripeWebhook(stripe, Buffer.from(c.payload, 'utf8'), c.header, c.secret, c.receivedAt * 1000);
    if (c.expected.valid) {
      expect(run().id).toBe('evt_test_webhook');
    } else {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PaymentsError);
      const code =
        c.expected.reason === 'timestamp outside tolerance'
          ? PaymentsErrorCode.StaleSignature
          : PaymentsErrorCode.InvalidSignature;
      expect((error as PaymentsError).code).toBe(code);
    }
  });

  it('refuses a missing header', () => {
    expect(() => verifyStripeWebhook(stripe, '{}', undefined, 'whsec_x')).toThrow(PaymentsError);
  });

  it('property: a body signed with the SDK helper verifies within 300 s and not after', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^evt_[A-Za-z0-9]{1,20}$/),
        fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
        fc.nat({ max: 600 }),
        (id, t, age) => {
          const payload = JSON.stringify({ id, object: 'event', type: 'ping' });
          const header = stripe.webhooks.generateTestHeaderString({
            payload,
            secret: 'whsec_p',
            timestamp: t,
          });
          const run = () => verifyStripeWebhook(stripe, payload, header, 'whsec_p', (t + age) * 1000);
          if (age <= 300) expect(run().id).toBe(id);
          else expect(run).toThrow(PaymentsError);
        },
      ),
      { numRuns: 100 },
    );
  });
});
