/** Stable codes of the projects domain; the API maps each one to an HTTP status once. */
export enum ProjectsErrorCode {
  LicenceInvalid = 'projects.licence_invalid',
  LicenceNotAllowed = 'projects.licence_not_allowed',
  PurlInvalid = 'projects.purl_invalid',
  PurlTaken = 'projects.purl_taken',
  IbanInvalid = 'projects.iban_invalid',
  BicInvalid = 'projects.bic_invalid',
  PayoutCountryNotSepa = 'projects.payout_country_not_sepa',
  StripeAccountInvalid = 'projects.stripe_account_invalid',
  FundingManifestInvalid = 'projects.funding_manifest_invalid',
  FundingManifestUnreachable = 'projects.funding_manifest_unreachable',
  OwnershipNotProven = 'projects.ownership_not_proven',
  SbomMalformed = 'projects.sbom_malformed',
  SbomUnknownFormat = 'projects.sbom_unknown_format',
  SbomUnsupportedVersion = 'projects.sbom_unsupported_version',
  SbomTooLarge = 'projects.sbom_too_large',
  SlugTaken = 'projects.slug_taken',
  NotFound = 'projects.not_found',
  AnalysisNotFound = 'projects.analysis_not_found',
  Forbidden = 'projects.forbidden',
  InvalidStatusTransition = 'projects.invalid_status_transition',
  NotFundable = 'projects.not_fundable',
  ChallengeNotFound = 'projects.challenge_not_found',
  InvalidInput = 'projects.invalid_input',
}

export class ProjectsError extends Error {
  constructor(
    readonly code: ProjectsErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** What went wrong underneath, for the log only (never serialised to the caller). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProjectsError';
  }
}
