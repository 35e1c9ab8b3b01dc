import { Logger } from '@nestjs/common';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import { AppConfig } from '@app/config';

/** Injection token of the nodemailer transport the sender uses. */
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

export interface MailTransport {
  send(message: SendMailOptions): Promise<void>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise (development only, enforced by the config) the log. */
export function createMailTransport(config: AppConfig): MailTransport {
  if (config.SMTP_URL) {
    const transporter: Transporter = nodemailer.createTransport(config.SMTP_URL, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      send: async (message) => {
        await transporter.sendMail(message);
      },
      close: () => transporter.close(),
    };
  }
  const logger = new Logger('Mail');
  return {
    send: async (message) => {
      logger.log(
        { to: message.to, subject: message.subject, text: message.text },
        'mail not sent (no SMTP_URL): written here and listed at /dev/mail',
      );
    },
    close: () => undefined,
  };
}
