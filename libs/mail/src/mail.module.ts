import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { MailOutboxService } from './mail-outbox.service';
import { MailSenderService } from './mail-sender.service';
import { createMailTransport, MAIL_TRANSPORT } from './mail-transport';

/** The mail outbox (every app) and its sender (the worker calls it). */
@Global()
@Module({
  providers: [
    MailOutboxService,
    MailSenderService,
    { provide: MAIL_TRANSPORT, inject: [AppConfig], useFactory: createMailTransport },
  ],
  exports: [MailOutboxService, MailSenderService],
})
export class MailModule {}
