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
  adoptedBy: string;
}

export type NewPolicy = Omit<Policy, 'version' | 'createdAt'>;
