export const MAIL_LANGS = ['fr', 'en'] as const;
export type MailLang = (typeof MAIL_LANGS)[number];

/** A mail to send, written by the caller inside the transaction of the fact that causes it. */
export interface OutboxMail {
  /** The fact this mail is about (`sign-in-link:<id>`, `donation-statement-key:<id>`): the same key never mails twice. */
  readonly key: string;
  readonly to: string;
  readonly subject: string;
  /** The plain-text part, always sent. */
  readonly text: string;
  readonly html?: string;
  readonly lang: MailLang;
}

export type MailStatus = 'queued' | 'sent' | 'failed';

export interface OutboxMailView {
  id: string;
  key: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  lang: MailLang;
  status: MailStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** What the worker did with one claimed mail. */
export type SendOutcome = 'sent' | 'retry' | 'failed';
