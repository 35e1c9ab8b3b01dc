import { CreateLedger1763769600000 } from './1763769600000-create-ledger';
import { CreatePolicies1763769600001 } from './1763769600001-create-policies';
import { CreateIdentity1763769600002 } from './1763769600002-create-identity';
import { KeepOneOpenEntrySetting1763769600003 } from './1763769600003-keep-one-open-entry-setting';
import { CheaperBalanceTriggers1763769600004 } from './1763769600004-cheaper-balance-triggers';
import { CheckPostingsInTheirTrigger1763769600005 } from './1763769600005-check-postings-in-their-trigger';
import { ApplyPostingsPerStatement1763769600006 } from './1763769600006-apply-postings-per-statement';
import { CreateGovernance1763769610000 } from './1763769610000-create-governance';
import { CreateTransparencyLog1763769620000 } from './1763769620000-create-transparency-log';
import { AddTransparencyAppendFunction1763769620001 } from './1763769620001-add-transparency-append-function';
import { AppendLogAtCommit1763769620002 } from './1763769620002-append-log-at-commit';
import { SequenceLogAfterCommit1763769620003 } from './1763769620003-sequence-log-after-commit';
import { ReadLogQueueByPosition1763769620004 } from './1763769620004-read-log-queue-by-position';
import { PositionLeavesAfterBalanceLocks1763769620005 } from './1763769620005-position-leaves-after-balance-locks';
import { CreateProjects1763769630000 } from './1763769630000-create-projects';
import { AllowAdminAttestedControl1763769630001 } from './1763769630001-allow-admin-attested-control';
import { AddSbomContentHash1763769630002 } from './1763769630002-add-sbom-content-hash';
import { CreateContributions1763769640000 } from './1763769640000-create-contributions';
import { AddDonationStatementKey1763769640001 } from './1763769640001-add-donation-statement-key';
import { CreateDisbursements1763769650000 } from './1763769650000-create-disbursements';
import { AddDisbursementLots1763769650001 } from './1763769650001-add-disbursement-lots';
import { IndexAccountCodesBytewise1763769650002 } from './1763769650002-index-account-codes-bytewise';
import { FillBatchesPageByPage1763769650003 } from './1763769650003-fill-batches-page-by-page';
import { CheckRunReferencesPerStatement1763769650004 } from './1763769650004-check-run-references-per-statement';
import { CreateWebSessions1764700000000 } from './1764700000000-create-web-sessions';
import { CreateMailOutbox1764710000000 } from './1764710000000-create-mail-outbox';
import { CreateSignIn1764710000001 } from './1764710000001-create-sign-in';
import { CreateGivingCheckouts1764720000000 } from './1764720000000-create-giving-checkouts';
import { RecordDonorErasures1764730000000 } from './1764730000000-record-donor-erasures';
import { EndSeatsWhenRoleRevoked1764740000000 } from './1764740000000-end-seats-when-role-revoked';
import { CreatePaymentRequestsAndBankStatements1764750000000 } from './1764750000000-create-payment-requests-and-bank-statements';

/** Every migration, in timestamp order. Listed explicitly: bundlers break globs. */
export const migrations = [
  CreateLedger1763769600000,
  CreatePolicies1763769600001,
  CreateIdentity1763769600002,
  KeepOneOpenEntrySetting1763769600003,
  CheaperBalanceTriggers1763769600004,
  CheckPostingsInTheirTrigger1763769600005,
  ApplyPostingsPerStatement1763769600006,
  CreateGovernance1763769610000,
  CreateTransparencyLog1763769620000,
  AddTransparencyAppendFunction1763769620001,
  AppendLogAtCommit1763769620002,
  SequenceLogAfterCommit1763769620003,
  ReadLogQueueByPosition1763769620004,
  PositionLeavesAfterBalanceLocks1763769620005,
  CreateProjects1763769630000,
  AllowAdminAttestedControl1763769630001,
  AddSbomContentHash1763769630002,
  CreateContributions1763769640000,
  AddDonationStatementKey1763769640001,
  CreateDisbursements1763769650000,
  AddDisbursementLots1763769650001,
  IndexAccountCodesBytewise1763769650002,
  FillBatchesPageByPage1763769650003,
  CheckRunReferencesPerStatement1763769650004,
  CreateWebSessions1764700000000,
  CreateMailOutbox1764710000000,
  CreateSignIn1764710000001,
  CreateGivingCheckouts1764720000000,
  RecordDonorErasures1764730000000,
  EndSeatsWhenRoleRevoked1764740000000,
  CreatePaymentRequestsAndBankStatements1764750000000,
];
