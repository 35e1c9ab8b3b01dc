import { Get, Next, Param, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { NextFunction, Response } from 'express';
import { CheckpointService, PublicLedgerService } from '@app/transparency';
import { PublicCacheInterceptor } from '../../transparency/public-cache.interceptor';
import { pageContext, WebRequest } from '../page-context';
import { renderPage } from '../render';
import { WebController } from '../web.decorators';
import { WebError, WebErrorCode } from '../web.errors';
import { HomePage } from './home.page';
import { LedgerPage } from './ledger.page';
import { ProjectPage } from './project.page';
import { RoundPage } from './round.page';

type Q = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The public pages: where the money goes, the ledger, a project, a funding round. No sign-in. */
@WebController()
export class PublicPagesController {
  constructor(
    private readonly ledger: PublicLedgerService,
    private readonly checkpoints: CheckpointService,
  ) {}

  @Get()
  @UseInterceptors(PublicCacheInterceptor)
  async home(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const totals = await this.ledger.totals();
    const flows = await this.ledger.flows('EUR');
    const latest = await this.checkpoints.latest();
    renderPage(
      res,
      <HomePage
        ctx={pageContext(req, res)}
        totals={totals.find((x) => x.currency === 'EUR')}
        flows={flows}
        treeSize={latest?.treeSize ?? 0}
        verifierKey={this.checkpoints.verifierKey}
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
    if (!(req.headers.accept ?? '').includes('text/html')) {
      req.webRoute = false;
      return next();
    }
    const p = await this.ledger.project(slug);
    const latest = await this.checkpoints.latest();
    renderPage(res, <ProjectPage ctx={pageContext(req, res)} p={p} treeSize={latest?.treeSize ?? 0} />);
  }

  @Get('rounds/:id')
  @UseInterceptors(PublicCacheInterceptor)
  async roundPage(@Param('id') id: string, @Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const r = await this.ledger.round(id);
    const latest = await this.checkpoints.latest();
    renderPage(res, <RoundPage ctx={pageContext(req, res)} r={r} treeSize={latest?.treeSize ?? 0} />);
  }
}

/** A local link with its query (empty values left out). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
