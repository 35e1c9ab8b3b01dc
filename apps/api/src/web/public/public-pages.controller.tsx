import { Get, Next, Param, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { NextFunction, Response } from 'express';
import { AppConfig } from '@app/config';
import { MotionRow, MotionsService, RoundRow, RoundsService } from '@app/governance';
import {
  PROJECT_STATUSES,
  ProjectPage as CatalogueProject,
  ProjectsError,
  ProjectsErrorCode,
  ProjectsService,
  ProjectStatus,
  SbomAnalysesService,
} from '@app/projects';
import {
  CheckpointService,
  OpenDataService,
  PublicEntry,
  PublicLedgerService,
  PublicNames,
} from '@app/transparency';
import { PublicCacheInterceptor } from '../../transparency/public-cache.interceptor';
import { pageContext, WebRequest } from '../page-context';
import { renderPage } from '../render';
import { WebController } from '../web.decorators';
import { WebError, WebErrorCode } from '../web.errors';
import { DependenciesPage } from './dependencies.page';
import { MotionLine, MotionPage, MotionsIndexPage, RoundLine, RoundsIndexPage } from './governance.pages';
import { HomePage } from './home.page';
import { LedgerPage } from './ledger.page';
import { OpenDataPage } from './open-data.page';
import { ProjectPage } from './project.page';
import { ProjectsIndexPage } from './projects.page';
import { RoundPage } from './round.page';
import { VerifyPage } from './verify.page';

type Q = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Does a browser ask for this page (HTML), rather than an API client for the JSON on the same path? */
function wantsPage(req: WebRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function roundLine(r: RoundRow): RoundLine {
  return {
    id: r.id,
    title: r.title,
    state: r.state,
    currency: r.currency,
    budget: String(r.budget),
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    ballotCount: r.ballot_count,
  };
}

function motionLine(r: MotionRow): MotionLine {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind,
    method: r.method,
    state: r.state,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    ballotCount: r.ballot_count,
    outcome: r.outcome,
    body: r.body,
  };
}

/**
 * The public pages, readable by someone who knows nothing of the fund: where the money goes,
 * projects, rounds and motions, the ledger in words, how to verify, the open data, what public
 * money depends on. No sign-in. Paths shared with the JSON API (`/projects`, `/open-data`) answer
 * HTML to browsers and fall through to the API otherwise.
 */
@WebController()
export class PublicPagesController {
  constructor(
    private readonly ledger: PublicLedgerService,
    private readonly checkpoints: CheckpointService,
    private readonly projects: ProjectsService,
    private readonly sboms: SbomAnalysesService,
    private readonly rounds: RoundsService,
    private readonly motions: MotionsService,
    private readonly openData: OpenDataService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @UseInterceptors(PublicCacheInterceptor)
  async home(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const totals = await this.ledger.totals();
    const flows = await this.ledger.flows('EUR');
    const latest = await this.checkpoints.latest();
    const catalogue = await this.projects.search({ limit: 100 });
    const money = await this.ledger.receivedByProject(catalogue.items.map((p) => p.id));
    const rounds = (await this.rounds.list()).filter((r) => r.state !== 'draft').slice(0, 10);
    renderPage(
      res,
      <HomePage
        ctx={pageContext(req, res)}
        totals={totals.find((x) => x.currency === 'EUR')}
        flows={flows}
        treeSize={latest?.treeSize ?? 0}
        verifierKey={this.checkpoints.verifierKey}
        projects={catalogue.items
          .filter((p) => p.status !== 'archived')
          .map((p) => ({ slug: p.slug, name: p.name, received: money.get(p.id)?.received ?? 0n }))}
        moreProjects={catalogue.next !== null}
        rounds={rounds.map(roundLine)}
      />,
    );
  }

  @Get('ledger')
  @UseInterceptors(PublicCacheInterceptor)
  async ledgerPage(@Query() q: Q, @Req() req: WebRequest, @Res() res: Response): Promise<void> {
    if ((q.from && !DAY.test(q.from)) || (q.to && !DAY.test(q.to)))
      throw new WebError(WebErrorCode.InvalidQuery, 'dates are YYYY-MM-DD', { field: 'from' });
    if (q.after && !/^[0-9]{1,19}$/.test(q.after))
      throw new WebError(WebErrorCode.InvalidQuery, 'after is an entry number', { field: 'after' });
    if (q.kind && !/^[a-z][a-z0-9_.:-]{0,63}$/.test(q.kind))
      throw new WebError(WebErrorCode.InvalidQuery, 'kind is not a known kind', { field: 'kind' });
    const page = await this.ledger.entries({
      kind: q.kind || undefined,
      project: q.project || undefined,
      contributor: q.contributor || undefined,
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
      after: q.after,
      limit: 50,
    });
    const latest = await this.checkpoints.latest();
    const { names, resolutions } = await this.inWords(page.items);
    renderPage(
      res,
      <LedgerPage
        ctx={pageContext(req, res)}
        query={q}
        page={page}
        nextHref={
          page.nextCursor ? withQuery('/ledger', { ...q, lang: undefined, after: page.nextCursor }) : null
        }
        treeSize={latest?.treeSize ?? 0}
        names={names}
        resolutions={resolutions}
      />,
    );
  }

  /** HTML for browsers; any other client falls through to the projects API on the same path. */
  @Get('projects')
  async projectsIndex(
    @Query() q: Q,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!wantsPage(req)) {
      req.webRoute = false;
      return next();
    }
    if (q.status && !PROJECT_STATUSES.includes(q.status as ProjectStatus))
      throw new WebError(WebErrorCode.InvalidQuery, 'status is not a project status', { field: 'status' });
    if ((q.q ?? '').length > 100 || (q.licence ?? '').length > 100 || (q.after ?? '').length > 200)
      throw new WebError(WebErrorCode.InvalidQuery, 'the search is too long', { field: 'q' });
    const found = await this.projects.search({
      q: q.q || undefined,
      status: (q.status || undefined) as ProjectStatus | undefined,
      licence: q.licence || undefined,
      after: q.after || undefined,
      limit: 50,
    });
    const money = await this.ledger.receivedByProject(found.items.map((p) => p.id));
    renderPage(
      res,
      <ProjectsIndexPage
        ctx={pageContext(req, res)}
        query={q}
        items={found.items}
        money={money}
        nextHref={found.next ? withQuery('/projects', { ...q, lang: undefined, after: found.next }) : null}
      />,
    );
  }

  /** HTML for browsers; any other client falls through to the projects API on the same path. */
  @Get('projects/:slug')
  async projectPage(
    @Param('slug') slug: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!wantsPage(req)) {
      req.webRoute = false;
      return next();
    }
    const p = await this.ledger.project(slug);
    const catalogue = await this.catalogueEntry(p.id);
    const payouts = await this.ledger.payouts(p.id, p.currency);
    const latest = await this.checkpoints.latest();
    const { names, resolutions } = await this.inWords(p.entries);
    renderPage(
      res,
      <ProjectPage
        ctx={pageContext(req, res)}
        p={p}
        catalogue={catalogue}
        payouts={payouts}
        names={names}
        resolutions={resolutions}
        treeSize={latest?.treeSize ?? 0}
      />,
    );
  }

  @Get('rounds')
  @UseInterceptors(PublicCacheInterceptor)
  async roundsIndex(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const rounds = (await this.rounds.list()).filter((r) => r.state !== 'draft');
    renderPage(res, <RoundsIndexPage ctx={pageContext(req, res)} rounds={rounds.map(roundLine)} />);
  }

  @Get('rounds/:id')
  @UseInterceptors(PublicCacheInterceptor)
  async roundPage(@Param('id') id: string, @Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const r = await this.ledger.round(id);
    const latest = await this.checkpoints.latest();
    const audit = r.audit as {
      result?: { Q?: Record<string, string>; cents?: Record<string, string> };
    } | null;
    const ids = [
      ...(Array.isArray(r.candidates)
        ? (r.candidates as unknown[]).filter((x): x is string => typeof x === 'string')
        : []),
      ...Object.keys(audit?.result?.Q ?? audit?.result?.cents ?? {}),
    ];
    const { names } = await this.inWords(r.entries, ids);
    renderPage(
      res,
      <RoundPage ctx={pageContext(req, res)} r={r} treeSize={latest?.treeSize ?? 0} names={names} />,
    );
  }

  @Get('motions')
  @UseInterceptors(PublicCacheInterceptor)
  async motionsIndex(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const motions = (await this.motions.list()).filter((m) => m.state !== 'draft');
    renderPage(res, <MotionsIndexPage ctx={pageContext(req, res)} motions={motions.map(motionLine)} />);
  }

  @Get('motions/:id')
  @UseInterceptors(PublicCacheInterceptor)
  async motionPage(@Param('id') id: string, @Req() req: WebRequest, @Res() res: Response): Promise<void> {
    if (!UUID.test(id)) throw new WebError(WebErrorCode.NotFound, `no motion ${id}`);
    const motion = await this.motions.get(id);
    if (motion.state === 'draft') throw new WebError(WebErrorCode.NotFound, `no motion ${id}`);
    renderPage(res, <MotionPage ctx={pageContext(req, res)} motion={motionLine(motion)} />);
  }

  @Get(['verifier', 'verify'])
  @UseInterceptors(PublicCacheInterceptor)
  async verifyPage(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const latest = await this.checkpoints.latest();
    renderPage(
      res,
      <VerifyPage
        ctx={pageContext(req, res)}
        baseUrl={this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}
        verifierKey={this.checkpoints.verifierKey}
        checkpoint={latest ? { treeSize: latest.treeSize, rootHash: latest.root.toString('base64') } : null}
      />,
    );
  }

  /** HTML for browsers (unless ?format=json); the data package (JSON) for any other client. */
  @Get('open-data')
  async openDataPage(
    @Query('format') format: string | undefined,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!wantsPage(req) || format === 'json') {
      req.webRoute = false;
      return next();
    }
    renderPage(
      res,
      <OpenDataPage ctx={pageContext(req, res)} lastUpdate={await this.openData.lastUpdate()} />,
    );
  }

  @Get(['dependances', 'dependencies'])
  @UseInterceptors(PublicCacheInterceptor)
  async dependenciesPage(
    @Query('unfunded') unfunded: string | undefined,
    @Req() req: WebRequest,
    @Res() res: Response,
  ) {
    const unfundedOnly = unfunded === 'true';
    const { items } = await this.sboms.publicDependencies({ limit: 200, unfundedOnly });
    renderPage(
      res,
      <DependenciesPage ctx={pageContext(req, res)} items={items} unfundedOnly={unfundedOnly} />,
    );
  }

  /** The project's catalogue entry, or null when only the ledger knows it. */
  private async catalogueEntry(id: string): Promise<CatalogueProject | null> {
    try {
      return await this.projects.page(id);
    } catch (e) {
      if (e instanceof ProjectsError && e.code === ProjectsErrorCode.NotFound) return null;
      throw e;
    }
  }

  /** Names behind the account codes of these entries (and of these project ids), and how their payouts ended. */
  private async inWords(
    entries: readonly PublicEntry[],
    projectIds: readonly string[] = [],
  ): Promise<{ names: PublicNames; resolutions: Awaited<ReturnType<PublicLedgerService['resolutions']>> }> {
    const codes = [
      ...entries.flatMap((e) => e.postings.map((p) => p.account)),
      ...projectIds.map((id) => `liability:project:${id}:directed:eur`),
    ];
    const names = await this.ledger.namesFor(codes);
    const resolutions = await this.ledger.resolutions(
      entries.filter((e) => e.flow === 'pending').map((e) => e.id),
    );
    return { names, resolutions };
  }
}

/** A local link with its query (empty values left out). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
