export enum ContributionsErrorCode {
  InvalidSiret = 'contributions.invalid_siret',
  InvalidBudget = 'contributions.invalid_budget',
  InvalidFiscalYear = 'contributions.invalid_fiscal_year',
  InvalidDirections = 'contributions.invalid_directions',
  UnknownProject = 'contributions.unknown_project',
  InvalidSplitPolicy = 'contributions.invalid_split_policy',
  InvalidCsv = 'contributions.invalid_csv',
  InvalidInput = 'contributions.invalid_input',
  OrganisationNotFound = 'contributions.organisation_not_found',
  OrganisationExists = 'contributions.organisation_exists',
  ObligationNotFound = 'contributions.obligation_not_found',
  DeclarationNotFound = 'contributions.declaration_not_found',
  Overpayment = 'contributions.overpayment',
  BankReferenceUsed = 'contributions.bank_reference_used',
  DonationIntentNotFound = 'contributions.donation_intent_not_found',
  Forbidden = 'contributions.forbidden',
}

/** One problem with one field of the input (and, for a CSV import, one row). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
  readonly row?: number;
}

export class ContributionsError extends Error {
  constructor(
    readonly code: ContributionsErrorCode,
    message: string,
    readonly details: { field?: string; errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'ContributionsError';
  }
}
