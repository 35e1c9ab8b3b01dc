import { Controller, Get, Headers, Next, Param, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NextFunction, Request, Response } from 'express';
import { Public } from '@app/identity';
import {
  CheckpointService,
  PublicEntry,
  PublicLedgerService,
  TransparencyError,
  TransparencyErrorCode,
} from '@app/transparency';
import { PublicCacheInterceptor } from '../transparency/public-cache.interceptor';
import { date, esc, href, layout, money, table } from './html';
import { Lang, Messages, MESSAGES, pickLang } from './i18n';
import { nodeLabel, sankeySvg } from './sankey';

type Q = Record<string, string | undefined>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Server-rendered public pages (no JavaScript), French and English. */
@ApiExcludeController()
@Public()
@Controller()
export class PublicPagesController {
  constructor(
    private readonly ledger: PublicLedgerService,
    private readonly checkpoints: CheckpointService,
  ) {}

  @Get()
  @UseInterceptors(PublicCacheInterceptor)
  async home(
    @Query() q: Q,
    @Headers('accept-language') al: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(res, q, al, '/', async (lang, t) => {
      const totals = await this.ledger.totals();
      const eur = totals.find((x) => x.currency === 'EUR');
      const flows = await this.ledger.flows('EUR');
      const latest = await this.checkpoints.latest();
      const rows = eur
        ? (
            [
              [t.received, eur.received],
              [t.processorFees, eur.processorFees],
              [t.operatingIncome, eur.operatingIncome],
              [t.directed, eur.directed],
              [t.pool, eur.pool],
              [t.allocated, eur.allocated],
              [t.payable, eur.payable],
              [t.paidOut, eur.paidOut],
            ] as [string, bigint][]
          ).map(([label, v]) => [esc(label), esc(money(v, 'EUR', lang))])
        : [];
      const flowRows = flows.links.map((l) => [
        esc(nodeLabel(l.source, t)),
        esc(nodeLabel(l.target, t)),
        esc(money(l.amount, 'EUR', lang)),
      ]);
      const body = `
<section aria-labelledby="totals-h"><h2 id="totals-h">${esc(t.totalsCaption)}</h2>
${table(t.totalsCaption, [{ label: t.item }, { label: t.figure, num: true }], rows, [1])}
<p>${esc(t.entriesCount)}${colon(lang)}${eur?.entries ?? 0}</p></section>
<section aria-labelledby="flows-h"><h2 id="flows-h">${esc(t.flowsTitle)}</h2>
${
  flows.links.length > 0
    ? `<figure>${sankeySvg(flows.links, 'EUR', lang, t)}<figcaption class="muted">${esc(t.flowsDesc)}</figcaption></figure>
${table(t.flowsCaption, [{ label: t.from }, { label: t.to }, { label: t.amount, num: true }], flowRows, [2])}`
    : `<p>${esc(t.noFlows)}</p>`
}
</section>
<section aria-labelledby="log-h"><h2 id="log-h">${esc(t.logTitle)}</h2>
<p>${esc(t.logText)}</p>
<p>${esc(t.checkpointSize)}${colon(lang)}${latest ? latest.treeSize : 0} — <a href="/log/checkpoint">checkpoint</a></p>
<p>${esc(t.verifierKey)}${colon(lang)}<code>${esc(this.checkpoints.verifierKey)}</code></p>
<p><code>npx librery verify ${esc('<url>')} --key ${esc(this.checkpoints.verifierKey)}</code></p>
</section>`;
      return { title: t.homeTitle, body };
    });
  }

  @Get('ledger')
  @UseInterceptors(PublicCacheInterceptor)
  async ledgerPage(
    @Query() q: Q,
    @Headers('accept-language') al: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(res, q, al, '/ledger', async (lang, t) => {
      if ((q.from && !DAY.test(q.from)) || (q.to && !DAY.test(q.to))) {
        throw new TransparencyError(TransparencyErrorCode.InvalidQuery, 'dates are YYYY-MM-DD', {
          field: 'from',
        });
      }
      if (q.after && !/^[0-9]{1,19}$/.test(q.after))
        throw new TransparencyError(TransparencyErrorCode.InvalidQuery, 'after', { field: 'after' });
      if (q.kind && !/^[a-z][a-z0-9_.:-]{0,63}$/.test(q.kind))
        throw new TransparencyError(TransparencyErrorCode.InvalidQuery, 'kind', { field: 'kind' });
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
      const field = (name: string, label: string, type = 'text') =>
        `<label for="f-${name}">${esc(label)}<input id="f-${name}" name="${name}" type="${type}" value="${esc(q[name] ?? '')}"${type === 'text' && name.startsWith('f') ? '' : ''}></label>`;
      const form = `<form class="filters" method="get" action="/ledger" role="search" aria-label="${esc(t.filters)}">
<input type="hidden" name="lang" value="${lang}">
${field('kind', t.kind)}${field('project', t.project)}${field('contributor', t.contributor)}${field('from', t.dateFrom)}${field('to', t.dateTo)}
<button type="submit">${esc(t.apply)}</button></form>`;
      const next = page.nextCursor
        ? `<p><a rel="next" href="${esc(href('/ledger', lang, { ...q, lang: undefined, after: page.nextCursor }))}">${esc(t.next)}</a></p>`
        : '';
      return {
        title: t.ledgerTitle,
        body: `${form}\n${page.items.length ? entriesTable(page.items, t.ledgerCaption, lang, t, latest?.treeSize ?? 0) : `<p>${esc(t.noEntries)}</p>`}\n${next}`,
      };
    });
  }

  /** HTML for browsers; any other client falls through to the projects API on the same path. */
  @Get('projects/:slug')
  async projectPage(
    @Param('slug') slug: string,
    @Query() q: Q,
    @Headers('accept-language') al: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!(req.headers.accept ?? '').includes('text/html')) return next();
    await this.render(res, q, al, `/projects/${encodeURIComponent(slug)}`, async (lang, t) => {
      const p = await this.ledger.project(slug);
      const latest = await this.checkpoints.latest();
      const figures = (
        [
          [t.receivedDirected, p.receivedDirected],
          [t.receivedAllocated, p.receivedAllocated],
          [t.balance, p.balanceDirected + p.balanceAllocated],
          [t.movedToPayable, p.movedToPayable],
          [t.paidOut, p.paidOut],
        ] as [string, bigint][]
      ).map(([label, v]) => [esc(label), esc(money(v, p.currency, lang))]);
      const who = p.fromWhom.map((w) => [
        w.contributor
          ? `<a href="${esc(href('/ledger', lang, { contributor: w.contributor.id }))}">${esc(w.contributor.name)}</a>`
          : esc(w.contributor === null && w.amount >= 0n ? t.committeePool : t.unknownContributor),
        esc(w.contributor ? (w.contributor.kind === 'public_body' ? t.publicBodies : t.donors) : ''),
        esc(money(w.amount, p.currency, lang)),
      ]);
      return {
        title: `${t.projectTitle} ${p.name}`,
        body: `${table(t.projectFigures, [{ label: t.item }, { label: t.figure, num: true }], figures, [1])}
${table(t.fromWhomCaption, [{ label: t.contributor }, { label: t.kind }, { label: t.amount, num: true }], who, [2])}
${p.entries.length ? entriesTable(p.entries, t.ledgerCaption, lang, t, latest?.treeSize ?? 0) : ''}`,
      };
    });
  }

  @Get('rounds/:id')
  @UseInterceptors(PublicCacheInterceptor)
  async roundPage(
    @Param('id') id: string,
    @Query() q: Q,
    @Headers('accept-language') al: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(res, q, al, `/rounds/${encodeURIComponent(id)}`, async (lang, t) => {
      const r = await this.ledger.round(id);
      const facts = [
        [esc(t.state), esc(r.state)],
        [esc(t.budget), esc(money(r.budget, r.currency, lang))],
        [esc(t.ballots), String(r.ballotCount)],
        [esc(t.window), `${esc(date(r.opensAt, lang))} – ${esc(date(r.closesAt, lang))}`],
      ];
      let results = `<p>${esc(t.notTallied)}</p>`;
      const audit = r.audit as {
        result?: {
          Q?: Record<string, string>;
          cents?: Record<string, string>;
          perCollege?: Record<
            string,
            { n: number; participating: boolean; q: Record<string, string> | null }
          >;
        };
      } | null;
      if (audit?.result) {
        const projects = Object.keys(audit.result.Q ?? audit.result.cents ?? {});
        const pct = (frac: string | undefined): string => {
          if (!frac) return '0 %';
          const [n, d] = frac.split('/').map((x) => BigInt(x));
          const bp = d === 0n ? 0n : (n * 20000n + d) / (2n * d); // basis points, rounded half up
          return `${bp / 100n},${(bp % 100n).toString().padStart(2, '0')} %`.replace(
            ',',
            lang === 'fr' ? ',' : '.',
          );
        };
        const colleges = Object.entries(audit.result.perCollege ?? {}).map(([college, c]) => [
          esc(college),
          String(c.n),
          esc(c.participating ? t.yes : t.no),
          ...projects.map((pid) => esc(pct(c.q?.[pid]))),
        ]);
        const alloc = projects.map((pid) => [
          `<a href="${esc(href(`/projects/${encodeURIComponent(pid)}`, lang))}">${esc(pid)}</a>`,
          esc(pct(audit.result?.Q?.[pid])),
          esc(money(audit.result?.cents?.[pid] ?? '0', r.currency, lang)),
        ]);
        results = `${table(t.perCollegeCaption, [{ label: t.college }, { label: t.ballots, num: true }, { label: t.participating }, ...projects.map((p) => ({ label: p, num: true }))], colleges, [1, ...projects.map((_, i) => 3 + i)])}
${table(t.allocationCaption, [{ label: t.project }, { label: t.weightedShare, num: true }, { label: t.amount, num: true }], alloc, [1, 2])}`;
      }
      const latest = await this.checkpoints.latest();
      return {
        title: `${t.roundTitle} — ${r.title}`,
        body: `${table(t.roundTitle, [{ label: t.item }, { label: t.figure }], facts)}\n${results}\n${r.entries.length ? entriesTable(r.entries, t.ledgerCaption, lang, t, latest?.treeSize ?? 0) : ''}`,
      };
    });
  }

  private async render(
    res: Response,
    q: Q,
    acceptLanguage: string | undefined,
    path: string,
    build: (lang: Lang, t: Messages) => Promise<{ title: string; body: string }>,
  ): Promise<void> {
    const lang = pickLang(q.lang, acceptLanguage);
    const t = MESSAGES[lang];
    res.setHeader('Content-Language', lang);
    try {
      const page = await build(lang, t);
      res
        .status(200)
        .type('html')
        .send(layout(lang, t, page.title, page.body, path));
    } catch (e) {
      if (
        e instanceof TransparencyError &&
        (e.code === TransparencyErrorCode.NotFound || e.code === TransparencyErrorCode.InvalidQuery)
      ) {
        const notFound = e.code === TransparencyErrorCode.NotFound;
        const title = notFound ? t.notFound : t.badRequest;
        res
          .status(notFound ? 404 : 400)
          .type('html')
          .send(layout(lang, t, title, `<p>${esc(e.message)}</p>`, path));
        return;
      }
      throw e;
    }
  }
}

/** French typography puts a (narrow) space before a colon. */
const colon = (lang: Lang): string => (lang === 'fr' ? '\u202f: ' : ': ');

function entriesTable(
  entries: readonly PublicEntry[],
  caption: string,
  lang: Lang,
  t: Messages,
  signedSize: number,
): string {
  const rows = entries.map((e) => {
    const debits = e.postings.filter((p) => p.direction === 'debit');
    const total = debits.reduce((s, p) => s + p.amount, 0n);
    const postings = `<ul>${e.postings
      .map(
        (p) =>
          `<li>${esc(p.direction === 'debit' ? t.debit : t.credit)} <code>${esc(p.account)}</code> ${esc(money(p.amount, p.currency, lang))}</li>`,
      )
      .join('')}</ul>`;
    const proof =
      e.logIndex !== null && e.logIndex < signedSize
        ? `<a href="/log/proof/inclusion?index=${e.logIndex}&amp;size=${signedSize}">${esc(t.proofLink)} #${e.logIndex}</a>`
        : esc(e.logIndex !== null ? `#${e.logIndex}` : t.notInLog);
    return [
      `<time datetime="${e.occurredAt.toISOString()}">${esc(date(e.occurredAt, lang))}</time>`,
      `${esc(e.id)}`,
      esc(e.kind),
      e.contributor ? esc(e.contributor.name) : '',
      postings,
      esc(money(total, debits[0]?.currency ?? 'EUR', lang)),
      proof,
    ];
  });
  return table(
    caption,
    [
      { label: t.date },
      { label: t.entry },
      { label: t.kind },
      { label: t.contributor },
      { label: t.postings },
      { label: t.amount, num: true },
      { label: t.proof },
    ],
    rows,
    [5],
  );
}
