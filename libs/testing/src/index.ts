export * from './test-services';
export * from './fake-stripe';
export * from './log-sequencer-lock';
export * from './oidc/oidc-test-provider';
export * from './smtp/smtp-capture';
export * from './oidc/oidc-test-login';
