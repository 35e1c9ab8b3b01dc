export enum MailErrorCode {
  InvalidMail = 'mail.invalid_mail',
}

export class MailError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MailError';
  }
}
