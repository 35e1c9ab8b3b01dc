import { createHash, Hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, hasRole, Principal, requireRole } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { PolicyService } from '@app/policy';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';
import { isUuid } from './projects.service';
import { ProjectStatus } from './projects.types';
import {
  analyseSbomGraph,
  matchCatalogue,
  SbomAnalysisResult,
  SbomGraph,
  SbomWeighting,
} from './sbom-analysis';

export interface StoredSbomAnalysis extends SbomAnalysisResult {
  readonly id: string;
  readonly createdAt: Date;
  readonly organisationId: string | null;
  readonly label: string;
  readonly policyVersion: number;
}

export interface PublicDependency {
  readonly purl: string;
  /** Analyses (declared public projects) that depend on the package, and how many directly. */
  readonly analyses: number;
  readonly directAnalyses: number;
  readonly totalWeight: number;
  readonly project: {
    readonly id: string;
    readonly slug: string;
    readonly name: string;
    readonly status: ProjectStatus;
  } | null;
  readonly registered: boolean;
  readonly admitted: boolean;
  /** Cents credited to the project's directed and allocated accounts; "0" when unregistered. */
  readonly received: bigint;
  readonly currency: string;
}

const MAX_UNMATCHED_IN_RESPONSE = 500;

/**
 * SBOM uploads: the document is streamed through the analysis (never parsed whole), matched to
 * the catalogue, stored with its packages, and folded into the public aggregate of what public
 * money depends on, all in one transaction.
 */
@Injectable()
export class SbomAnalysesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: PolicyService,
    private readonly audit: AuditService,
    private readonly ledger: LedgerService,
  ) {}

  /** The size limit in bytes of the policy in force (documented on the upload endpoint). */
  async maxBytes(): Promise<number> {
    return (await this.policies.current()).sbom.maxBytes;
  }

  /** A buyer (for its organisation) or an admin uploads an SBOM. */
  async analyse(
    caller: Principal,
    source: AsyncIterable<Uint8Array | string>,
    options: { organisationId?: string | null; label?: string | null },
  ): Promise<StoredSbomAnalysis> {
    const organisationId = options.organisationId?.trim() || null;
    if (!(caller && hasRole(caller, 'admin'))) {
      if (!organisationId) {
        throw new ProjectsError(
          ProjectsErrorCode.InvalidInput,
          'a buyer uploads for one of its organisations: organisationId is required',
          {
            field: 'organisationId',
          },
        );
      }
      requireRole(caller, 'buyer', organisationId);
    }
    const label = (options.label ?? '').trim().slice(0, 200);
    const policy = await this.policies.current();
    const weighting: SbomWeighting = {
      directWeight: policy.sbom.directWeight,
      transitiveWeight: policy.sbom.transitiveWeight,
      maxBytes: policy.sbom.maxBytes,
    };
    const hash = createHash('sha256');
    const graph = await analyseSbomGraph(hashing(source, hash), weighting);
    const sha256 = hash.digest();
    const purls = graph.packages.map((p) => p.purl);

    const same = await this.sameDocument(organisationId, sha256, policy.version);
    if (same) return this.get(caller, same);
    try {
      return await this.store(caller, graph, purls, weighting, policy.version, organisationId, label, sha256);
    } catch (error) {
      // Two uploads of one document at once: the other one stored it.
      const pg = error as { code?: string; constraint?: string };
      const raced =
        pg.code === '23505' && pg.constraint === 'sbom_analyses_same_document_key'
          ? await this.sameDocument(organisationId, sha256, policy.version)
          : null;
      if (raced) return this.get(caller, raced);
      throw error;
    }
  }

  private async sameDocument(
    organisationId: string | null,
    sha256: Buffer,
    policyVersion: number,
  ): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM sbom_analyses WHERE coalesce(organisation_id, '') = coalesce($1, '') AND content_sha256 = $2 AND policy_version = $3`,
      [organisationId, sha256, policyVersion],
    )) as { id: string }[];
    return rows.length > 0 ? rows[0].id : null;
  }

  private async store(
    caller: Principal,
    graph: SbomGraph,
    purls: string[],
    weighting: SbomWeighting,
    policyVersion: number,
    organisationId: string | null,
    label: string,
    sha256: Buffer,
  ): Promise<StoredSbomAnalysis> {
    return this.dataSource.transaction(async (m) => {
      const owners = (await m.query(
        `SELECT pp.purl, pp.project_id FROM project_purls pp JOIN projects p ON p.id = pp.project_id
          WHERE pp.purl = ANY($1) AND p.status IN ('proposed', 'admitted')`,
        [purls],
      )) as { purl: string; project_id: string }[];
      const result = matchCatalogue(graph, new Map(owners.map((o) => [o.purl, o.project_id])), weighting);
      const rows = (await m.query(
        `INSERT INTO sbom_analyses (created_by, organisation_id, label, format, spec_version, bytes, policy_version, rule,
           direct_weight, transitive_weight, components, components_without_purl, packages_total, packages_matched,
           weight_total, weight_matched, directions, content_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id, created_at`,
        [
          caller.userId,
          organisationId,
          label,
          result.format,
          result.specVersion,
          result.bytes,
          policyVersion,
          result.rule,
          weighting.directWeight,
          weighting.transitiveWeight,
          result.components,
          result.componentsWithoutPurl,
          result.coverage.componentsTotal,
          result.coverage.componentsMatched,
          result.coverage.weightTotal,
          result.coverage.weightMatched,
          JSON.stringify(result.directions),
          sha256,
        ],
      )) as { id: string; created_at: Date }[];
      const id = rows[0].id;
      if (result.packages.length > 0) {
        // Sorted by purl so concurrent uploads take the aggregate's row locks in the same order.
        const sorted = [...result.packages].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
        await m.query(
          `INSERT INTO sbom_analysis_packages (analysis_id, purl, direct, weight, dependents, occurrences, project_id)
           SELECT $1, * FROM unnest($2::text[], $3::boolean[], $4::int[], $5::int[], $6::int[], $7::uuid[])`,
          [
            id,
            sorted.map((p) => p.purl),
            sorted.map((p) => p.direct),
            sorted.map((p) => p.weight),
            sorted.map((p) => p.dependents),
            sorted.map((p) => p.occurrences),
            sorted.map((p) => p.projectId),
          ],
        );
        await m.query(
          `INSERT INTO sbom_dependency_stats AS s (purl, analyses, direct_analyses, total_weight)
           SELECT purl, 1, CASE WHEN direct THEN 1 ELSE 0 END, weight
             FROM sbom_analysis_packages WHERE analysis_id = $1 ORDER BY purl
           ON CONFLICT (purl) DO UPDATE SET analyses = s.analyses + 1,
             direct_analyses = s.direct_analyses + EXCLUDED.direct_analyses,
             total_weight = s.total_weight + EXCLUDED.total_weight, last_seen_at = now()`,
          [id],
        );
      }
      await this.audit.record(
        caller,
        'sbom.analyse',
        { type: 'sbom_analysis', id },
        {
          organisationId,
          format: result.format,
          specVersion: result.specVersion,
          bytes: result.bytes,
          packages: result.coverage.componentsTotal,
        },
        m,
      );
      return {
        ...result,
        id,
        createdAt: rows[0].created_at,
        organisationId,
        label,
        policyVersion,
        unmatched: result.unmatched.slice(0, MAX_UNMATCHED_IN_RESPONSE),
      };
    });
  }

  /** A stored analysis, for its uploader's organisation (buyer), its uploader, or an admin. */
  async get(caller: Principal, id: string): Promise<StoredSbomAnalysis> {
    if (!isUuid(id)) throw notFound(id);
    const rows = (await this.dataSource.query('SELECT * FROM sbom_analyses WHERE id = $1', [
      id,
    ])) as AnalysisRow[];
    if (rows.length === 0) throw notFound(id);
    const a = rows[0];
    const allowed =
      caller &&
      (hasRole(caller, 'admin') ||
        caller.userId === a.created_by ||
        (a.organisation_id !== null && hasRole(caller, 'buyer', a.organisation_id)));
    if (!allowed) requireRole(caller, 'admin');
    const packages = (await this.dataSource.query(
      `SELECT purl, direct, weight, dependents, occurrences, project_id FROM sbom_analysis_packages WHERE analysis_id = $1
        ORDER BY dependents DESC, weight DESC, purl`,
      [id],
    )) as {
      purl: string;
      direct: boolean;
      weight: number;
      dependents: number;
      occurrences: number;
      project_id: string | null;
    }[];
    const matched = packages.map((p) => ({
      purl: p.purl,
      direct: p.direct,
      weight: p.weight,
      dependents: p.dependents,
      occurrences: p.occurrences,
      projectId: p.project_id,
    }));
    return {
      id: a.id,
      createdAt: a.created_at,
      organisationId: a.organisation_id,
      label: a.label,
      policyVersion: a.policy_version,
      format: a.format,
      specVersion: a.spec_version,
      bytes: Number(a.bytes),
      components: a.components,
      componentsWithoutPurl: a.components_without_purl,
      rule: a.rule as SbomAnalysisResult['rule'],
      weighting: { directWeight: a.direct_weight, transitiveWeight: a.transitive_weight },
      packages: matched,
      directions: a.directions,
      coverage: {
        componentsMatched: a.packages_matched,
        componentsTotal: a.packages_total,
        weightMatched: Number(a.weight_matched),
        weightTotal: Number(a.weight_total),
      },
      unmatched: matched.filter((p) => p.projectId === null).slice(0, MAX_UNMATCHED_IN_RESPONSE),
    };
  }

  /**
   * What public money depends on: packages ranked by how many analyses depend on them (then by
   * weight), whether each is registered and admitted, and how much its project has received.
   */
  async publicDependencies(
    options: { limit?: number; unfundedOnly?: boolean; after?: number } = {},
  ): Promise<{ items: PublicDependency[] }> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
    const rows = (await this.dataSource.query(
      `SELECT s.purl, s.analyses, s.direct_analyses, s.total_weight, p.id, p.slug, p.name, p.status
         FROM sbom_dependency_stats s
         LEFT JOIN project_purls pp ON pp.purl = s.purl
         LEFT JOIN projects p ON p.id = pp.project_id
        WHERE ($2::boolean IS NOT TRUE OR p.id IS NULL OR p.status <> 'admitted')
        ORDER BY s.analyses DESC, s.total_weight DESC, s.purl
        LIMIT $1`,
      [limit, options.unfundedOnly ?? false],
    )) as {
      purl: string;
      analyses: number;
      direct_analyses: number;
      total_weight: string;
      id: string | null;
      slug: string;
      name: string;
      status: ProjectStatus;
    }[];
    const currency = (await this.policies.current()).currency;
    const codes = rows
      .filter((r) => r.id)
      .flatMap((r) => [
        Accounts.projectDirected(r.id!, currency).code,
        Accounts.projectAllocated(r.id!, currency).code,
      ]);
    const balances = codes.length > 0 ? await this.ledger.balances(codes) : new Map();
    return {
      items: rows.map((r) => {
        const received = r.id
          ? (balances.get(Accounts.projectDirected(r.id, currency).code)?.creditsPosted ?? 0n) +
            (balances.get(Accounts.projectAllocated(r.id, currency).code)?.creditsPosted ?? 0n)
          : 0n;
        return {
          purl: r.purl,
          analyses: r.analyses,
          directAnalyses: r.direct_analyses,
          totalWeight: Number(r.total_weight),
          project: r.id ? { id: r.id, slug: r.slug, name: r.name, status: r.status } : null,
          registered: r.id !== null,
          admitted: r.status === 'admitted',
          received,
          currency,
        };
      }),
    };
  }
}

interface AnalysisRow {
  id: string;
  created_at: Date;
  created_by: string | null;
  organisation_id: string | null;
  label: string;
  format: 'CycloneDX' | 'SPDX';
  spec_version: string;
  bytes: string;
  policy_version: number;
  rule: string;
  direct_weight: number;
  transitive_weight: number;
  components: number;
  components_without_purl: number;
  packages_total: number;
  packages_matched: number;
  weight_total: string;
  weight_matched: string;
  directions: { projectId: string; weight: number }[];
}

/** Passes the chunks through, feeding the hash on the way. */
async function* hashing(
  source: AsyncIterable<Uint8Array | string>,
  hash: Hash,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

function notFound(id: string): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.AnalysisNotFound, `no SBOM analysis ${id.slice(0, 100)}`);
}
