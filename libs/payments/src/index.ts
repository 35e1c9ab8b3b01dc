export * from './donations.service';
export * from './payments.errors';
export * from './payments.module';
export * from './stripe-client.factory';
export * from './stripe-events.service';
export * from './stripe-webhook.service';
export * from './stripe-webhook.verifier';
export * from './stripe.gateway';
