export * from './bigint.transformer';
export * from './data-source-options';
export * from './database.module';
export * from './embedded-postgres';
export * from './pg-types';
export * from './local-database';
export * from './prepared-query';
export * from './sql';
