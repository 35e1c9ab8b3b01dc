import { Policy } from '@app/policy';

export class PolicyResponse {
  version!: number;
  effectiveAt!: string;
  currency!: string;
  levyRateBps!: number;
  directedShareBps!: number;
  poolShareBps!: number;
  operatingFeeBps!: number;
  /** cents, as a decimal string */
  minimumPayout!: string;
  claimDeadlineDays!: number;
  licenceAllowList!: string[];
  governance!: Policy['governance'];
  sbom!: Policy['sbom'];
  adoptedBy!: string;

  static from(p: Policy): PolicyResponse {
    return {
      version: p.version,
      effectiveAt: p.effectiveAt.toISOString(),
      currency: p.currency,
      levyRateBps: p.levyRateBps,
      directedShareBps: p.directedShareBps,
      poolShareBps: p.poolShareBps,
      operatingFeeBps: p.operatingFeeBps,
      minimumPayout: p.minimumPayout.toString(),
      claimDeadlineDays: p.claimDeadlineDays,
      licenceAllowList: p.licenceAllowList,
      governance: p.governance,
      sbom: p.sbom,
      adoptedBy: p.adoptedBy,
    };
  }
}
