import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  AuditService,
  hasRole,
  IdentityError,
  IdentityErrorCode,
  IdentityService,
  Principal,
  requireRole,
  SYSTEM_PRINCIPAL,
} from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { PolicyService } from '@app/policy';
import { checkLicence } from './licence';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';
import {
  DirectionFromAnalysis,
  FUNDABLE_STATUSES,
  FundableProject,
  FundingManifestSummary,
  OPENNESS_LEVELS,
  OpennessLevel,
  ProjectPage,
  ProjectSearch,
  ProjectStatus,
  ProjectView,
  ProposeProjectInput,
  STATUS_TRANSITIONS,
  UpdateProjectInput,
} from './projects.types';
import { versionlessPurl } from './purl';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const MAX_PURLS = 100;

export interface ProjectRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  repository_url: string;
  website_url: string | null;
  licence: string;
  openness_level: OpennessLevel;
  funding_json_url: string | null;
  publiccode_url: string | null;
  status: ProjectStatus;
  control_verified_at: Date | null;
  control_method: string | null;
  funding_manifest: FundingManifestSummary | null;
  payout_verified: boolean;
  purls: string[];
  created_at: Date;
  updated_at: Date;
}

const PROJECT_SELECT = `
  SELECT p.*,
         coalesce((SELECT array_agg(pp.purl ORDER BY pp.purl) FROM project_purls pp WHERE pp.project_id = p.id), '{}') AS purls,
         EXISTS (SELECT 1 FROM project_payout_details d WHERE d.project_id = p.id AND d.verified_at IS NOT NULL) AS payout_verified
    FROM projects p`;

/**
 * The catalogue: maintainers propose and edit their projects (maintainer role scoped to the
 * project), admins (later: governance) move statuses with a reason, anyone reads and searches.
 */
@Injectable()
export class ProjectsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
    private readonly policies: PolicyService,
    private readonly ledger: LedgerService,
  ) {}

  /** A user proposes a project; they become its maintainer. Status starts at `proposed`. */
  async propose(caller: Principal, input: ProposeProjectInput): Promise<ProjectView> {
    if (!caller) throw new IdentityError(IdentityErrorCode.Unauthenticated, 'a valid API token is required');
    const slug = input.slug.trim();
    if (!SLUG.test(slug))
      throw invalid('slug', 'the slug must be 1–64 lower-case letters, digits and inner dashes');
    const fields = await this.checkFields(input);
    return this.dataSource.transaction(async (m) => {
      const taken = (await m.query('SELECT 1 FROM projects WHERE slug = $1', [slug])) as unknown[];
      if (taken.length > 0)
        throw new ProjectsError(ProjectsErrorCode.SlugTaken, `the slug "${slug}" is taken`, { slug });
      let id: string;
      try {
        const rows = (await m.query(
          `INSERT INTO projects (slug, name, description, repository_url, website_url, licence, openness_level,
                                 funding_json_url, publiccode_url, proposed_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
          [
            slug,
            fields.name,
            fields.description,
            fields.repositoryUrl,
            fields.websiteUrl,
            fields.licence,
            fields.opennessLevel,
            fields.fundingJsonUrl,
            fields.publiccodeUrl,
            caller.userId,
          ],
        )) as { id: string }[];
        id = rows[0].id;
      } catch (error) {
        throw translateUnique(error, slug);
      }
      await this.replacePurls(m, id, fields.purls);
      await m.query(
        `INSERT INTO project_status_history (project_id, from_status, to_status, reason, actor_id, actor_kind)
         VALUES ($1, NULL, 'proposed', 'proposed by a maintainer', $2, $3)`,
        [id, caller.userId, caller.kind],
      );
      if (caller.kind === 'user' && caller.userId) {
        await this.identity.grantRole(
          SYSTEM_PRINCIPAL,
          caller.userId,
          { role: 'maintainer', scopeId: id },
          m,
        );
      }
      await this.audit.record(
        caller,
        'project.propose',
        { type: 'project', id },
        { slug, licence: fields.licence, purls: fields.purls },
        m,
      );
      return this.view(id, m);
    });
  }

  /** A maintainer of this project (or an admin) edits its metadata; purls are replaced as a set. */
  async update(caller: Principal, projectId: string, input: UpdateProjectInput): Promise<ProjectView> {
    this.requireMaintainer(caller, projectId);
    return this.dataSource.transaction(async (m) => {
      const current = await this.row(projectId, m, true);
      const merged: ProposeProjectInput = {
        slug: current.slug,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        repositoryUrl: input.repositoryUrl ?? current.repository_url,
        websiteUrl: input.websiteUrl !== undefined ? input.websiteUrl : current.website_url,
        licence: input.licence ?? current.licence,
        purls: input.purls ?? current.purls,
        opennessLevel: input.opennessLevel ?? current.openness_level,
        fundingJsonUrl: input.fundingJsonUrl !== undefined ? input.fundingJsonUrl : current.funding_json_url,
        publiccodeUrl: input.publiccodeUrl !== undefined ? input.publiccodeUrl : current.publiccode_url,
      };
      const fields = await this.checkFields(merged, m);
      // Control was proven for given URLs: moving them means proving it again.
      const urlsChanged =
        fields.repositoryUrl !== current.repository_url ||
        fields.websiteUrl !== current.website_url ||
        fields.fundingJsonUrl !== current.funding_json_url;
      await m.query(
        `UPDATE projects SET name = $2, description = $3, repository_url = $4, website_url = $5, licence = $6,
                openness_level = $7, funding_json_url = $8, publiccode_url = $9, updated_at = now(),
                control_verified_at = CASE WHEN $10 THEN NULL ELSE control_verified_at END,
                control_method = CASE WHEN $10 THEN NULL ELSE control_method END,
                funding_manifest = CASE WHEN $10 THEN NULL ELSE funding_manifest END,
                funding_manifest_checked_at = CASE WHEN $10 THEN NULL ELSE funding_manifest_checked_at END
          WHERE id = $1`,
        [
          projectId,
          fields.name,
          fields.description,
          fields.repositoryUrl,
          fields.websiteUrl,
          fields.licence,
          fields.opennessLevel,
          fields.fundingJsonUrl,
          fields.publiccodeUrl,
          urlsChanged,
        ],
      );
      if (input.purls !== undefined) await this.replacePurls(m, projectId, fields.purls);
      await this.audit.record(
        caller,
        'project.update',
        { type: 'project', id: projectId },
        { changed: Object.keys(input), urlsChanged },
        m,
      );
      return this.view(projectId, m);
    });
  }

  /**
   * Moves a project's status with a reason, audited and kept in the public status history. For
   * now an admin decides; the governance engine calls this with its own principal (system) once a
   * motion passes, passing its transaction's manager so both commit together.
   */
  async changeStatus(
    actor: Principal,
    projectId: string,
    to: ProjectStatus,
    reason: string,
    manager?: EntityManager,
  ): Promise<ProjectView> {
    requireRole(actor, 'admin');
    const why = reason.trim();
    if (why.length === 0 || why.length > 2000)
      throw invalid('reason', 'a reason of 1 to 2000 characters is required');
    const run = async (m: EntityManager) => {
      const current = await this.row(projectId, m, true);
      if (!STATUS_TRANSITIONS[current.status].includes(to)) {
        throw new ProjectsError(
          ProjectsErrorCode.InvalidStatusTransition,
          `a ${current.status} project cannot become ${to}`,
          {
            from: current.status,
            to,
            allowed: STATUS_TRANSITIONS[current.status],
          },
        );
      }
      await m.query('UPDATE projects SET status = $2, updated_at = now() WHERE id = $1', [projectId, to]);
      if (to === 'admitted') {
        // The account its payouts will be reserved on, opened with the admission rather than by
        // the first disbursement run (which would otherwise create thousands at once).
        const policy = await this.policies.current(new Date(), m);
        await this.ledger.ensureAccounts([Accounts.payable(projectId, policy.currency)], m);
      }
      await m.query(
        `INSERT INTO project_status_history (project_id, from_status, to_status, reason, actor_id, actor_kind)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [projectId, current.status, to, why, actor.userId, actor.kind],
      );
      await this.audit.record(
        actor,
        'project.status',
        { type: 'project', id: projectId },
        { from: current.status, to, reason: why },
        m,
      );
      return this.view(projectId, m);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** The public page of a project, by id or slug. */
  async page(idOrSlug: string): Promise<ProjectPage> {
    const row = await this.findRow(idOrSlug);
    const history = (await this.dataSource.query(
      `SELECT from_status, to_status, reason, occurred_at FROM project_status_history WHERE project_id = $1 ORDER BY id`,
      [row.id],
    )) as {
      from_status: ProjectStatus | null;
      to_status: ProjectStatus;
      reason: string;
      occurred_at: Date;
    }[];
    const policy = await this.policies.current();
    const directed = Accounts.projectDirected(row.id, policy.currency).code;
    const allocated = Accounts.projectAllocated(row.id, policy.currency).code;
    const balances = await this.ledger.balances([directed, allocated]);
    return {
      ...toView(row),
      fundingManifest: row.funding_manifest,
      statusHistory: history.map((h) => ({
        from: h.from_status,
        to: h.to_status,
        reason: h.reason,
        at: h.occurred_at,
      })),
      received: {
        directed: balances.get(directed)?.creditsPosted ?? 0n,
        allocated: balances.get(allocated)?.creditsPosted ?? 0n,
        currency: policy.currency,
      },
    };
  }

  /** Public search by name (or slug), licence id, purl and status; keyset pagination on the slug. */
  async search(query: ProjectSearch): Promise<{ items: ProjectView[]; next: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.q) {
      const pattern = `%${query.q
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add(
        `(lower(p.name) LIKE ? OR p.slug LIKE $${params.length + 1} OR lower(p.description) LIKE $${params.length + 1})`,
        pattern,
      );
    }
    if (query.licence) {
      // Match a licence id as a whole word of the normalised expression, case-insensitively.
      const id = query.licence.trim().replace(/[^A-Za-z0-9.+-]/g, '');
      add(`p.licence ~* ?`, `(^|[ (])${id.replace(/[.+]/g, (c) => `\\${c}`)}($|[ )])`);
    }
    if (query.purl) {
      add(
        `EXISTS (SELECT 1 FROM project_purls f WHERE f.project_id = p.id AND f.purl = ?)`,
        versionlessPurl(query.purl),
      );
    }
    if (query.status) add('p.status = ?', query.status);
    if (query.after) add('p.slug > ?', query.after);
    params.push(limit + 1);
    const rows = (await this.dataSource.query(
      `${PROJECT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.slug LIMIT $${params.length}`,
      params,
    )) as ProjectRow[];
    const items = rows.slice(0, limit).map(toView);
    return { items, next: rows.length > limit ? items[items.length - 1].slug : null };
  }

  /**
   * For contributions: every id must name a project that may receive directed money (proposed or
   * admitted; suspended and archived ones may not). Throws `NotFundable` naming the others.
   */
  async assertFundable(
    ids: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<FundableProject[]> {
    const unique = [...new Set(ids)];
    const wellFormed = unique.filter(isUuid);
    const rows = (await manager.query('SELECT id, slug, status FROM projects WHERE id = ANY($1::uuid[])', [
      wellFormed,
    ])) as FundableProject[];
    const found = new Map(rows.map((r) => [r.id, r]));
    const unknown = unique.filter((id) => !found.has(id));
    const refused = rows
      .filter((r) => !FUNDABLE_STATUSES.includes(r.status))
      .map((r) => ({ id: r.id, slug: r.slug, status: r.status }));
    if (unknown.length > 0 || refused.length > 0) {
      throw new ProjectsError(
        ProjectsErrorCode.NotFundable,
        'some directions name projects that cannot receive money',
        {
          unknown,
          notFundable: refused,
        },
      );
    }
    return unique.map((id) => found.get(id)!);
  }

  /**
   * For contributions: the suggested direction stored with an SBOM analysis (projects and integer
   * weights), restricted to the projects that are still fundable. Throws `AnalysisNotFound`.
   */
  async directionsFromAnalysis(
    analysisId: string,
    reader: { caller: Principal; organisationId: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ analysisId: string; policyVersion: number; directions: DirectionFromAnalysis[] }> {
    if (!isUuid(analysisId)) throw analysisNotFound(analysisId);
    const rows = (await manager.query(
      'SELECT id, policy_version, directions, organisation_id, created_by FROM sbom_analyses WHERE id = $1',
      [analysisId],
    )) as {
      id: string;
      policy_version: number;
      directions: { projectId: string; weight: number }[];
      organisation_id: string | null;
      created_by: string | null;
    }[];
    if (rows.length === 0) throw analysisNotFound(analysisId);
    // Only the organisation's own analyses (or its uploader's, or an admin's choice) direct its levy:
    // another organisation's analysis and its directions stay private.
    const own =
      rows[0].organisation_id === reader.organisationId ||
      (reader.caller.userId !== null && rows[0].created_by === reader.caller.userId) ||
      hasRole(reader.caller, 'admin');
    if (!own)
      throw new ProjectsError(
        ProjectsErrorCode.Forbidden,
        'this SBOM analysis belongs to another organisation',
        { field: 'sbomAnalysisId' },
      );
    const ids = rows[0].directions.map((d) => d.projectId);
    const statuses = (await manager.query('SELECT id, status FROM projects WHERE id = ANY($1::uuid[])', [
      ids,
    ])) as { id: string; status: ProjectStatus }[];
    const fundable = new Set(statuses.filter((s) => FUNDABLE_STATUSES.includes(s.status)).map((s) => s.id));
    return {
      analysisId,
      policyVersion: rows[0].policy_version,
      directions: rows[0].directions
        .filter((d) => fundable.has(d.projectId))
        .map((d) => ({ projectId: d.projectId, weight: BigInt(d.weight) })),
    };
  }

  /** Maintainer of this very project, or admin; else 403 (401 without a principal). */
  requireMaintainer(caller: Principal | undefined, projectId: string): Principal {
    if (caller && hasRole(caller, 'admin')) return caller;
    return requireRole(caller, 'maintainer', projectId);
  }

  async view(id: string, manager: EntityManager = this.dataSource.manager): Promise<ProjectView> {
    return toView(await this.row(id, manager));
  }

  async row(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ProjectRow> {
    if (!isUuid(id)) throw notFound(id);
    if (lock) await manager.query('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [id]);
    const rows = (await manager.query(`${PROJECT_SELECT} WHERE p.id = $1`, [id])) as ProjectRow[];
    if (rows.length === 0) throw notFound(id);
    return rows[0];
  }

  private async findRow(idOrSlug: string): Promise<ProjectRow> {
    const rows = (await this.dataSource.query(
      `${PROJECT_SELECT} WHERE ${isUuid(idOrSlug) ? 'p.id = $1' : 'p.slug = $1'}`,
      [idOrSlug],
    )) as ProjectRow[];
    if (rows.length === 0) throw notFound(idOrSlug);
    return rows[0];
  }

  private async checkFields(input: ProposeProjectInput, manager: EntityManager = this.dataSource.manager) {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200)
      throw invalid('name', 'the name must have 1 to 200 characters');
    const description = (input.description ?? '').trim();
    if (description.length > 5000)
      throw invalid('description', 'the description must have at most 5000 characters');
    if (!OPENNESS_LEVELS.includes(input.opennessLevel))
      throw invalid('opennessLevel', 'the openness level is A, B or C');
    const policy = await this.policies.current(new Date(), manager);
    const licence = checkLicence(input.licence, policy.licenceAllowList).normalised;
    const purls = [...new Set((input.purls ?? []).map((p) => versionlessPurl(p)))].sort();
    if (purls.length > MAX_PURLS) throw invalid('purls', `at most ${MAX_PURLS} package identifiers`);
    return {
      name,
      description,
      repositoryUrl: httpUrl('repositoryUrl', input.repositoryUrl)!,
      websiteUrl: httpUrl('websiteUrl', input.websiteUrl),
      licence,
      purls,
      opennessLevel: input.opennessLevel,
      fundingJsonUrl: httpUrl('fundingJsonUrl', input.fundingJsonUrl),
      publiccodeUrl: httpUrl('publiccodeUrl', input.publiccodeUrl),
    };
  }

  private async replacePurls(m: EntityManager, projectId: string, purls: readonly string[]): Promise<void> {
    const taken = (await m.query(
      `SELECT pp.purl, p.slug FROM project_purls pp JOIN projects p ON p.id = pp.project_id
        WHERE pp.purl = ANY($1) AND pp.project_id <> $2 ORDER BY pp.purl`,
      [purls, projectId],
    )) as { purl: string; slug: string }[];
    if (taken.length > 0) throw purlTaken(taken[0].purl, taken[0].slug);
    await m.query('DELETE FROM project_purls WHERE project_id = $1 AND NOT (purl = ANY($2))', [
      projectId,
      purls,
    ]);
    try {
      await m.query(
        `INSERT INTO project_purls (purl, project_id) SELECT unnest($1::text[]), $2 ON CONFLICT (purl) DO NOTHING`,
        [purls, projectId],
      );
      const mine = (await m.query(
        'SELECT count(*)::int AS n FROM project_purls WHERE project_id = $1 AND purl = ANY($2)',
        [projectId, purls],
      )) as {
        n: number;
      }[];
      if (mine[0].n !== purls.length) throw purlTaken(purls.join(', '), null);
    } catch (error) {
      throw translateUnique(error, '');
    }
  }
}

export function toView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    repositoryUrl: row.repository_url,
    websiteUrl: row.website_url,
    licence: row.licence,
    purls: row.purls,
    opennessLevel: row.openness_level,
    fundingJsonUrl: row.funding_json_url,
    publiccodeUrl: row.publiccode_url,
    status: row.status,
    controlVerified: row.control_verified_at !== null,
    controlMethod: row.control_method,
    payoutVerified: row.payout_verified,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

function httpUrl(field: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(field, `${field} is not a valid URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > 1024)
    throw invalid(field, `${field} must be an http(s) URL`);
  return value.trim();
}

function invalid(field: string, message: string): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.InvalidInput, message, { field });
}

function notFound(id: string): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.NotFound, `no project ${id.slice(0, 100)}`, {
    project: id.slice(0, 100),
  });
}

function analysisNotFound(id: string): ProjectsError {
  return new ProjectsError(ProjectsErrorCode.AnalysisNotFound, `no SBOM analysis ${id.slice(0, 100)}`);
}

function purlTaken(purl: string, slug: string | null): ProjectsError {
  return new ProjectsError(
    ProjectsErrorCode.PurlTaken,
    `the package ${purl} already belongs to ${slug ? `project "${slug}"` : 'another project'}`,
    {
      purl,
      project: slug,
    },
  );
}

function translateUnique(error: unknown, slug: string): unknown {
  const pg = error as { code?: string; constraint?: string };
  if (pg.code === '23505' && pg.constraint === 'projects_slug_key') {
    return new ProjectsError(ProjectsErrorCode.SlugTaken, `the slug "${slug}" is taken`, { slug });
  }
  if (pg.code === '23505' && pg.constraint === 'project_purls_pkey')
    return purlTaken('(one of the purls)', null);
  return error;
}
