export * from './payments.errors';
export * from './stripe-client.factory';
export * from './stripe-webhook.verifier';
