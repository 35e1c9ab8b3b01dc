export interface GovernanceSettings {
  colleges: { id: string; weightBp: number }[];
  collegeWeightBounds: { minBp: number; maxBp: number } | null;
  motions: Record<string, { quorum: string | null; majority: { kind: string; num?: number; den?: number } }>;
  abstentionPolicy: string;
  emptyCollegePolicy: string;
  collegeAggregation: string;
  globalQuorum: string | null;
  maxProxiesPerMember: number;
  ballotPublicity: string;
  [key: string]: unknown;
}

export interface SbomSettings {
  directWeight: number;
  transitiveWeight: number;
  maxBytes: number;
  [key: string]: unknown;
}

/**
 * How levies are billed: the document (an invoice, or a payment request with the same data), the
 * payment delay, and the late-payment rule (French public procurement: ECB main refinancing rate
 * in force on the first day of the half-year in which interest starts, plus a margin; a fixed
 * recovery indemnity), with the switch that decides whether they are charged (off by default).
 */
export interface BillingSettings {
  documentType: 'invoice' | 'payment_request';
  paymentDays: number;
  lateInterest: {
    rule: string;
    marginBps: number;
    dayBasis: number;
    /** `YYYY-H1` / `YYYY-H2` → ECB rate (basis points) in force on 1 January / 1 July. */
    ecbRateBps: Record<string, number>;
  };
  /** Minor units, as a decimal string. */
  fixedIndemnity: string;
  chargeLateFees: boolean;
}

/** One version of the fund's rules. Every computed figure records the version it used. */
export interface Policy {
  version: number;
  effectiveAt: Date;
  createdAt: Date;
  currency: string;
  levyRateBps: number;
  directedShareBps: number;
  poolShareBps: number;
  operatingFeeBps: number;
  minimumPayout: bigint;
  claimDeadlineDays: number;
  licenceAllowList: string[];
  governance: GovernanceSettings;
  sbom: SbomSettings;
  billing: BillingSettings;
  adoptedBy: string;
}

/** A version to adopt; without `billing`, it keeps the billing terms of the latest version. */
export type NewPolicy = Omit<Policy, 'version' | 'createdAt' | 'billing'> & { billing?: BillingSettings };
