export enum IdentityErrorCode {
  Unauthenticated = 'identity.unauthenticated',
  Forbidden = 'identity.forbidden',
  UnknownUser = 'identity.unknown_user',
  UnknownToken = 'identity.unknown_token',
  EmailTaken = 'identity.email_taken',
  InvalidGrant = 'identity.invalid_grant',
}

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
