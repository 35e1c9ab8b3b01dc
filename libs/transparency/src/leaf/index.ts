export * from './balances';
export * from './canonical-json';
export * from './ledger-leaf';
