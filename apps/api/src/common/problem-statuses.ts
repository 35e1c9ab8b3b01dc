import { BillingErrorCode } from '@app/billing';
import { DisbursementsErrorCode } from '@app/disbursements';
import { GovernanceErrorCode } from '@app/governance';
import { ContributionsErrorCode } from '@app/contributions';
import { IdentityErrorCode } from '@app/identity';
import { LedgerErrorCode } from '@app/ledger';
import { MailErrorCode } from '@app/mail';
import { MoneyErrorCode } from '@app/money';
import { PaymentsErrorCode } from '@app/payments';
import { PolicyErrorCode } from '@app/policy';
import { ProjectsErrorCode } from '@app/projects';
import { SignInErrorCode } from '@app/sign-in';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { RequestErrorCode } from './request.errors';
import { TransparencyErrorCode } from '@app/transparency';
import { WebErrorCode } from '../web/web.errors';

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
  [LedgerErrorCode.NotLogged]: 500,
};

const policy: Record<PolicyErrorCode, number> = {
  [PolicyErrorCode.NoPolicy]: 503,
  [PolicyErrorCode.UnknownVersion]: 404,
  [PolicyErrorCode.InvalidPolicy]: 422,
};

const mail: Record<MailErrorCode, number> = {
  [MailErrorCode.InvalidMail]: 422,
};

const signIn: Record<SignInErrorCode, number> = {
  [SignInErrorCode.InvalidEmail]: 400,
  [SignInErrorCode.RateLimited]: 429,
  [SignInErrorCode.LinkUnknown]: 404,
  [SignInErrorCode.LinkExpired]: 410,
  [SignInErrorCode.LinkUsed]: 410,
  [SignInErrorCode.UnknownProvider]: 404,
  [SignInErrorCode.ProviderUnavailable]: 503,
  [SignInErrorCode.CallbackRefused]: 400,
  [SignInErrorCode.EmailUnverified]: 409,
  [SignInErrorCode.AccessRequestNotFound]: 404,
  [SignInErrorCode.AccessRequestDecided]: 409,
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

const request: Record<RequestErrorCode, number> = {
  [RequestErrorCode.MalformedJson]: 400,
  [RequestErrorCode.TooDeep]: 400,
  [RequestErrorCode.TooManyKeys]: 400,
  [RequestErrorCode.DuplicateKey]: 400,
  [RequestErrorCode.ForbiddenKey]: 400,
  [RequestErrorCode.InvalidText]: 400,
  [RequestErrorCode.BodyMissing]: 400,
  [RequestErrorCode.BodyNotObject]: 400,
  [RequestErrorCode.UnsupportedMediaType]: 415,
  [RequestErrorCode.RateLimited]: 429,
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

const governance: Record<GovernanceErrorCode, number> = {
  [GovernanceErrorCode.BallotTotal]: 422,
  [GovernanceErrorCode.NegativePoints]: 422,
  [GovernanceErrorCode.UnknownCandidate]: 422,
  [GovernanceErrorCode.InvalidWeights]: 422,
  [GovernanceErrorCode.InvalidInput]: 422,
  [GovernanceErrorCode.InvalidProxy]: 422,
  [GovernanceErrorCode.WindowClosed]: 409,
  [GovernanceErrorCode.InvalidState]: 409,
  [GovernanceErrorCode.NotAllowed]: 403,
  [GovernanceErrorCode.NotFound]: 404,
  [GovernanceErrorCode.ChainMismatch]: 422,
};

const billing: Record<BillingErrorCode, number> = {
  [BillingErrorCode.PaymentRequestNotFound]: 404,
  [BillingErrorCode.FundNotConfigured]: 409,
  [BillingErrorCode.InvalidInput]: 422,
  [BillingErrorCode.NotCamt]: 422,
  [BillingErrorCode.InvalidBankFile]: 422,
  [BillingErrorCode.BankFileTooLarge]: 413,
  [BillingErrorCode.WrongAccount]: 422,
  [BillingErrorCode.WrongCurrency]: 422,
  [BillingErrorCode.LineNotFound]: 404,
  [BillingErrorCode.LineNotConfirmable]: 409,
  [BillingErrorCode.SuspenseNotFound]: 404,
  [BillingErrorCode.SuspenseResolved]: 409,
  [BillingErrorCode.SuspenseTooLarge]: 409,
  [BillingErrorCode.NoLateRate]: 500,
  [BillingErrorCode.InvalidStatusTransition]: 409,
};

const contributions: Record<ContributionsErrorCode, number> = {
  [ContributionsErrorCode.InvalidSiret]: 422,
  [ContributionsErrorCode.InvalidBudget]: 422,
  [ContributionsErrorCode.InvalidFiscalYear]: 422,
  [ContributionsErrorCode.InvalidDirections]: 422,
  [ContributionsErrorCode.UnknownProject]: 422,
  [ContributionsErrorCode.InvalidSplitPolicy]: 422,
  [ContributionsErrorCode.InvalidCsv]: 422,
  [ContributionsErrorCode.InvalidInput]: 422,
  [ContributionsErrorCode.OrganisationNotFound]: 404,
  [ContributionsErrorCode.OrganisationExists]: 409,
  [ContributionsErrorCode.ObligationNotFound]: 404,
  [ContributionsErrorCode.DeclarationNotFound]: 404,
  [ContributionsErrorCode.Overpayment]: 409,
  [ContributionsErrorCode.BankReferenceUsed]: 409,
  [ContributionsErrorCode.DonationIntentNotFound]: 404,
  [ContributionsErrorCode.Forbidden]: 403,
};

const payments: Record<PaymentsErrorCode, number> = {
  [PaymentsErrorCode.InvalidSignature]: 400,
  [PaymentsErrorCode.StaleSignature]: 400,
  [PaymentsErrorCode.NotConfigured]: 503,
  [PaymentsErrorCode.ProcessorError]: 502,
  [PaymentsErrorCode.InvalidEvent]: 400,
  [PaymentsErrorCode.InvalidDonation]: 422,
  [PaymentsErrorCode.FormReused]: 409,
  [PaymentsErrorCode.CheckoutPending]: 409,
};

const transparency: Record<TransparencyErrorCode, number> = {
  [TransparencyErrorCode.OutOfRange]: 400,
  [TransparencyErrorCode.InvalidProofRequest]: 400,
  [TransparencyErrorCode.InvalidQuery]: 400,
  [TransparencyErrorCode.NotFound]: 404,
  [TransparencyErrorCode.MissingSubtree]: 500,
  [TransparencyErrorCode.InvalidLeaf]: 500,
  [TransparencyErrorCode.InvalidKey]: 500,
  [TransparencyErrorCode.InvalidNote]: 500,
  [TransparencyErrorCode.InconsistentCheckpoint]: 500,
};

const projects: Record<ProjectsErrorCode, number> = {
  [ProjectsErrorCode.LicenceInvalid]: 422,
  [ProjectsErrorCode.LicenceNotAllowed]: 422,
  [ProjectsErrorCode.PurlInvalid]: 422,
  [ProjectsErrorCode.PurlTaken]: 409,
  [ProjectsErrorCode.IbanInvalid]: 422,
  [ProjectsErrorCode.BicInvalid]: 422,
  [ProjectsErrorCode.PayoutCountryNotSepa]: 422,
  [ProjectsErrorCode.StripeAccountInvalid]: 422,
  [ProjectsErrorCode.FundingManifestInvalid]: 422,
  [ProjectsErrorCode.FundingManifestUnreachable]: 422,
  [ProjectsErrorCode.OwnershipNotProven]: 422,
  [ProjectsErrorCode.SbomMalformed]: 400,
  [ProjectsErrorCode.SbomUnknownFormat]: 422,
  [ProjectsErrorCode.SbomUnsupportedVersion]: 422,
  [ProjectsErrorCode.SbomTooLarge]: 413,
  [ProjectsErrorCode.SlugTaken]: 409,
  [ProjectsErrorCode.NotFound]: 404,
  [ProjectsErrorCode.AnalysisNotFound]: 404,
  [ProjectsErrorCode.Forbidden]: 403,
  [ProjectsErrorCode.InvalidStatusTransition]: 409,
  [ProjectsErrorCode.NotFundable]: 422,
  [ProjectsErrorCode.ChallengeNotFound]: 404,
  [ProjectsErrorCode.InvalidInput]: 422,
};

const web: Record<WebErrorCode, number> = {
  [WebErrorCode.CsrfRejected]: 403,
  [WebErrorCode.NotFound]: 404,
  [WebErrorCode.InvalidQuery]: 400,
  [WebErrorCode.InvalidForm]: 400,
};

export const PROBLEM_STATUSES: Readonly<Record<string, number>> = {
  ...web,
  ...billing,
  ...contributions,
  ...payments,
  ...disbursements,
  ...governance,
  ...money,
  ...ledger,
  ...policy,
  ...identity,
  ...mail,
  ...signIn,
  ...idempotency,
  ...request,
  ...projects,
  ...transparency,
};
