import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PolicyError, PolicyErrorCode } from './policy.errors';
import { NewPolicy, Policy } from './policy.types';

export interface PolicyRow {
  version: number;
  effective_at: Date;
  created_at: Date;
  currency: string;
  levy_rate_bps: number;
  directed_share_bps: number;
  pool_share_bps: number;
  operating_fee_bps: number;
  minimum_payout: bigint | string;
  claim_deadline_days: number;
  licence_allow_list: string[];
  governance: Policy['governance'];
  sbom: Policy['sbom'];
  billing: Policy['billing'];
  adopted_by: string;
}

/**
 * The policies row in effect at the instant bound to `atParam` (e.g. `$1`), as a subquery a
 * caller can join to read the policy in the same statement as its own rows.
 */
export function policyInEffectSql(atParam: string): string {
  return `SELECT * FROM policies WHERE effective_at <= ${atParam} ORDER BY effective_at DESC LIMIT 1`;
}

/** Versioned rules: never rewritten, a new version takes effect from its date. */
@Injectable()
export class PolicyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The version in effect at `at` (now by default). */
  async current(at: Date = new Date(), manager: EntityManager = this.dataSource.manager): Promise<Policy> {
    const rows = (await manager.query(policyInEffectSql('$1'), [at])) as PolicyRow[];
    if (rows.length === 0)
      throw new PolicyError(PolicyErrorCode.NoPolicy, `no policy is in effect at ${at.toISOString()}`);
    return toPolicy(rows[0]);
  }

  async get(version: number, manager: EntityManager = this.dataSource.manager): Promise<Policy> {
    const rows = (await manager.query('SELECT * FROM policies WHERE version = $1', [version])) as PolicyRow[];
    if (rows.length === 0)
      throw new PolicyError(PolicyErrorCode.UnknownVersion, `no policy version ${version}`);
    return toPolicy(rows[0]);
  }

  async history(manager: EntityManager = this.dataSource.manager): Promise<Policy[]> {
    const rows = (await manager.query('SELECT * FROM policies ORDER BY version')) as PolicyRow[];
    return rows.map(toPolicy);
  }

  /** Adds a version (a passed motion decides it); the past is never rewritten. */
  async adopt(policy: NewPolicy, manager: EntityManager = this.dataSource.manager): Promise<Policy> {
    const shares = policy.directedShareBps + policy.poolShareBps + policy.operatingFeeBps;
    if (shares !== 10000) {
      throw new PolicyError(
        PolicyErrorCode.InvalidPolicy,
        `shares must sum to 10000 basis points, not ${shares}`,
      );
    }
    const rows = (await manager.query(
      `INSERT INTO policies (version, effective_at, currency, levy_rate_bps, directed_share_bps, pool_share_bps,
         operating_fee_bps, minimum_payout, claim_deadline_days, licence_allow_list, governance, sbom, adopted_by, billing)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
              coalesce($13::jsonb, (SELECT billing FROM policies ORDER BY version DESC LIMIT 1)) FROM policies
       RETURNING *`,
      [
        policy.effectiveAt,
        policy.currency,
        policy.levyRateBps,
        policy.directedShareBps,
        policy.poolShareBps,
        policy.operatingFeeBps,
        policy.minimumPayout.toString(),
        policy.claimDeadlineDays,
        JSON.stringify(policy.licenceAllowList),
        JSON.stringify(policy.governance),
        JSON.stringify(policy.sbom),
        policy.adoptedBy,
        policy.billing ? JSON.stringify(policy.billing) : null,
      ],
    )) as PolicyRow[];
    return toPolicy(rows[0]);
  }
}

/** A policies row, as selected with `SELECT *` (or `p.*`), as a Policy. */
export function toPolicy(row: PolicyRow): Policy {
  return {
    version: row.version,
    effectiveAt: row.effective_at,
    createdAt: row.created_at,
    currency: row.currency,
    levyRateBps: row.levy_rate_bps,
    directedShareBps: row.directed_share_bps,
    poolShareBps: row.pool_share_bps,
    operatingFeeBps: row.operating_fee_bps,
    minimumPayout: BigInt(row.minimum_payout),
    claimDeadlineDays: row.claim_deadline_days,
    licenceAllowList: row.licence_allow_list,
    governance: row.governance,
    sbom: row.sbom,
    billing: row.billing,
    adoptedBy: row.adopted_by,
  };
}
