/** Why a request was refused at the boundary, before any route or validation saw it. */
export enum RequestErrorCode {
  MalformedJson = 'request.malformed_json',
  TooDeep = 'request.too_deep',
  TooManyKeys = 'request.too_many_keys',
  DuplicateKey = 'request.duplicate_key',
  ForbiddenKey = 'request.forbidden_key',
  InvalidText = 'request.invalid_text',
  BodyMissing = 'request.body_missing',
  BodyNotObject = 'request.body_not_object',
  UnsupportedMediaType = 'request.unsupported_media_type',
  RateLimited = 'request.rate_limited',
}

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
