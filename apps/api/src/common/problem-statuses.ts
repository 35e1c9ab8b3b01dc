import { DisbursementsErrorCode } from '@app/disbursements';
import { IdentityErrorCode } from '@app/identity';
import { LedgerErrorCode } from '@app/ledger';
import { MoneyErrorCode } from '@app/money';
import { PolicyErrorCode } from '@app/policy';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';

// Each domain maps every one of its codes to an HTTP status: a Record over the enum, so an
// unmapped code fails to compile. Domains add their map to PROBLEM_STATUSES below.

const money: Record<MoneyErrorCode, number> = {
  [MoneyErrorCode.InvalidAmount]: 400,
  [MoneyErrorCode.InvalidCurrency]: 400,
  [MoneyErrorCode.CurrencyMismatch]: 422,
  [MoneyErrorCode.InvalidAllocation]: 422,
  [MoneyErrorCode.InvalidRate]: 422,
};

const ledger: Record<LedgerErrorCode, number> = {
  [LedgerErrorCode.UnknownAccount]: 422,
  [LedgerErrorCode.Unbalanced]: 422,
  [LedgerErrorCode.CurrencyMismatch]: 422,
  [LedgerErrorCode.BalanceLimitExceeded]: 422,
  [LedgerErrorCode.IdempotencyConflict]: 409,
  [LedgerErrorCode.AlreadyReversed]: 409,
  [LedgerErrorCode.PendingAlreadyResolved]: 409,
  [LedgerErrorCode.NotPending]: 409,
  [LedgerErrorCode.InvalidEntry]: 422,
  [LedgerErrorCode.Immutable]: 409,
  [LedgerErrorCode.UnknownEntry]: 404,
  [LedgerErrorCode.AccountConflict]: 409,
};

const policy: Record<PolicyErrorCode, number> = {
  [PolicyErrorCode.NoPolicy]: 503,
  [PolicyErrorCode.UnknownVersion]: 404,
  [PolicyErrorCode.InvalidPolicy]: 422,
};

const identity: Record<IdentityErrorCode, number> = {
  [IdentityErrorCode.Unauthenticated]: 401,
  [IdentityErrorCode.Forbidden]: 403,
  [IdentityErrorCode.UnknownUser]: 404,
  [IdentityErrorCode.UnknownToken]: 404,
  [IdentityErrorCode.EmailTaken]: 409,
  [IdentityErrorCode.InvalidGrant]: 422,
};

const idempotency: Record<IdempotencyErrorCode, number> = {
  [IdempotencyErrorCode.KeyReused]: 409,
  [IdempotencyErrorCode.InProgress]: 409,
  [IdempotencyErrorCode.InvalidKey]: 400,
};

const disbursements: Record<DisbursementsErrorCode, number> = {
  [DisbursementsErrorCode.InvalidSepaBatch]: 422,
  [DisbursementsErrorCode.InvalidRunInput]: 422,
  [DisbursementsErrorCode.CutoffInFuture]: 422,
  [DisbursementsErrorCode.CutoffBeforePreviousRun]: 422,
  [DisbursementsErrorCode.RunAlreadyExists]: 409,
  [DisbursementsErrorCode.RunInProgress]: 409,
  [DisbursementsErrorCode.RunNotFound]: 404,
  [DisbursementsErrorCode.BatchNotFound]: 404,
  [DisbursementsErrorCode.PayoutNotFound]: 404,
  [DisbursementsErrorCode.PayoutAlreadyResolved]: 409,
  [DisbursementsErrorCode.BatchNotSubmitted]: 409,
  [DisbursementsErrorCode.BatchAlreadyExecuted]: 409,
  [DisbursementsErrorCode.PayoutRailMismatch]: 422,
};

export const PROBLEM_STATUSES: Readonly<Record<string, number>> = {
  ...disbursements,
  ...money,
  ...ledger,
  ...policy,
  ...identity,
  ...idempotency,
};
