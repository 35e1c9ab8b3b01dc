export * from './test-services';
export * from './fake-stripe';
export * from './log-sequencer-lock';
