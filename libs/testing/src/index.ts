export * from './test-services';
export * from './fake-stripe';
