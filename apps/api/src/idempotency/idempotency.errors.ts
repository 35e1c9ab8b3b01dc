export enum IdempotencyErrorCode {
  KeyReused = 'idempotency.key_reused',
  InProgress = 'idempotency.in_progress',
  InvalidKey = 'idempotency.invalid_key',
}

export class IdempotencyError extends Error {
  constructor(
    readonly code: IdempotencyErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'IdempotencyError';
  }
}
