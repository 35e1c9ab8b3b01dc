export * from './checkpoint';
export * from './leaf';
export * from './merkle';
export * from './transparency.errors';
