export type ObligationStatus = 'due' | 'partly_paid' | 'paid' | 'overdue';

export interface OrganisationView {
  readonly id: string;
  readonly siret: string;
  readonly siren: string;
  readonly name: string;
  /** Chorus Pro "service obligatoire": every payment request must carry a service code (BT-10). */
  readonly serviceCodeRequired: boolean;
  /** Chorus Pro "engagement obligatoire": every payment request must carry the legal commitment (BT-13). */
  readonly legalCommitmentRequired: boolean;
  readonly createdAt: Date;
}

/** A budget declaration and the levy obligation it created. */
export interface ObligationView {
  readonly id: string;
  readonly organisationId: string;
  readonly projectTitle: string;
  readonly budgetExclVat: bigint;
  readonly fiscalYear: number;
  readonly serviceCode: string | null;
  readonly legalCommitment: string | null;
  readonly publicContractId: string | null;
  readonly directions: { projectId: string; weight: string }[];
  readonly sbomAnalysisId: string | null;
  readonly currency: string;
  readonly levyRateBps: number;
  readonly policyVersion: number;
  readonly amountDue: bigint;
  readonly amountPaid: bigint;
  readonly outstanding: bigint;
  readonly dueDate: string;
  readonly status: ObligationStatus;
  /** The ISO 11649 reference the payer quotes, issued with the payment request. */
  readonly creditorReference: string | null;
  readonly createdAt: Date;
}

export interface ReceiptView {
  readonly id: string;
  readonly declarationId: string;
  readonly bankReference: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly valueDate: string;
  readonly contributionId: string;
  readonly ledgerEntryId: string;
  readonly policyVersion: number;
  readonly obligation: ObligationView;
}

export interface StatementLine {
  readonly contributionId: string;
  readonly occurredAt: Date;
  readonly source: string;
  readonly reference: string;
  readonly currency: string;
  readonly gross: bigint;
  readonly processorFee: bigint;
  readonly net: bigint;
  readonly operatingFee: bigint;
  readonly pool: bigint;
  readonly directedShare: bigint;
  readonly directed: { projectId: string; amount: string }[];
  readonly reversed: bigint;
  readonly policyVersion: number;
  readonly ledgerEntryId: string;
}

export interface Statement {
  readonly contributor: { kind: 'organisation' | 'donor'; id: string; name: string | null };
  readonly year: number;
  readonly currency: string;
  readonly totals: {
    gross: bigint;
    processorFee: bigint;
    net: bigint;
    reversed: bigint;
    operatingFee: bigint;
    pool: bigint;
    directedShare: bigint;
  };
  readonly lines: StatementLine[];
}
