export * from './contribution-split';
export * from './contributions.errors';
export * from './declaration-input';
export * from './declarations-csv.parser';
export * from './siret';
