export * from './mail.errors';
export * from './mail.module';
export * from './mail.types';
export { MailOutboxService } from './mail-outbox.service';
export { MAIL_MAX_ATTEMPTS, MailSenderService, retryDelaySeconds } from './mail-sender.service';
export { MAIL_TRANSPORT, MailTransport } from './mail-transport';
