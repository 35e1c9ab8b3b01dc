export * from './web-session.module';
export * from './web-session.service';
export * from './web-session.types';
