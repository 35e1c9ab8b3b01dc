import { randomUUID } from 'node:crypto';
import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import {
  BallotBoxService,
  GovernanceError,
  GovernanceErrorCode,
  MembersService,
  MotionRow,
  MotionsService,
  RoundRow,
  RoundsService,
} from '@app/governance';
import { IdentityError, IdentityErrorCode, Principal } from '@app/identity';
import { ProjectsService } from '@app/projects';
import { FieldError, Money } from '../web/components';
import { FormOnce } from '../web/form-once.service';
import { PageContext, pageContext, WebRequest, webPrincipal } from '../web/page-context';
import { renderPage } from '../web/render';
import { WebController } from '../web/web.decorators';
import { WebSessions } from '../web/web-sessions.service';
import { COMMITTEE, RECEIPTS } from './committee.messages';
import {
  CommitteePage,
  GradeFields,
  OwnBallot,
  PointsFields,
  RankFields,
  ReceiptCheckPage,
  ReceiptPage,
  ResultsSection,
  VotePage,
  votePath,
  YesNoFields,
} from './committee.pages';

type Body_ = Record<string, string>;
const RECEIPT = /^[0-9a-f]{64}$/;
const INTEGER = /^\s*\d{1,6}\s*$/;
/** Service errors about what was typed: shown beside the fields, nothing written. */
const INPUT_ERRORS = new Set<string>([
  GovernanceErrorCode.BallotTotal,
  GovernanceErrorCode.NegativePoints,
  GovernanceErrorCode.UnknownCandidate,
  GovernanceErrorCode.InvalidInput,
  GovernanceErrorCode.InvalidProxy,
]);

/**
 * A committee member's pages: the seat and proxies, each open motion and round with its ballot
 * form, the receipt, the results after the close; and the public receipt check (`/recus`). Every
 * action goes through the governance services with the signed-in principal, as the API does.
 */
@WebController()
export class CommitteeController {
  constructor(
    private readonly sessions: WebSessions,
    private readonly members: MembersService,
    private readonly box: BallotBoxService,
    private readonly motions: MotionsService,
    private readonly rounds: RoundsService,
    private readonly projects: ProjectsService,
    private readonly formOnce: FormOnce,
    private readonly config: AppConfig,
  ) {}

  /** The signed-in member and its seat; 401 signed out, 403 without a seat now. */
  private async member(req: WebRequest) {
    const principal = webPrincipal(req);
    if (!principal?.userId)
      throw new IdentityError(IdentityErrorCode.Unauthenticated, 'sign in to see your committee');
    const seat = await this.members.membership(principal.userId);
    if (!seat)
      throw new GovernanceError(
        GovernanceErrorCode.NotAllowed,
        'only a sitting member of a college has these pages',
      );
    return { principal: principal as Principal & { userId: string }, seat };
  }

  @Get(['comite', 'committee'])
  async home(@Req() req: WebRequest, @Res() res: Response, @Query('ok') ok?: string) {
    const { principal, seat } = await this.member(req);
    const ctx = await this.sessions.context(req, res, { form: true });
    const [motions, rounds, proxies, colleges] = await Promise.all([
      this.motions.list(),
      this.rounds.list(),
      this.box.proxiesOf(principal.userId),
      this.members.colleges(),
    ]);
    const votes = await Promise.all(
      [
        ...motions.map((v) => ({ type: 'motion' as const, v })),
        ...rounds.map((v) => ({ type: 'round' as const, v })),
      ]
        .filter(({ v }) => v.state !== 'draft')
        .map(async ({ type, v }) => ({
          type,
          id: v.id,
          title: v.title,
          state: v.state,
          opensAt: v.opens_at,
          closesAt: v.closes_at,
          voted: (await this.box.castBy(v.id, principal.userId)).length > 0,
        })),
    );
    votes.sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime());
    const m = COMMITTEE[ctx.lang];
    renderPage(
      res,
      <CommitteePage
        ctx={ctx}
        seat={seat}
        weightBp={colleges.colleges.find((c) => c.id === seat.collegeId)?.weightBp ?? null}
        proxies={proxies}
        votes={votes}
        notice={ok === 'procuration-revoquee' ? m.proxyRevoked : undefined}
      />,
    );
  }

  @Post(['comite/procurations/:id/revoquer', 'committee/proxies/:id/revoke'])
  async revokeProxy(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Body_,
  ) {
    const { principal } = await this.member(req);
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw new GovernanceError(GovernanceErrorCode.NotFound, `no proxy ${id}`);
    await this.box.revokeProxy(principal, id);
    void body;
    res.redirect(303, '/comite?ok=procuration-revoquee');
  }

  // ---- motions ----

  @Get(['comite/motions/:id', 'committee/motions/:id'])
  async motion(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Query('ok') ok?: string,
  ) {
    const who = await this.member(req);
    const motion = await this.motions.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    renderPage(res, await this.motionPage(ctx, who, motion, [], {}, ok));
  }

  @Post(['comite/motions/:id/vote', 'committee/motions/:id/vote'])
  async voteMotion(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Body_,
  ) {
    const who = await this.member(req);
    const motion = await this.motions.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    const m = COMMITTEE[ctx.lang];
    const errors: FieldError[] = [];
    const candidates = motion.options?.candidates ?? [];
    let choice: unknown;
    if (motion.method === 'yes-no') {
      if (!['for', 'against', 'abstain'].includes(body.choice))
        errors.push({ field: 'choice', message: m.errChoice });
      choice = body.choice;
    } else if (motion.method === 'majority-judgment') {
      const { min, max } = motion.options!.grades!;
      const grades: Record<string, number> = {};
      candidates.forEach((c, i) => {
        const raw = body[`g_${i}`] ?? '';
        const g = INTEGER.test(raw) ? Number(raw) : NaN;
        if (!(g >= min && g <= max)) errors.push({ field: `g_${i}`, message: m.errGrade(min, max) });
        grades[c] = g;
      });
      choice = grades;
    } else {
      const ranks = candidates.map((c, i) => {
        const raw = body[`r_${i}`] ?? '';
        const r = INTEGER.test(raw) ? Number(raw) : NaN;
        if (!(r >= 1)) errors.push({ field: `r_${i}`, message: m.errRank });
        return { c, r };
      });
      const tiers = [...new Set(ranks.map((x) => x.r))].sort((a, b) => a - b);
      choice = tiers.map((t) => ranks.filter((x) => x.r === t).map((x) => x.c));
    }
    const onBehalfOf = this.onBehalfOf(body, who.principal.userId);
    if (errors.length) return renderPage(res, await this.motionPage(ctx, who, motion, errors, body), 400);
    const path = votePath('motion', id);
    try {
      const location = await this.formOnce.run(who.principal.userId, `${path}/vote`, body, async () => {
        const receipt = await this.motions.vote(who.principal, id, { choice, onBehalfOf });
        return `/comite/recus/${receipt.receipt}`;
      });
      res.redirect(303, location);
    } catch (error) {
      const fieldErrors = this.inputErrors(error, ctx, motion.method === 'yes-no' ? 'choice' : 'g_0');
      if (!fieldErrors) throw error;
      renderPage(res, await this.motionPage(ctx, who, motion, fieldErrors, body), 400);
    }
  }

  @Post(['comite/motions/:id/procuration', 'committee/motions/:id/proxy'])
  async proxyMotion(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Body_,
  ) {
    const who = await this.member(req);
    const motion = await this.motions.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    const done = await this.giveProxy(ctx, who, 'motion', id, body);
    if (done.errors) return renderPage(res, await this.motionPage(ctx, who, motion, done.errors, body), 400);
    res.redirect(303, done.location);
  }

  private async motionPage(
    ctx: PageContext,
    who: { principal: Principal & { userId: string }; seat: { collegeId: string } },
    motion: MotionRow,
    errors: FieldError[],
    values: Body_,
    ok?: string,
  ) {
    const m = COMMITTEE[ctx.lang];
    const candidates = motion.options?.candidates ?? [];
    const ballotFields =
      motion.method === 'yes-no' ? (
        <YesNoFields
          ctx={ctx}
          value={values.choice}
          error={errors.find((e) => e.field === 'choice')?.message}
        />
      ) : motion.method === 'majority-judgment' ? (
        <GradeFields
          ctx={ctx}
          candidates={candidates}
          grades={motion.options!.grades!}
          values={values}
          errors={errors}
        />
      ) : (
        <RankFields ctx={ctx} candidates={candidates} values={values} errors={errors} />
      );
    const audit = motion.audit as { result?: { perCollege?: unknown } } | null;
    const results =
      motion.state === 'tallied' ? (
        <ResultsSection
          ctx={ctx}
          resultsUrl={this.resultsUrl('motions', motion.id)}
          outcome={motion.outcome}
          motionColleges={
            motion.method === 'yes-no'
              ? (audit?.result?.perCollege as Parameters<typeof ResultsSection>[0]['motionColleges'])
              : undefined
          }
          audit={motion.audit}
        />
      ) : undefined;
    return (
      <VotePage
        {...await this.common(ctx, who, 'motion', motion, errors, values, ok)}
        body={motion.body}
        facts={[
          { term: m.kind, value: m.kinds[motion.kind] ?? motion.kind },
          { term: m.method, value: m.methods[motion.method] ?? motion.method },
        ]}
        ballotFields={ballotFields}
        results={results}
      />
    );
  }

  // ---- rounds ----

  @Get(['comite/tours/:id', 'committee/rounds/:id'])
  async round(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Query('ok') ok?: string,
  ) {
    const who = await this.member(req);
    const round = await this.rounds.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    renderPage(res, await this.roundPage(ctx, who, round, [], {}, ok));
  }

  @Post(['comite/tours/:id/vote', 'committee/rounds/:id/vote'])
  async voteRound(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Body_,
  ) {
    const who = await this.member(req);
    const round = await this.rounds.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    const m = COMMITTEE[ctx.lang];
    const errors: FieldError[] = [];
    const points: Record<string, number> = {};
    round.candidates.forEach((c, i) => {
      const raw = (body[`p_${i}`] ?? '').trim() || '0';
      if (!INTEGER.test(raw)) errors.push({ field: `p_${i}`, message: m.errPoints });
      else points[c] = Number(raw);
    });
    const onBehalfOf = this.onBehalfOf(body, who.principal.userId);
    if (errors.length) return renderPage(res, await this.roundPage(ctx, who, round, errors, body), 400);
    try {
      const location = await this.formOnce.run(
        who.principal.userId,
        `${votePath('round', id)}/vote`,
        body,
        async () => {
          // the service checks the total (100, or 0 for a blank ballot)
          const receipt = await this.rounds.vote(who.principal, id, { points, onBehalfOf });
          return `/comite/recus/${receipt.receipt}`;
        },
      );
      res.redirect(303, location);
    } catch (error) {
      let fieldErrors = this.inputErrors(error, ctx, 'points');
      if (fieldErrors && (error as GovernanceError).code === GovernanceErrorCode.BallotTotal) {
        const total = Object.values(points).reduce((a, b) => a + b, 0);
        fieldErrors = [{ field: 'points', message: m.errTotal(total) }];
      }
      if (!fieldErrors) throw error;
      renderPage(res, await this.roundPage(ctx, who, round, fieldErrors, body), 400);
    }
  }

  @Post(['comite/tours/:id/procuration', 'committee/rounds/:id/proxy'])
  async proxyRound(
    @Param('id') id: string,
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Body_,
  ) {
    const who = await this.member(req);
    const round = await this.rounds.get(id);
    const ctx = await this.sessions.context(req, res, { form: true });
    const done = await this.giveProxy(ctx, who, 'round', id, body);
    if (done.errors) return renderPage(res, await this.roundPage(ctx, who, round, done.errors, body), 400);
    res.redirect(303, done.location);
  }

  private async roundPage(
    ctx: PageContext,
    who: { principal: Principal & { userId: string }; seat: { collegeId: string } },
    round: RoundRow,
    errors: FieldError[],
    values: Body_,
    ok?: string,
  ) {
    const m = COMMITTEE[ctx.lang];
    const projects = await Promise.all(
      round.candidates.map(async (id) => {
        try {
          return { id, name: (await this.projects.view(id)).name };
        } catch {
          return { id, name: id };
        }
      }),
    );
    const result = round.audit?.result;
    return (
      <VotePage
        {...await this.common(ctx, who, 'round', round, errors, values, ok)}
        facts={[
          {
            term: m.budget,
            value: <Money cents={String(round.budget)} currency={round.currency} lang={ctx.lang} />,
          },
        ]}
        ballotFields={<PointsFields ctx={ctx} projects={projects} values={values} errors={errors} />}
        results={
          round.state === 'tallied' && result ? (
            <ResultsSection
              ctx={ctx}
              resultsUrl={this.resultsUrl('rounds', round.id)}
              round={{
                currency: round.currency,
                projects,
                cents: result.cents,
                Q: result.Q,
                leftover: result.leftover,
                perCollege: result.perCollege,
              }}
              audit={round.audit}
            />
          ) : undefined
        }
      />
    );
  }

  // ---- shared ----

  private async common(
    ctx: PageContext,
    who: { principal: Principal & { userId: string }; seat: { collegeId: string } },
    type: 'motion' | 'round',
    vote: MotionRow | RoundRow,
    errors: FieldError[],
    values: Body_,
    ok?: string,
  ) {
    const m = COMMITTEE[ctx.lang];
    const userId = who.principal.userId;
    const [proxies, roster, own] = await Promise.all([
      this.box.proxiesOf(userId),
      this.members.roster(who.seat.collegeId),
      this.box.castBy(vote.id, userId),
    ]);
    const held = proxies.received.filter((p) => p.voteId === vote.id);
    const givenHere = proxies.given.some((p) => p.voteId === vote.id);
    const ballots: OwnBallot[] = own.map((b) => ({
      receipt: b.receipt,
      castAt: b.cast_at,
      voterName: b.voter_name,
      byProxy: b.voter_user_id !== userId,
    }));
    return {
      ctx,
      type,
      id: vote.id,
      title: vote.title,
      state: vote.state,
      opensAt: vote.opens_at,
      closesAt: vote.closes_at,
      voters: [
        { value: '', label: m.forMyself },
        ...held.map((p) => ({ value: p.principalUserId, label: m.byProxyFor(p.principalName) })),
      ],
      holders: roster.filter((r) => r.userId !== userId).map((r) => ({ value: r.userId, label: r.name })),
      mayGiveProxy: !givenHere && !own.some((b) => b.voter_user_id === userId),
      ballots,
      errors,
      values,
      formKey: randomUUID(),
      proxyKey: randomUUID(),
      notice: ok === 'procuration' ? m.proxyGiven : undefined,
    };
  }

  private onBehalfOf(body: Body_, self: string): string | undefined {
    const v = body.onBehalfOf ?? '';
    return v === '' || v === self ? undefined : v;
  }

  private async giveProxy(
    ctx: PageContext,
    who: { principal: Principal & { userId: string } },
    type: 'motion' | 'round',
    id: string,
    body: Body_,
  ): Promise<{ errors: FieldError[]; location?: undefined } | { errors?: undefined; location: string }> {
    const m = COMMITTEE[ctx.lang];
    const holder = body.holder ?? '';
    if (!/^[0-9a-f-]{36}$/.test(holder)) return { errors: [{ field: 'holder', message: m.errHolder }] };
    try {
      const location = await this.formOnce.run(
        who.principal.userId,
        `${votePath(type, id)}/procuration`,
        body,
        async () => {
          await this.box.grantProxy(who.principal, type, id, holder);
          return `${votePath(type, id)}?ok=procuration`;
        },
      );
      return { location };
    } catch (error) {
      if (error instanceof GovernanceError && INPUT_ERRORS.has(error.code))
        return { errors: [{ field: 'holder', message: m.errProxy(error.message) }] };
      throw error;
    }
  }

  /** A service's refusal of what was typed, as a form error (null: not an input error). */
  private inputErrors(error: unknown, ctx: PageContext, field: string): FieldError[] | null {
    if (!(error instanceof GovernanceError) || !INPUT_ERRORS.has(error.code)) return null;
    const m = COMMITTEE[ctx.lang];
    const message = error.code === GovernanceErrorCode.InvalidInput ? m.errChoice : error.message;
    return [{ field, message }];
  }

  private resultsUrl(kind: 'motions' | 'rounds', id: string): string {
    return `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/governance/${kind}/${id}/results`;
  }

  // ---- receipts ----

  /** The receipt of one of the member's own ballots (cast by them). */
  @Get(['comite/recus/:receipt', 'committee/receipts/:receipt'])
  async ownReceipt(@Param('receipt') receipt: string, @Req() req: WebRequest, @Res() res: Response) {
    const { principal } = await this.member(req);
    const where = RECEIPT.test(receipt) ? await this.box.locateReceipt(receipt) : null;
    const mine = where
      ? (await this.box.castBy(where.voteId, principal.userId)).find((b) => b.receipt === receipt)
      : undefined;
    if (!where || !mine)
      throw new GovernanceError(GovernanceErrorCode.NotFound, 'no ballot of yours with this receipt');
    const ctx = pageContext(req, res);
    renderPage(
      res,
      <ReceiptPage
        ctx={ctx}
        receipt={receipt}
        height={mine.height}
        castAt={mine.cast_at}
        voteTitle={where.title}
        votePathHref={votePath(where.type, where.voteId)}
        voterName={mine.voter_name}
        byProxy={mine.voter_user_id !== principal.userId}
      />,
    );
  }

  /** Anyone: is this receipt in a vote's chain, and does it count? Nothing written (a GET form). */
  @Get(['recus', 'receipts'])
  async checkReceipt(@Req() req: WebRequest, @Res() res: Response, @Query('recu') recu?: string) {
    const ctx = pageContext(req, res);
    const value = (recu ?? '').trim().toLowerCase();
    if (recu === undefined || value === '') return renderPage(res, <ReceiptCheckPage ctx={ctx} value="" />);
    if (!RECEIPT.test(value))
      return renderPage(
        res,
        <ReceiptCheckPage ctx={ctx} value={recu} error={RECEIPTS[ctx.lang].invalid} />,
        400,
      );
    const where = await this.box.locateReceipt(value);
    if (!where)
      return renderPage(res, <ReceiptCheckPage ctx={ctx} value={value} result={{ found: false }} />);
    const check =
      where.type === 'motion'
        ? await this.motions.verifyReceipt(where.voteId, value)
        : await this.rounds.verifyReceipt(where.voteId, value);
    renderPage(
      res,
      <ReceiptCheckPage
        ctx={ctx}
        value={value}
        result={{
          found: true,
          voteTitle: where.title,
          voteHref: where.type === 'round' ? `/rounds/${where.voteId}` : undefined,
          height: check.height,
          counted: check.counted,
          ok: check.ok,
          head: check.head,
        }}
      />,
    );
  }
}
