export * from './access';
export * from './audit.service';
export * from './http/auth.decorators';
export * from './http/auth.guard';
export * from './identity.errors';
export * from './identity.module';
export * from './identity.service';
export * from './identity.types';
