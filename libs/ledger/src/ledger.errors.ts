export enum LedgerErrorCode {
  UnknownAccount = 'ledger.unknown_account',
  Unbalanced = 'ledger.unbalanced_entry',
  CurrencyMismatch = 'ledger.currency_mismatch',
  BalanceLimitExceeded = 'ledger.balance_limit_exceeded',
  IdempotencyConflict = 'ledger.idempotency_conflict',
  AlreadyReversed = 'ledger.already_reversed',
  PendingAlreadyResolved = 'ledger.pending_already_resolved',
  NotPending = 'ledger.not_pending',
  InvalidEntry = 'ledger.invalid_entry',
  Immutable = 'ledger.immutable',
  UnknownEntry = 'ledger.unknown_entry',
  AccountConflict = 'ledger.account_conflict',
  /** the entry was not appended to the public log (a process posted without the transparency module) */
  NotLogged = 'ledger.not_logged',
}

export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
