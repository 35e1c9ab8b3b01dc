export enum SignInErrorCode {
  InvalidEmail = 'sign_in.invalid_email',
  RateLimited = 'sign_in.rate_limited',
  LinkUnknown = 'sign_in.link_unknown',
  LinkExpired = 'sign_in.link_expired',
  LinkUsed = 'sign_in.link_used',
  UnknownProvider = 'sign_in.unknown_provider',
  ProviderUnavailable = 'sign_in.provider_unavailable',
  CallbackRefused = 'sign_in.callback_refused',
  EmailUnverified = 'sign_in.email_unverified',
  AccessRequestNotFound = 'sign_in.access_request_not_found',
  AccessRequestDecided = 'sign_in.access_request_decided',
}

export class SignInError extends Error {
  constructor(
    readonly code: SignInErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SignInError';
  }
}
