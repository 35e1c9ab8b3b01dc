export * from './allocate';
export * from './amount-input';
export * from './money';
export * from './money.errors';
export * from './rate';
