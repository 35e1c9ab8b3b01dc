import { randomBytes } from 'node:crypto';
import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { parse as parseCookies, serialize } from 'cookie';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import { ContributionsError, Statement, StatementsService } from '@app/contributions';
import {
  GivingChoice,
  GivingFormValues,
  GivingIdentity,
  GivingService,
  one,
  PaymentsError,
  PaymentsErrorCode,
  readAmountStep,
  readChoice,
  readIdentity,
  readSelection,
} from '@app/payments';
import { FieldError, IDEMPOTENCY_FIELD } from '../web/components';
import { PageContext, WebRequest, webPrincipal } from '../web/page-context';
import { renderPage } from '../web/render';
import { WebController } from '../web/web.decorators';
import { WebError, WebErrorCode } from '../web/web.errors';
import { WebSessions } from '../web/web-sessions.service';
import { GIVE } from './giving.messages';
import {
  AmountPage,
  carried,
  carriedQuery,
  fieldErrors,
  GIVING_PATHS,
  GivingPaths,
  MyGiftsPage,
  ProjectsPage,
  StatementPage,
  SummaryPage,
  ThanksPage,
} from './giving.pages';

/** The cookie holding the last checkout's form key: it opens the statement key on return (HttpOnly, a day). */
const GIVING_COOKIE = 'librery_giving';

/**
 * The donate pages, `/donner/…` and `/give/…` (the same handlers; the language is the page's).
 * Steps 1–3 are GET forms (nothing written, the values in the address); paying is one POST
 * (CSRF, an idempotency key) that opens Stripe Checkout and redirects there.
 */
@WebController()
export class GivingController {
  constructor(
    private readonly giving: GivingService,
    private readonly statements: StatementsService,
    private readonly sessions: WebSessions,
    private readonly config: AppConfig,
  ) {}

  @Get(['donner', 'give'])
  async start(@Req() req: WebRequest, @Res() res: Response, @Query() q: GivingFormValues): Promise<void> {
    const ctx = await this.sessions.context(req, res);
    renderPage(
      res,
      <AmountPage
        ctx={ctx}
        paths={pathsOf(req)}
        values={{ amount: one(q, 'amount'), frequency: one(q, 'frequency') }}
        errors={[]}
      />,
    );
  }

  @Get(['donner/projets', 'give/projects'])
  async projects(@Req() req: WebRequest, @Res() res: Response, @Query() q: GivingFormValues): Promise<void> {
    const ctx = await this.sessions.context(req, res);
    const paths = pathsOf(req);
    const step1 = readAmountStep(q, ctx.lang);
    if (step1.errors.length > 0) return this.amountAgain(res, ctx, paths, q, fieldErrors(ctx, step1.errors));
    if (one(q, 'action') === 'next') {
      const { choice, errors } = readChoice(q, ctx.lang);
      if (choice) {
        const known = await this.giving.projectsBySlugs(choice.projects.map((p) => p.slug));
        if (known.length === choice.projects.length) {
          res.redirect(303, `${paths.summary}?${carriedQuery(carried(choice, ctx.lang), 'all')}`);
          return;
        }
        return this.projectsAgain(
          res,
          ctx,
          paths,
          q,
          fieldErrors(ctx, [{ field: 'spread', code: 'projects.unknown' }]),
        );
      }
      return this.projectsAgain(res, ctx, paths, q, fieldErrors(ctx, errors));
    }
    return this.projectsAgain(res, ctx, paths, q, [], 200);
  }

  @Get(['donner/recapitulatif', 'give/summary'])
  async summary(@Req() req: WebRequest, @Res() res: Response, @Query() q: GivingFormValues): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const paths = pathsOf(req);
    const choice = await this.validChoice(res, ctx, paths, q);
    if (!choice) return;
    await this.summaryPage(res, ctx, paths, choice, { publicName: null, email: null }, [], newFormKey());
  }

  @Post(['donner/paiement', 'give/checkout'])
  async checkout(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: GivingFormValues,
  ): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const paths = pathsOf(req);
    const choice = await this.validChoice(res, ctx, paths, body);
    if (!choice) return;
    const formKey = one(body, IDEMPOTENCY_FIELD);
    const { identity, errors } = readIdentity(body);
    const typed = {
      named: one(body, 'named'),
      publicName: one(body, 'publicName'),
      email: one(body, 'email'),
    };
    if (!identity)
      return this.summaryPage(res, ctx, paths, choice, typed, fieldErrors(ctx, errors), formKey, 400);
    let url: string;
    try {
      ({ url } = await this.giving.startCheckout(webPrincipal(req) ?? undefined, {
        formKey,
        language: ctx.lang,
        choice,
        identity,
        paths: { thanks: paths.thanks, cancelled: paths.cancelled },
      }));
    } catch (e) {
      const m = GIVE[ctx.lang];
      if (e instanceof PaymentsError && e.code === PaymentsErrorCode.FormReused)
        return this.summaryPage(
          res,
          ctx,
          paths,
          choice,
          typed,
          [{ field: 'named', message: m.errors.formReused }],
          newFormKey(),
          409,
        );
      if (
        e instanceof PaymentsError &&
        (e.code === PaymentsErrorCode.ProcessorError || e.code === PaymentsErrorCode.NotConfigured)
      )
        return this.summaryPage(
          res,
          ctx,
          paths,
          choice,
          typed,
          [{ field: 'named', message: m.errors.processor }],
          formKey,
          502,
        );
      throw e;
    }
    res.append(
      'Set-Cookie',
      serialize(GIVING_COOKIE, formKey, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.sessions.secure,
        maxAge: 86400,
      }),
    );
    res.redirect(303, url);
  }

  @Get(['donner/merci', 'give/thanks'])
  async thanks(@Req() req: WebRequest, @Res() res: Response, @Query() q: GivingFormValues): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const paths = pathsOf(req);
    const session = one(q, 'session');
    const confirmation = await this.giving.confirmation(session, formKeyOf(req));
    if (!confirmation) throw new WebError(WebErrorCode.NotFound, 'no gift for this checkout');
    res.setHeader('Cache-Control', 'no-store');
    renderPage(
      res,
      <ThanksPage
        ctx={ctx}
        paths={paths}
        refreshHref={`${paths.thanks}?${new URLSearchParams({ session }).toString()}`}
        gift={{
          amount: confirmation.amount,
          currency: confirmation.currency,
          mode: confirmation.mode,
          donor: confirmation.publicName ?? confirmation.pseudonym,
          booked: confirmation.booked,
        }}
        statementKey={confirmation.statementKey}
        mailedTo={confirmation.statementKey.state === 'shown' ? confirmation.mailedTo : null}
        year={(confirmation.booked?.occurredAt ?? new Date()).getUTCFullYear()}
        ledgerHref={
          confirmation.booked
            ? `/ledger?${new URLSearchParams({ contributor: confirmation.pseudonym, lang: ctx.lang }).toString()}`
            : null
        }
      />,
    );
  }

  @Get(['donner/annulation/:id', 'give/cancelled/:id'])
  async cancelled(@Req() req: WebRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const kept = await this.giving.keptForm(id, formKeyOf(req));
    if (!kept) throw new WebError(WebErrorCode.NotFound, 'no checkout to come back to');
    await this.summaryPage(res, ctx, pathsOf(req), kept.choice, kept.identity, [], newFormKey(), 200, true);
  }

  @Get(['donner/releve', 'give/statement'])
  async statementForm(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    renderPage(
      res,
      <StatementPage
        ctx={ctx}
        paths={pathsOf(req)}
        values={{ year: String(new Date().getUTCFullYear()) }}
        errors={[]}
        statement={null}
      />,
    );
  }

  @Post(['donner/releve', 'give/statement'])
  async statement(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: GivingFormValues,
  ): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const m = GIVE[ctx.lang];
    const yearText = one(body, 'year').trim();
    const errors: FieldError[] = [];
    if (!/^[0-9]{4}$/.test(yearText)) errors.push({ field: 'year', message: m.errors.yearInvalid });
    let statement: Statement | null = null;
    if (errors.length === 0) {
      try {
        statement = await this.statements.forStatementKey(one(body, 'key').trim(), Number(yearText));
      } catch (e) {
        if (!(e instanceof ContributionsError)) throw e;
        errors.push({ field: e.details.field === 'year' ? 'year' : 'key', message: m.errors.statementKey });
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    renderPage(
      res,
      <StatementPage
        ctx={ctx}
        paths={pathsOf(req)}
        values={{ year: yearText }}
        errors={errors}
        statement={statement}
      />,
      errors.length > 0 ? 400 : 200,
    );
  }

  @Get(['donner/mes-dons', 'give/my-gifts'])
  async mine(@Req() req: WebRequest, @Res() res: Response, @Query() q: GivingFormValues): Promise<void> {
    const ctx = await this.sessions.context(req, res);
    const caller = webPrincipal(req);
    const thisYear = new Date().getUTCFullYear();
    const asked = /^[0-9]{4}$/.test(one(q, 'year')) ? Number(one(q, 'year')) : thisYear;
    const gifts = caller ? await this.giving.donorGifts(caller) : null;
    let statement: Statement | null = null;
    if (caller) {
      try {
        statement = await this.statements.forDonor(caller, asked);
      } catch (e) {
        if (!(e instanceof ContributionsError)) throw e;
      }
    }
    const years = [...new Set([thisYear, ...(gifts ?? []).map((g) => g.createdAt.getUTCFullYear())])].sort(
      (a, b) => b - a,
    );
    res.setHeader('Cache-Control', 'no-store');
    renderPage(
      res,
      <MyGiftsPage ctx={ctx} paths={pathsOf(req)} gifts={gifts} statement={statement} years={years} />,
    );
  }

  // ---------------------------------------------------------------- helpers

  /** Steps 1 and 2 read again from a later step's values; on error, the step at fault is shown again. */
  private async validChoice(
    res: Response,
    ctx: PageContext,
    paths: GivingPaths,
    values: GivingFormValues,
  ): Promise<GivingChoice | null> {
    const step1 = readAmountStep(values, ctx.lang);
    if (step1.errors.length > 0) {
      await this.amountAgain(res, ctx, paths, values, fieldErrors(ctx, step1.errors));
      return null;
    }
    const { choice, errors } = readChoice(values, ctx.lang);
    if (!choice) {
      await this.projectsAgain(res, ctx, paths, values, fieldErrors(ctx, errors));
      return null;
    }
    const known = await this.giving.projectsBySlugs(choice.projects.map((p) => p.slug));
    if (known.length !== choice.projects.length) {
      await this.projectsAgain(
        res,
        ctx,
        paths,
        values,
        fieldErrors(ctx, [{ field: 'spread', code: 'projects.unknown' }]),
      );
      return null;
    }
    return choice;
  }

  private async amountAgain(
    res: Response,
    ctx: PageContext,
    paths: GivingPaths,
    values: GivingFormValues,
    errors: FieldError[],
  ): Promise<void> {
    renderPage(
      res,
      <AmountPage
        ctx={ctx}
        paths={paths}
        values={{ amount: one(values, 'amount'), frequency: one(values, 'frequency') }}
        errors={errors}
      />,
      400,
    );
  }

  private async projectsAgain(
    res: Response,
    ctx: PageContext,
    paths: GivingPaths,
    values: GivingFormValues,
    errors: FieldError[],
    status = 400,
  ): Promise<void> {
    const selection = readSelection(values).projects;
    const chosen = await this.giving.projectsBySlugs(selection.map((p) => p.slug));
    const query = one(values, 'q').trim().slice(0, 100);
    const results = query ? await this.giving.searchProjects(query) : null;
    renderPage(
      res,
      <ProjectsPage
        ctx={ctx}
        paths={paths}
        amount={one(values, 'amount')}
        frequency={one(values, 'frequency') || 'one_time'}
        spread={one(values, 'spread') || 'projects'}
        query={query}
        results={results}
        chosen={chosen}
        weights={new Map(selection.map((p) => [p.slug, p.weightText]))}
        errors={errors}
      />,
      status,
    );
  }

  private async summaryPage(
    res: Response,
    ctx: PageContext,
    paths: GivingPaths,
    choice: GivingChoice,
    identity: GivingIdentity | { named: string; publicName: string; email: string },
    errors: FieldError[],
    formKey: string,
    status = 200,
    cancelled = false,
  ): Promise<void> {
    const preview = await this.giving.preview(choice);
    const shown =
      'named' in identity
        ? identity
        : {
            named: identity.publicName ? 'yes' : 'no',
            publicName: identity.publicName ?? '',
            email: identity.email ?? '',
          };
    renderPage(
      res,
      <SummaryPage
        ctx={ctx}
        paths={paths}
        preview={preview}
        identity={shown}
        errors={errors}
        idempotencyKey={formKey}
        cancelled={cancelled}
      />,
      status,
    );
  }
}

function pathsOf(req: WebRequest): GivingPaths {
  return req.path.startsWith('/give') ? GIVING_PATHS.en : GIVING_PATHS.fr;
}

function formKeyOf(req: WebRequest): string | undefined {
  return parseCookies(req.headers.cookie ?? '')[GIVING_COOKIE];
}

/** A new form key: a double submit of one rendered form opens one checkout. */
function newFormKey(): string {
  return randomBytes(24).toString('base64url');
}
