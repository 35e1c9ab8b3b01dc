import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, hasRole, Principal, requireRole } from '@app/identity';
import {
  controlTokenPublished,
  controlTokenUrl,
  FundingManifest,
  parseFundingManifest,
  verifyManifestOwnership,
} from './funding-manifest';
import { OutboundFetchError, TextFetcher } from './outbound/outbound-fetcher';
import { maskIban, PayoutDetails, validateSepaPayout, validateStripeAccount } from './payout-details';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';
import { isUuid, ProjectsService } from './projects.service';
import { FundingManifestSummary, PayoutDetailsView, ProjectPage, ProjectView } from './projects.types';

/** How the projects domain fetches URLs (funding.json, well-known files); tests may replace it. */
export const PROJECTS_TEXT_FETCHER = Symbol('PROJECTS_TEXT_FETCHER');

const CHALLENGE_DAYS = 14;

export type PayoutDetailsInput =
  | { kind: 'sepa'; accountHolder: string; iban: string; bic?: string | null }
  | { kind: 'stripe'; stripeAccountId: string };

interface PayoutRow {
  project_id: string;
  kind: 'sepa' | 'stripe';
  account_holder: string | null;
  iban: string | null;
  bic: string | null;
  country_code: string | null;
  stripe_account_id: string | null;
  revision: number;
  updated_at: Date;
  verified_at: Date | null;
}

/**
 * Proof that a maintainer controls the project (a token at a well-known path of its website, or
 * its funding.json under the FLOSS/fund well-known rule) and the project's payout details, kept
 * apart from every public view; a change is audited (masked) and must be verified again.
 */
@Injectable()
export class ProjectVerificationService {
  private readonly logger = new Logger(ProjectVerificationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projects: ProjectsService,
    private readonly audit: AuditService,
    @Inject(PROJECTS_TEXT_FETCHER) private readonly fetchText: TextFetcher,
  ) {}

  /** Issues a token the maintainer publishes at `<website>/.well-known/librery-verification`. */
  async createChallenge(
    caller: Principal,
    projectId: string,
  ): Promise<{ id: string; token: string; url: string; expiresAt: Date }> {
    this.projects.requireMaintainer(caller, projectId);
    const project = await this.projects.row(projectId);
    const site = project.website_url ?? project.repository_url;
    const url = controlTokenUrl(site);
    const token = `librery-verification=${randomBytes(24).toString('base64url')}`;
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO project_verification_challenges (project_id, method, token, url, created_by, expires_at)
         VALUES ($1, 'well_known_token', $2, $3, $4, now() + make_interval(days => $5)) RETURNING id, expires_at`,
        [projectId, token, url, caller.userId, CHALLENGE_DAYS],
      )) as { id: string; expires_at: Date }[];
      await this.audit.record(
        caller,
        'project.challenge.create',
        { type: 'project', id: projectId },
        { challengeId: rows[0].id, url },
        m,
      );
      return { id: rows[0].id, token, url, expiresAt: rows[0].expires_at };
    });
  }

  /** Fetches the well-known file and, when it holds the token, marks the project's control as verified. */
  async checkChallenge(caller: Principal, projectId: string, challengeId: string): Promise<ProjectView> {
    this.projects.requireMaintainer(caller, projectId);
    if (!isUuid(challengeId)) throw challengeNotFound();
    const rows = (await this.dataSource.query(
      `SELECT id, token, url, expires_at < now() AS expired FROM project_verification_challenges WHERE id = $1 AND project_id = $2`,
      [challengeId, projectId],
    )) as { id: string; token: string; url: string; expired: boolean }[];
    if (rows.length === 0) throw challengeNotFound();
    const challenge = rows[0];
    let problem: string | null = null;
    if (challenge.expired) problem = 'the challenge has expired; ask for a new one';
    else {
      try {
        const body = await this.fetchText(challenge.url);
        if (!controlTokenPublished(body, challenge.token))
          problem = `${challenge.url} does not contain the token`;
      } catch (error) {
        // Why it failed (an address refused, a status, a timeout) goes to the log only: told to a
        // maintainer, it would map our network for whoever chose the URL.
        this.logFetchFailure('control challenge', projectId, challenge.url, error);
        problem = 'the verification file could not be fetched';
      }
    }
    await this.dataSource.query(
      `UPDATE project_verification_challenges SET last_checked_at = now(), last_error = $2,
              verified_at = CASE WHEN $2::text IS NULL THEN now() ELSE verified_at END WHERE id = $1`,
      [challenge.id, problem],
    );
    if (problem !== null)
      throw new ProjectsError(ProjectsErrorCode.OwnershipNotProven, problem, { url: challenge.url });
    return this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE projects SET control_verified_at = now(), control_method = 'well_known_token', updated_at = now() WHERE id = $1`,
        [projectId],
      );
      await this.audit.record(
        caller,
        'project.control.verified',
        { type: 'project', id: projectId },
        { method: 'well_known_token', url: challenge.url },
        m,
      );
      return this.projects.view(projectId, m);
    });
  }

  private logFetchFailure(what: string, projectId: string, url: string, error: unknown): void {
    const reason = error instanceof OutboundFetchError ? `${error.reason} (${error.detail})` : String(error);
    this.logger.warn(`${what} of project ${projectId} at ${url} not fetched: ${reason}`);
  }

  /**
   * Fetches the project's funding.json, validates it (v1 schema), checks that one of its projects
   * names the project's repository or website under the well-known provenance rule, then stores
   * the manifest summary shown on the public page and marks control as verified.
   */
  async verifyFundingManifest(caller: Principal, projectId: string): Promise<ProjectPage> {
    this.projects.requireMaintainer(caller, projectId);
    const project = await this.projects.row(projectId);
    const manifestUrl = project.funding_json_url;
    if (!manifestUrl) {
      throw new ProjectsError(ProjectsErrorCode.InvalidInput, 'the project has no funding.json URL', {
        field: 'fundingJsonUrl',
      });
    }
    let text: string;
    try {
      text = await this.fetchText(manifestUrl);
    } catch (error) {
      this.logFetchFailure('funding.json', projectId, manifestUrl, error);
      throw new ProjectsError(
        ProjectsErrorCode.FundingManifestUnreachable,
        'the funding.json could not be fetched',
        {
          url: manifestUrl,
        },
      );
    }
    let manifest: FundingManifest;
    try {
      manifest = parseFundingManifest(text);
    } catch (error) {
      if (!(error instanceof ProjectsError)) throw error;
      // Which fields a fetched document lacks would describe its content: logged, not answered.
      this.logger.warn(
        `funding.json of project ${projectId} at ${manifestUrl} invalid: ${error.message} ${JSON.stringify(error.details)}`,
      );
      throw new ProjectsError(error.code, 'the document is not a valid funding.json (v1)', {
        url: manifestUrl,
      });
    }
    const urls = [project.repository_url, ...(project.website_url ? [project.website_url] : [])];
    try {
      await verifyManifestOwnership(manifest, manifestUrl, urls, this.fetchText);
    } catch (error) {
      if (error instanceof Error && error.cause !== undefined)
        this.logFetchFailure('well-known list', projectId, manifestUrl, error.cause);
      throw error;
    }
    const summary: FundingManifestSummary = {
      url: manifestUrl,
      checkedAt: new Date(),
      entity: {
        type: manifest.entity.type,
        role: manifest.entity.role,
        name: manifest.entity.name,
        webpageUrl: manifest.entity.webpageUrl.url,
      },
      projects: manifest.projects.map((p) => ({
        guid: p.guid,
        name: p.name,
        repositoryUrl: p.repositoryUrl.url,
        webpageUrl: p.webpageUrl.url,
        licenses: p.licenses,
      })),
      plans: manifest.funding.plans.map((p) => ({
        guid: p.guid,
        name: p.name,
        status: p.status,
        amount: p.amount,
        currency: p.currency,
        frequency: p.frequency,
      })),
    };
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE projects SET funding_manifest = $2, funding_manifest_checked_at = now(), control_verified_at = now(),
                control_method = 'funding_manifest', updated_at = now() WHERE id = $1`,
        [projectId, JSON.stringify(summary)],
      );
      await this.audit.record(
        caller,
        'project.control.verified',
        { type: 'project', id: projectId },
        { method: 'funding_manifest', url: manifestUrl },
        m,
      );
    });
    return this.projects.page(projectId);
  }

  /**
   * An admin attests the project's control after checking it by other means (a signed letter, a
   * foundation's confirmation…); audited with the reason.
   */
  async attestControl(caller: Principal, projectId: string, reason: string): Promise<ProjectView> {
    requireRole(caller, 'admin');
    const why = reason.trim();
    if (why.length === 0 || why.length > 2000) {
      throw new ProjectsError(
        ProjectsErrorCode.InvalidInput,
        'a reason of 1 to 2000 characters is required',
        { field: 'reason' },
      );
    }
    return this.dataSource.transaction(async (m) => {
      await this.projects.row(projectId, m, true);
      await m.query(
        `UPDATE projects SET control_verified_at = now(), control_method = 'admin_attestation', updated_at = now() WHERE id = $1`,
        [projectId],
      );
      await this.audit.record(
        caller,
        'project.control.verified',
        { type: 'project', id: projectId },
        { method: 'admin_attestation', reason: why },
        m,
      );
      return this.projects.view(projectId, m);
    });
  }

  /** Sets (or replaces) the payout details: validated, stored apart, audited masked, unverified again. */
  async setPayoutDetails(
    caller: Principal,
    projectId: string,
    input: PayoutDetailsInput,
  ): Promise<PayoutDetailsView> {
    this.projects.requireMaintainer(caller, projectId);
    const details: PayoutDetails =
      input.kind === 'sepa'
        ? validateSepaPayout({ accountHolder: input.accountHolder, iban: input.iban, bic: input.bic })
        : validateStripeAccount(input.stripeAccountId);
    return this.dataSource.transaction(async (m) => {
      await this.projects.row(projectId, m, true);
      const sepa = details.kind === 'sepa' ? details : null;
      const rows = (await m.query(
        `INSERT INTO project_payout_details (project_id, kind, account_holder, iban, bic, country_code, stripe_account_id, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (project_id) DO UPDATE SET kind = EXCLUDED.kind, account_holder = EXCLUDED.account_holder,
           iban = EXCLUDED.iban, bic = EXCLUDED.bic, country_code = EXCLUDED.country_code,
           stripe_account_id = EXCLUDED.stripe_account_id, updated_by = EXCLUDED.updated_by, updated_at = now(),
           revision = project_payout_details.revision + 1, verified_at = NULL, verified_by = NULL
         RETURNING *`,
        [
          projectId,
          details.kind,
          sepa?.accountHolder ?? null,
          sepa?.iban ?? null,
          sepa?.bic ?? null,
          sepa?.countryCode ?? null,
          details.kind === 'stripe' ? details.stripeAccountId : null,
          caller.userId,
        ],
      )) as PayoutRow[];
      const view = toPayoutView(rows[0]);
      await this.audit.record(
        caller,
        'project.payout_details.set',
        { type: 'project', id: projectId },
        {
          kind: view.kind,
          iban: view.iban,
          bic: view.bic,
          stripeAccountId: view.stripeAccountId,
          revision: view.revision,
        },
        m,
      );
      return view;
    });
  }

  /** The payout details, masked, for the project's maintainers, admins and treasurers. */
  async getPayoutDetails(caller: Principal, projectId: string): Promise<PayoutDetailsView> {
    if (!(caller && hasRole(caller, 'treasurer'))) this.projects.requireMaintainer(caller, projectId);
    const rows = (await this.dataSource.query('SELECT * FROM project_payout_details WHERE project_id = $1', [
      projectId,
    ])) as PayoutRow[];
    if (rows.length === 0)
      throw new ProjectsError(ProjectsErrorCode.NotFound, 'the project has no payout details');
    return toPayoutView(rows[0]);
  }

  /**
   * A treasurer (or admin) confirms the payout details of a given revision (a later change makes
   * the confirmation stale and is refused). The project's control must be verified first.
   */
  async verifyPayoutDetails(
    caller: Principal,
    projectId: string,
    revision: number,
  ): Promise<PayoutDetailsView> {
    requireRole(caller, ['treasurer', 'admin']);
    return this.dataSource.transaction(async (m) => {
      const project = await this.projects.row(projectId, m, true);
      if (!project.control_verified_at) {
        throw new ProjectsError(
          ProjectsErrorCode.OwnershipNotProven,
          'the project must prove control before its payout details are verified',
        );
      }
      const rows = await queryRows<PayoutRow>(
        m,
        `UPDATE project_payout_details SET verified_at = now(), verified_by = $3
          WHERE project_id = $1 AND revision = $2 RETURNING *`,
        [projectId, revision, caller.userId],
      );
      if (rows.length === 0) {
        throw new ProjectsError(
          ProjectsErrorCode.InvalidInput,
          `no payout details at revision ${revision}; they may have changed`,
          {
            field: 'revision',
          },
        );
      }
      await this.audit.record(
        caller,
        'project.payout_details.verify',
        { type: 'project', id: projectId },
        { revision },
        m,
      );
      return toPayoutView(rows[0]);
    });
  }

  /**
   * For disbursements: the full, verified payout details of a project, or null when there are
   * none or they are not verified (the run then carries the balance over and says why).
   */
  async verifiedPayoutDetails(
    projectId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<(PayoutDetails & { revision: number }) | null> {
    const rows = (await manager.query(
      'SELECT * FROM project_payout_details WHERE project_id = $1 AND verified_at IS NOT NULL',
      [projectId],
    )) as PayoutRow[];
    if (rows.length === 0) return null;
    const r = rows[0];
    return r.kind === 'sepa'
      ? {
          kind: 'sepa',
          accountHolder: r.account_holder!,
          iban: r.iban!,
          bic: r.bic,
          countryCode: r.country_code!,
          revision: r.revision,
        }
      : { kind: 'stripe', stripeAccountId: r.stripe_account_id!, revision: r.revision };
  }

  /**
   * For disbursements, in one query: each known project's name, status and verified payout
   * details (null when missing or not verified, so the run carries the balance over).
   */
  async payees(
    projectIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<
    Map<
      string,
      { projectId: string; name: string; status: string; admitted: boolean; payout: PayoutDetails | null }
    >
  > {
    const ids = [...new Set(projectIds)].filter(isUuid);
    const rows = (await manager.query(
      `SELECT p.id::text AS id, p.name, p.status, d.kind, d.account_holder, d.iban, d.bic, d.country_code, d.stripe_account_id,
              d.verified_at IS NOT NULL AS verified
         FROM projects p LEFT JOIN project_payout_details d ON d.project_id = p.id
        WHERE p.id = ANY($1::uuid[])`,
      [ids],
    )) as (Omit<PayoutRow, 'project_id' | 'revision' | 'updated_at' | 'verified_at' | 'kind'> & {
      id: string;
      name: string;
      status: string;
      kind: 'sepa' | 'stripe' | null;
      verified: boolean;
    })[];
    const result = new Map<
      string,
      { projectId: string; name: string; status: string; admitted: boolean; payout: PayoutDetails | null }
    >();
    for (const r of rows) {
      let payout: PayoutDetails | null = null;
      if (r.verified && r.kind === 'sepa') {
        payout = {
          kind: 'sepa',
          accountHolder: r.account_holder!,
          iban: r.iban!,
          bic: r.bic,
          countryCode: r.country_code!,
        };
      } else if (r.verified && r.kind === 'stripe')
        payout = { kind: 'stripe', stripeAccountId: r.stripe_account_id! };
      result.set(r.id, {
        projectId: r.id,
        name: r.name,
        status: r.status,
        admitted: r.status === 'admitted',
        payout,
      });
    }
    return result;
  }
}

function toPayoutView(r: PayoutRow): PayoutDetailsView {
  return {
    projectId: r.project_id,
    kind: r.kind,
    accountHolder: r.account_holder,
    iban: r.iban ? maskIban(r.iban) : null,
    bic: r.bic,
    stripeAccountId: r.stripe_account_id,
    revision: r.revision,
    verified: r.verified_at !== null,
    updatedAt: r.updated_at,
    verifiedAt: r.verified_at,
  };
}

function challengeNotFound(): ProjectsError {
  return new ProjectsError(
    ProjectsErrorCode.ChallengeNotFound,
    'no such verification challenge for this project',
  );
}
