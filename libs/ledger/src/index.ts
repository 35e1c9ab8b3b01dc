export * from './account-codes';
export * from './ledger-hooks';
export * from './ledger.errors';
export * from './ledger.module';
export * from './ledger.service';
export * from './ledger.types';
export * from './locks';
