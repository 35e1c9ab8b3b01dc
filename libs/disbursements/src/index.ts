export * from './disbursements.errors';
export * from './run/run-computation';
export * from './run/run-computation.types';
export * from './sepa/pain001';
export * from './sepa/pain001.types';
export * from './sepa/sepa-text';
