export * from './checkpoint';
export * from './signed-note';
