import { ReactNode } from 'react';
import { Statement } from '@app/contributions';
import { formatAmountInput } from '@app/money';
import {
  BookedGift,
  DonorGift,
  DonorProject,
  GivingChoice,
  GivingFieldError,
  GivingPreview,
  weightField,
} from '@app/payments';
import {
  Button,
  ButtonLink,
  Choices,
  DateTime,
  ErrorSummary,
  Field,
  FieldError,
  Form,
  Money,
  Notice,
  Steps,
  SummaryList,
  Table,
} from '../web/components';
import { formatMoney } from '../web/format';
import { fill } from '../web/i18n';
import { Layout } from '../web/layout';
import { PageContext } from '../web/page-context';
import { GIVE, GiveMessages } from './giving.messages';

/** The donate pages' paths, French (`/donner/…`) or English (`/give/…`), by the path the donor came in. */
export interface GivingPaths {
  readonly start: string;
  readonly projects: string;
  readonly summary: string;
  readonly checkout: string;
  readonly thanks: string;
  readonly cancelled: string;
  readonly statement: string;
  readonly mine: string;
}

export const GIVING_PATHS: Record<'fr' | 'en', GivingPaths> = {
  fr: {
    start: '/donner',
    projects: '/donner/projets',
    summary: '/donner/recapitulatif',
    checkout: '/donner/paiement',
    thanks: '/donner/merci',
    cancelled: '/donner/annulation',
    statement: '/donner/releve',
    mine: '/donner/mes-dons',
  },
  en: {
    start: '/give',
    projects: '/give/projects',
    summary: '/give/summary',
    checkout: '/give/checkout',
    thanks: '/give/thanks',
    cancelled: '/give/cancelled',
    statement: '/give/statement',
    mine: '/give/my-gifts',
  },
};

/** Field errors in the page's words. */
export function fieldErrors(ctx: PageContext, errors: readonly GivingFieldError[]): FieldError[] {
  const m = GIVE[ctx.lang];
  return errors.map((e) => ({ field: e.field, message: m.errors[e.code] }));
}

/** What the first two steps carry forward: the amount (as text), the frequency, the projects and their weights. */
export interface CarriedChoice {
  readonly amount: string;
  readonly frequency: string;
  readonly spread: string;
  readonly projects: readonly { readonly slug: string; readonly weightText: string }[];
}

export function carried(choice: GivingChoice, lang: 'fr' | 'en'): CarriedChoice {
  return {
    amount: formatAmountInput(choice.amount, lang),
    frequency: choice.frequency,
    spread: choice.committee ? 'committee' : 'projects',
    projects: choice.projects.map((p) => ({ slug: p.slug, weightText: p.weight.toString() })),
  };
}

/** The query string of a carried choice (links back to a step with its values). */
export function carriedQuery(c: CarriedChoice, step: 'amount' | 'projects' | 'all'): string {
  const q = new URLSearchParams({ amount: c.amount, frequency: c.frequency });
  if (step !== 'amount') {
    q.set('spread', c.spread);
    for (const p of c.projects) {
      q.append('p', p.slug);
      q.set(weightField(p.slug), p.weightText);
    }
  }
  return q.toString();
}

function Hidden({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}

function StepsOf({ ctx, current }: { ctx: PageContext; current: number }) {
  const m = GIVE[ctx.lang];
  return (
    <Steps ctx={ctx} steps={[m.stepAmount, m.stepProjects, m.stepSummary, m.stepPay]} current={current} />
  );
}

function frequencyLabel(m: GiveMessages, frequency: string): string {
  return frequency === 'monthly' ? m.monthlyShort : frequency === 'yearly' ? m.yearlyShort : m.oneTimeShort;
}

// ---------------------------------------------------------------- step 1: amount and frequency

export function AmountPage({
  ctx,
  paths,
  values,
  errors,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  values: { amount: string; frequency: string };
  errors: readonly FieldError[];
}) {
  const m = GIVE[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.title} lead={m.lead} hasErrors={errors.length > 0}>
      <StepsOf ctx={ctx} current={0} />
      <ErrorSummary ctx={ctx} errors={errors} />
      <form className="form" method="get" action={paths.projects} noValidate>
        <Field
          name="amount"
          label={m.amount}
          hint={m.amountHint}
          value={values.amount}
          error={errors.find((e) => e.field === 'amount')?.message}
          inputMode="decimal"
          autoComplete="transaction-amount"
          width="short"
          required
        />
        <Choices
          name="frequency"
          label={m.frequency}
          type="radio"
          value={values.frequency || 'one_time'}
          error={errors.find((e) => e.field === 'frequency')?.message}
          options={[
            { value: 'one_time', label: m.oneTime },
            { value: 'monthly', label: m.monthly },
            { value: 'yearly', label: m.yearly },
          ]}
        />
        <Button>{m.continue}</Button>
      </form>
      {ctx.user ? (
        <p>
          <a href={paths.mine}>{m.myGiftsTitle}</a>
        </p>
      ) : null}
      <p>
        <a href={paths.statement}>{m.statementTitle}</a>
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------- step 2: projects

function ProjectFacts({ ctx, project }: { ctx: PageContext; project: DonorProject }) {
  const m = GIVE[ctx.lang];
  return (
    <SummaryList
      items={[
        {
          term: m.status,
          value: project.status === 'admitted' ? m.statusAdmitted : m.statusProposed,
        },
        {
          term: m.needs,
          value:
            project.needs.length === 0 ? (
              m.noNeeds
            ) : (
              <ul className="plain-list">
                {project.needs.map((n, i) => (
                  <li key={i}>
                    {n.name} : <Money cents={n.amount} currency={n.currency || 'EUR'} lang={ctx.lang} /> (
                    {n.frequency})
                  </li>
                ))}
              </ul>
            ),
        },
        {
          term: m.received,
          value: <Money cents={project.received} currency={project.currency} lang={ctx.lang} />,
        },
      ]}
    />
  );
}

export function ProjectsPage({
  ctx,
  paths,
  amount,
  frequency,
  spread,
  query,
  results,
  chosen,
  weights,
  errors,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  amount: string;
  frequency: string;
  spread: string;
  query: string;
  results: readonly DonorProject[] | null;
  chosen: readonly DonorProject[];
  weights: ReadonlyMap<string, string>;
  errors: readonly FieldError[];
}) {
  const m = GIVE[ctx.lang];
  const chosenSlugs = new Set(chosen.map((p) => p.slug));
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Layout ctx={ctx} title={m.projectsTitle} lead={m.projectsLead} hasErrors={errors.length > 0}>
      <StepsOf ctx={ctx} current={1} />
      <ErrorSummary ctx={ctx} errors={errors} />
      <form className="form" method="get" action={paths.projects} noValidate>
        <Hidden name="amount" value={amount} />
        <Hidden name="frequency" value={frequency} />
        {chosen.map((p) => (
          <Hidden key={p.slug} name="p" value={p.slug} />
        ))}
        <div className="search-row">
          <Field name="q" label={m.search} hint={m.searchHint} value={query} type="search" width="medium" />
          <Button name="action" value="search" variant="secondary">
            {m.searchButton}
          </Button>
        </div>
        {results === null ? null : (
          <section aria-labelledby="results-title">
            <h2 id="results-title">{fill(m.results, { q: query })}</h2>
            {results.length === 0 ? (
              <p>{fill(m.noResults, { q: query })}</p>
            ) : (
              <ul className="cards">
                {results.map((p) => (
                  <li className="card" key={p.slug}>
                    <h3 className="card__title">
                      <a href={`/projects/${p.slug}`}>{p.name}</a>
                    </h3>
                    {p.description ? <p>{p.description}</p> : null}
                    <ProjectFacts ctx={ctx} project={p} />
                    {chosenSlugs.has(p.slug) ? (
                      <p className="card__state">{m.added}</p>
                    ) : (
                      <Button name="add" value={p.slug} variant="secondary">
                        {fill(m.add, { name: p.name })}
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        <section className="chosen-projects" aria-labelledby="chosen-title">
          <h2 id="chosen-title">{m.chosen}</h2>
          {chosen.length === 0 ? <p>{m.chosenNone}</p> : null}
          {chosen.map((p) => (
            <div className="card" key={p.slug}>
              <h3 className="card__title">{p.name}</h3>
              <ProjectFacts ctx={ctx} project={p} />
              <Field
                name={weightField(p.slug)}
                label={fill(m.weight, { name: p.name })}
                hint={m.weightHint}
                value={weights.get(p.slug) ?? '1'}
                error={errorOf(weightField(p.slug))}
                inputMode="numeric"
                width="short"
              />
              <Button name="remove" value={p.slug} variant="secondary">
                {fill(m.remove, { name: p.name })}
              </Button>
            </div>
          ))}
        </section>
        <Choices
          name="spread"
          label={m.spread}
          type="radio"
          value={spread || 'projects'}
          error={errorOf('spread')}
          options={[
            { value: 'projects', label: m.spreadProjects },
            { value: 'committee', label: m.spreadCommittee, hint: m.spreadCommitteeHint },
          ]}
        />
        <div className="button-row">
          <Button name="action" value="next">
            {m.continue}
          </Button>
          <a href={`${paths.start}?${new URLSearchParams({ amount, frequency }).toString()}`}>{m.back}</a>
        </div>
      </form>
    </Layout>
  );
}

// ---------------------------------------------------------------- step 3: summary, identity, pay

export function SplitTable({ ctx, preview }: { ctx: PageContext; preview: GivingPreview }) {
  const m = GIVE[ctx.lang];
  const money = (cents: bigint) => <Money cents={cents} currency={preview.currency} lang={ctx.lang} />;
  const rows = [
    ...preview.directed.map((d) => ({
      key: `p-${d.project.slug}`,
      cells: [fill(m.directedTo, { name: d.project.name }), money(d.amount)],
    })),
    { key: 'pool', cells: [m.pool, money(preview.split.pool)] },
    { key: 'operating', cells: [m.operatingFee, money(preview.split.operatingFee)] },
    { key: 'total', cells: [m.total, money(preview.split.net)] },
  ];
  return (
    <Table
      caption={fill(m.splitCaption, {
        amount: formatMoney(preview.split.net, preview.currency, ctx.lang),
        version: preview.split.policyVersion,
      })}
      columns={[{ label: m.part }, { label: m.share, numeric: true }]}
      rows={rows}
    />
  );
}

export function SummaryPage({
  ctx,
  paths,
  preview,
  identity,
  errors,
  idempotencyKey,
  cancelled,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  preview: GivingPreview;
  identity: { named: string; publicName: string; email: string };
  errors: readonly FieldError[];
  idempotencyKey: string;
  cancelled?: boolean;
}) {
  const m = GIVE[ctx.lang];
  const c = carried(preview.choice, ctx.lang);
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Layout ctx={ctx} title={m.summaryTitle} lead={m.summaryLead} hasErrors={errors.length > 0}>
      <StepsOf ctx={ctx} current={2} />
      {cancelled ? (
        <Notice kind="warning" title={m.cancelledTitle}>
          <p>{m.cancelledText}</p>
        </Notice>
      ) : null}
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{m.yourGift}</h2>
      <SummaryList
        items={[
          {
            term: m.amount,
            value: (
              <>
                <Money cents={preview.choice.amount} currency={preview.currency} lang={ctx.lang} /> (
                {frequencyLabel(m, preview.choice.frequency)}){' '}
                <a href={`${paths.start}?${carriedQuery(c, 'amount')}`}>
                  {m.change}
                  <span className="visually-hidden"> : {m.amount}</span>
                </a>
              </>
            ),
          },
          {
            term: m.spread,
            value: (
              <>
                {preview.choice.committee
                  ? m.spreadCommittee
                  : preview.projects.map((p) => p.name).join(', ')}{' '}
                <a href={`${paths.projects}?${carriedQuery(c, 'projects')}`}>
                  {m.change}
                  <span className="visually-hidden"> : {m.spread}</span>
                </a>
              </>
            ),
          },
        ]}
      />
      <SplitTable ctx={ctx} preview={preview} />
      <p className="field__hint">{m.splitFeeNote}</p>
      <Form ctx={ctx} action={paths.checkout} idempotencyKey={idempotencyKey}>
        <Hidden name="amount" value={c.amount} />
        <Hidden name="frequency" value={c.frequency} />
        <Hidden name="spread" value={c.spread} />
        {c.projects.map((p) => (
          <span key={p.slug}>
            <Hidden name="p" value={p.slug} />
            <Hidden name={weightField(p.slug)} value={p.weightText} />
          </span>
        ))}
        <Choices
          name="named"
          label={m.named}
          type="radio"
          value={identity.named || 'no'}
          error={errorOf('named')}
          options={[
            { value: 'no', label: m.namedNo },
            { value: 'yes', label: m.namedYes },
          ]}
        />
        <Field
          name="publicName"
          label={`${m.publicName} ${ctx.t.optional}`}
          hint={m.publicNameHint}
          value={identity.publicName}
          error={errorOf('publicName')}
          autoComplete="name"
        />
        <Field
          name="email"
          label={`${m.email} ${ctx.t.optional}`}
          hint={m.emailHint}
          value={identity.email}
          error={errorOf('email')}
          type="email"
          autoComplete="email"
          spellCheck={false}
        />
        <p className="field__hint">{m.payHint}</p>
        <Button>{m.pay}</Button>
      </Form>
    </Layout>
  );
}

// ---------------------------------------------------------------- back from Stripe

function BookedSplit({ ctx, booked, currency }: { ctx: PageContext; booked: BookedGift; currency: string }) {
  const m = GIVE[ctx.lang];
  const money = (cents: bigint) => <Money cents={cents} currency={currency} lang={ctx.lang} />;
  return (
    <Table
      caption={fill(m.bookedCaption, { version: booked.policyVersion })}
      columns={[{ label: m.part }, { label: m.share, numeric: true }]}
      rows={[
        { key: 'gross', cells: [m.gross, money(booked.gross)] },
        { key: 'fee', cells: [m.processorFee, money(booked.processorFee)] },
        { key: 'net', cells: [m.net, money(booked.net)] },
        ...booked.directed.map((d) => ({
          key: `p-${d.projectId}`,
          cells: [fill(m.directedTo, { name: d.name }), money(d.amount)],
        })),
        { key: 'pool', cells: [m.pool, money(booked.pool)] },
        { key: 'operating', cells: [m.operatingFee, money(booked.operatingFee)] },
      ]}
    />
  );
}

export function ThanksPage({
  ctx,
  paths,
  gift,
  statementKey,
  mailedTo,
  year,
  ledgerHref,
  refreshHref,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  refreshHref: string;
  gift: {
    amount: bigint;
    currency: string;
    mode: string;
    donor: string;
    booked: BookedGift | null;
  };
  statementKey: { state: 'shown'; key: string } | { state: 'already_shown' | 'elsewhere' };
  mailedTo: string | null;
  year: number;
  ledgerHref: string | null;
}) {
  const m = GIVE[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.thanksTitle}>
      <StepsOf ctx={ctx} current={3} />
      {gift.booked ? (
        <Notice kind="success" title={m.thanksBooked} />
      ) : (
        <Notice kind="info" title={m.thanksBooking}>
          <p>
            {m.thanksBookingHint} <a href={refreshHref}>{m.refresh}</a>
          </p>
        </Notice>
      )}
      <SummaryList
        items={[
          {
            term: m.yourGift,
            value: (
              <>
                <Money cents={gift.amount} currency={gift.currency} lang={ctx.lang} /> (
                {frequencyLabel(m, gift.mode)})
              </>
            ),
          },
          { term: m.donor, value: gift.donor },
        ]}
      />
      {gift.booked ? <BookedSplit ctx={ctx} booked={gift.booked} currency={gift.currency} /> : null}
      {ledgerHref ? (
        <p>
          <a href={ledgerHref}>{m.inLedger}</a>
          {gift.booked?.ledgerEntryId ? (
            <>
              {' '}
              (<a href={`/public/entries/${gift.booked.ledgerEntryId}`}>{m.inLedgerJson}</a>)
            </>
          ) : null}
        </p>
      ) : null}
      <h2>{m.statementKey}</h2>
      {statementKey.state === 'shown' ? (
        <>
          <Notice kind="warning">
            <p>{m.statementKeyOnce}</p>
            {mailedTo ? <p>{fill(m.statementKeyMailed, { email: mailedTo })}</p> : null}
          </Notice>
          <p>
            <code className="statement-key" id="statement-key">
              {statementKey.key}
            </code>
          </p>
          <Form ctx={ctx} action={paths.statement}>
            <Hidden name="key" value={statementKey.key} />
            <Hidden name="year" value={String(year)} />
            <Button variant="secondary">{fill(m.seeStatement, { year })}</Button>
          </Form>
        </>
      ) : (
        <p>{statementKey.state === 'already_shown' ? m.statementKeyShown : m.statementKeyElsewhere}</p>
      )}
      <p>
        <a href={paths.statement}>{m.statementTitle}</a>
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------- statements

export function StatementTable({ ctx, statement }: { ctx: PageContext; statement: Statement }) {
  const m = GIVE[ctx.lang];
  const money = (cents: bigint) => <Money cents={cents} currency={statement.currency} lang={ctx.lang} />;
  if (statement.lines.length === 0) return <p>{m.noLines}</p>;
  return (
    <Table
      caption={fill(m.statementCaption, { year: statement.year })}
      columns={[
        { label: m.date },
        { label: m.gross, numeric: true },
        { label: m.processorFee, numeric: true },
        { label: m.net, numeric: true },
        { label: m.directedShare, numeric: true },
        { label: m.poolShort, numeric: true },
        { label: m.operatingShort, numeric: true },
      ]}
      rows={statement.lines.map((l) => ({
        key: l.contributionId,
        cells: [
          <DateTime key="d" value={l.occurredAt} lang={ctx.lang} dateOnly />,
          money(l.gross),
          money(l.processorFee),
          money(l.net),
          money(l.directedShare),
          money(l.pool),
          money(l.operatingFee),
        ],
      }))}
    />
  );
}

export function StatementPage({
  ctx,
  paths,
  values,
  errors,
  statement,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  values: { year: string };
  errors: readonly FieldError[];
  statement: Statement | null;
}) {
  const m = GIVE[ctx.lang];
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Layout ctx={ctx} title={m.statementTitle} lead={m.statementLead} hasErrors={errors.length > 0}>
      <ErrorSummary ctx={ctx} errors={errors} />
      {statement ? <StatementTable ctx={ctx} statement={statement} /> : null}
      <Form ctx={ctx} action={paths.statement}>
        <Field
          name="key"
          label={m.statementKeyField}
          hint={m.statementKeyHint}
          error={errorOf('key')}
          autoComplete="off"
          spellCheck={false}
        />
        <Field
          name="year"
          label={m.year}
          value={values.year}
          error={errorOf('year')}
          inputMode="numeric"
          width="short"
        />
        <Button>{m.show}</Button>
      </Form>
    </Layout>
  );
}

export function MyGiftsPage({
  ctx,
  paths,
  gifts,
  statement,
  years,
}: {
  ctx: PageContext;
  paths: GivingPaths;
  gifts: readonly DonorGift[] | null;
  statement: Statement | null;
  years: readonly number[];
}): ReactNode {
  const m = GIVE[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.myGiftsTitle} lead={m.myGiftsLead}>
      {gifts === null ? (
        <p>
          {m.myGiftsSignIn} <a href={`/connexion?next=${encodeURIComponent(paths.mine)}`}>{ctx.t.signIn}</a>
        </p>
      ) : gifts.length === 0 ? (
        <p>{m.myGiftsNone}</p>
      ) : (
        <Table
          caption={m.giftsCaption}
          columns={[
            { label: m.date },
            { label: m.yourGift, numeric: true },
            { label: m.frequencyLabel },
            { label: m.donor },
            { label: m.bookingState },
          ]}
          rows={gifts.map((g) => ({
            key: g.donationIntentId,
            cells: [
              <DateTime key="d" value={g.createdAt} lang={ctx.lang} />,
              <Money key="a" cents={g.amount} currency={g.currency} lang={ctx.lang} />,
              frequencyLabel(m, g.mode),
              g.publicName ?? g.pseudonym,
              g.payments.length > 0 ? `${m.booked} (${g.payments.length})` : m.notBooked,
            ],
          }))}
        />
      )}
      {gifts !== null ? (
        <section aria-labelledby="statements-title">
          <h2 id="statements-title">{m.yourStatements}</h2>
          <ul>
            {years.map((y) => (
              <li key={y}>
                <a href={`${paths.mine}?year=${y}`}>{fill(m.statementFor, { year: y })}</a>
              </li>
            ))}
          </ul>
          {statement ? <StatementTable ctx={ctx} statement={statement} /> : null}
        </section>
      ) : null}
      <ButtonLink href={paths.start}>{m.give}</ButtonLink>
    </Layout>
  );
}
