export * from './policy.errors';
export * from './policy.module';
export * from './policy.service';
export * from './policy.types';
