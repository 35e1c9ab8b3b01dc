export * from './fake-stripe.server';
export * from './form-body';
export * from './stripe-event.factory';
