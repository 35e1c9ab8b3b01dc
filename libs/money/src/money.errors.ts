export enum MoneyErrorCode {
  InvalidAmount = 'money.invalid_amount',
  InvalidCurrency = 'money.invalid_currency',
  CurrencyMismatch = 'money.currency_mismatch',
  InvalidAllocation = 'money.invalid_allocation',
  InvalidRate = 'money.invalid_rate',
}

export class MoneyError extends Error {
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}
