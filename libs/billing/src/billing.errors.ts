export enum BillingErrorCode {
  PaymentRequestNotFound = 'billing.payment_request_not_found',
  FundNotConfigured = 'billing.fund_not_configured',
  InvalidInput = 'billing.invalid_input',
  NotCamt = 'billing.not_camt',
  InvalidBankFile = 'billing.invalid_bank_file',
  BankFileTooLarge = 'billing.bank_file_too_large',
  WrongAccount = 'billing.wrong_account',
  WrongCurrency = 'billing.wrong_currency',
  LineNotFound = 'billing.line_not_found',
  LineNotConfirmable = 'billing.line_not_confirmable',
  SuspenseNotFound = 'billing.suspense_not_found',
  SuspenseResolved = 'billing.suspense_resolved',
  SuspenseTooLarge = 'billing.suspense_exceeds_outstanding',
  NoLateRate = 'billing.no_late_payment_rate',
  InvalidStatusTransition = 'billing.invalid_chorus_status',
}

export class BillingError extends Error {
  constructor(
    readonly code: BillingErrorCode,
    message: string,
    readonly details: { field?: string; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'BillingError';
  }
}
