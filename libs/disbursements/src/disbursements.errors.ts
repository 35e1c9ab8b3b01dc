export enum DisbursementsErrorCode {
  InvalidSepaBatch = 'disbursements.invalid_sepa_batch',
  InvalidRunInput = 'disbursements.invalid_run_input',
  CutoffInFuture = 'disbursements.cutoff_in_future',
  CutoffBeforePreviousRun = 'disbursements.cutoff_before_previous_run',
  RunAlreadyExists = 'disbursements.run_already_exists',
  RunInProgress = 'disbursements.run_in_progress',
  RunNotFound = 'disbursements.run_not_found',
  BatchNotFound = 'disbursements.batch_not_found',
  PayoutNotFound = 'disbursements.payout_not_found',
  PayoutAlreadyResolved = 'disbursements.payout_already_resolved',
  BatchNotSubmitted = 'disbursements.batch_not_submitted',
  BatchAlreadyExecuted = 'disbursements.batch_already_executed',
  PayoutRailMismatch = 'disbursements.payout_rail_mismatch',
}

export class DisbursementsError extends Error {
  constructor(
    readonly code: DisbursementsErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DisbursementsError';
  }
}
