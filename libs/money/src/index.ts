export * from './allocate';
export * from './money';
export * from './money.errors';
export * from './rate';
