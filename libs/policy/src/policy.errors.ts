export enum PolicyErrorCode {
  NoPolicy = 'policy.none_in_effect',
  UnknownVersion = 'policy.unknown_version',
  InvalidPolicy = 'policy.invalid',
}

export class PolicyError extends Error {
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}
