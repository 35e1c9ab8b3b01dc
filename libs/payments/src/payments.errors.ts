export enum PaymentsErrorCode {
  InvalidSignature = 'payments.invalid_signature',
  StaleSignature = 'payments.stale_signature',
  NotConfigured = 'payments.not_configured',
  ProcessorError = 'payments.processor_error',
  InvalidEvent = 'payments.invalid_event',
  InvalidDonation = 'payments.invalid_donation',
  /** A donate form's idempotency key sent again with other values. */
  FormReused = 'payments.form_reused',
  /** A donate form sent again while its first submission is still opening the checkout. */
  CheckoutPending = 'payments.checkout_pending',
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
