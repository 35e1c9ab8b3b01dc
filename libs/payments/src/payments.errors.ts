export enum PaymentsErrorCode {
  InvalidSignature = 'payments.invalid_signature',
  StaleSignature = 'payments.stale_signature',
  NotConfigured = 'payments.not_configured',
  ProcessorError = 'payments.processor_error',
  InvalidEvent = 'payments.invalid_event',
  InvalidDonation = 'payments.invalid_donation',
}

export class PaymentsError extends Error {
  constructor(
    readonly code: PaymentsErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PaymentsError';
  }
}
