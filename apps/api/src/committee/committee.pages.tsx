import { ReactNode } from 'react';
import type { MemberView, ProxyListing } from '@app/governance';
import {
  Button,
  ButtonLink,
  Choices,
  DateTime,
  ErrorSummary,
  errorOf,
  Field,
  FieldError,
  fieldId,
  Form,
  Money,
  Notice,
  SearchForm,
  SelectField,
  SummaryList,
  Table,
} from '../web/components';
import { formatFraction } from '../web/format';
import { Layout } from '../web/layout';
import { PageContext } from '../web/page-context';
import { COMMITTEE, RECEIPTS } from './committee.messages';

type M = (typeof COMMITTEE)['fr'];

export interface VoteSummary {
  type: 'motion' | 'round';
  id: string;
  title: string;
  state: string;
  opensAt: Date;
  closesAt: Date;
  voted: boolean;
}

export const votePath = (type: 'motion' | 'round', id: string): string =>
  type === 'motion' ? `/comite/motions/${id}` : `/comite/tours/${id}`;

function StateBadge({ m, state }: { m: M; state: string }) {
  const kind = state === 'open' ? 'pending' : state === 'tallied' ? 'ok' : 'failed';
  return <span className={`badge badge--${kind}`}>{m.states[state] ?? state}</span>;
}

/** "My committee": the seat, proxies given and received, open and closed votes. */
export function CommitteePage({
  ctx,
  seat,
  weightBp,
  proxies,
  votes,
  notice,
}: {
  ctx: PageContext;
  seat: MemberView;
  weightBp: number | null;
  proxies: { given: ProxyListing[]; received: ProxyListing[] };
  votes: VoteSummary[];
  notice?: string;
}) {
  const m = COMMITTEE[ctx.lang];
  const open = votes.filter((v) => v.state === 'open' || v.state === 'draft');
  const closed = votes.filter((v) => v.state === 'closed' || v.state === 'tallied');
  const voteRows = (list: VoteSummary[]) =>
    list.map((v) => ({
      key: v.id,
      cells: [
        <a key="t" href={votePath(v.type, v.id)}>
          {v.title}
        </a>,
        v.type === 'motion' ? m.motion : m.round,
        <DateTime key="c" value={v.closesAt} lang={ctx.lang} />,
        <StateBadge key="s" m={m} state={v.state} />,
        v.voted ? m.voted : m.notVoted,
      ],
    }));
  const columns = [
    { label: m.vote },
    { label: m.type },
    { label: m.closes },
    { label: m.state },
    { label: m.yourBallot },
  ];
  return (
    <Layout ctx={ctx} title={m.title} lead={m.lead}>
      {notice ? <Notice kind="success" title={notice} /> : null}
      <h2>{m.seat}</h2>
      <SummaryList
        items={[
          { term: m.college, value: seat.collegeId },
          {
            term: m.term,
            value: (
              <>
                <DateTime value={seat.termStart} lang={ctx.lang} dateOnly /> –{' '}
                <DateTime value={seat.endedAt ?? seat.termEnd} lang={ctx.lang} dateOnly />
              </>
            ),
          },
          ...(weightBp !== null
            ? [{ term: m.weight, value: formatFraction(`${weightBp}/10000`, ctx.lang) }]
            : []),
        ]}
      />
      <h2>{m.openVotes}</h2>
      {open.length ? (
        <Table caption={m.openVotes} columns={columns} rows={voteRows(open)} />
      ) : (
        <p>{m.noOpenVotes}</p>
      )}
      <h2>{m.proxiesGiven}</h2>
      {proxies.given.length ? (
        <Table
          caption={m.proxiesGiven}
          columns={[{ label: m.vote }, { label: m.holder }, { label: m.closes }, { label: m.revoke }]}
          rows={proxies.given.map((p) => ({
            key: p.id,
            cells: [
              <a key="v" href={votePath(p.vote.type, p.vote.id)}>
                {p.vote.title}
              </a>,
              p.holderName,
              <DateTime key="c" value={p.vote.closesAt} lang={ctx.lang} />,
              <Form
                key="r"
                ctx={ctx}
                action={`/comite/procurations/${p.id}/revoquer`}
                className="inline-form"
              >
                <button
                  type="submit"
                  className="button button--secondary button--small"
                  aria-label={m.revokeLabel(p.vote.title, p.holderName)}
                >
                  {m.revoke}
                </button>
              </Form>,
            ],
          }))}
        />
      ) : (
        <p>{m.noProxies}</p>
      )}
      <h2>{m.proxiesReceived}</h2>
      {proxies.received.length ? (
        <Table
          caption={m.proxiesReceived}
          columns={[{ label: m.vote }, { label: m.principal }, { label: m.closes }]}
          rows={proxies.received.map((p) => ({
            key: p.id,
            cells: [
              <a key="v" href={votePath(p.vote.type, p.vote.id)}>
                {p.vote.title}
              </a>,
              p.principalName,
              <DateTime key="c" value={p.vote.closesAt} lang={ctx.lang} />,
            ],
          }))}
        />
      ) : (
        <p>{m.noProxies}</p>
      )}
      <h2>{m.closedVotes}</h2>
      {closed.length ? (
        <Table caption={m.closedVotes} columns={columns} rows={voteRows(closed)} />
      ) : (
        <p>{m.noClosedVotes}</p>
      )}
    </Layout>
  );
}

export interface OwnBallot {
  receipt: string;
  castAt: Date;
  voterName: string;
  byProxy: boolean;
}

export interface VotePageProps {
  ctx: PageContext;
  type: 'motion' | 'round';
  id: string;
  title: string;
  body?: string;
  state: string;
  opensAt: Date;
  closesAt: Date;
  facts: { term: string; value: ReactNode }[];
  /** who the member may vote for: itself, then principals of proxies it holds */
  voters: { value: string; label: string }[];
  /** members of the college who may hold a proxy */
  holders: { value: string; label: string }[];
  mayGiveProxy: boolean;
  ballots: OwnBallot[];
  errors: FieldError[];
  values: Record<string, string>;
  formKey: string;
  proxyKey: string;
  /** the ballot's fields (radios, grades, ranks or points) */
  ballotFields: ReactNode;
  results?: ReactNode;
  notice?: string;
}

/** A motion's or round's page for a member: what it is, the ballot form while open, results after. */
export function VotePage(p: VotePageProps) {
  const { ctx } = p;
  const m = COMMITTEE[ctx.lang];
  const now = Date.now();
  const isOpen = p.state === 'open' && p.opensAt.getTime() <= now && now < p.closesAt.getTime();
  const base = votePath(p.type, p.id);
  return (
    <Layout
      ctx={ctx}
      title={p.title}
      hasErrors={p.errors.length > 0}
      lead={p.type === 'motion' ? m.motion : m.round}
    >
      {p.notice ? <Notice kind="success" title={p.notice} /> : null}
      <ErrorSummary ctx={ctx} errors={p.errors} />
      {p.body ? <p>{p.body}</p> : null}
      <SummaryList
        items={[
          { term: m.state, value: <StateBadge m={m} state={p.state} /> },
          {
            term: m.opensCloses,
            value: (
              <>
                <DateTime value={p.opensAt} lang={ctx.lang} /> →{' '}
                <DateTime value={p.closesAt} lang={ctx.lang} />
              </>
            ),
          },
          ...p.facts,
        ]}
      />
      {isOpen ? (
        <section aria-labelledby="vote-title">
          <h2 id="vote-title">{m.castYourVote}</h2>
          <p className="muted">{m.changeNote}</p>
          <Form ctx={ctx} action={`${base}/vote`} idempotencyKey={p.formKey}>
            {p.voters.length > 1 ? (
              <SelectField
                name="onBehalfOf"
                label={m.forWhom}
                options={p.voters}
                value={p.values.onBehalfOf}
                error={errorOf(p.errors, 'onBehalfOf')}
              />
            ) : null}
            {p.ballotFields}
            <Button>{p.type === 'round' ? m.submitBallot : m.submitVote}</Button>
          </Form>
        </section>
      ) : p.state === 'draft' ? (
        <Notice kind="info" title={m.notOpenYet} />
      ) : (
        <Notice kind="info" title={m.closedNote} />
      )}
      {p.ballots.length ? (
        <Table
          caption={m.lastBallots}
          columns={[{ label: m.castAt }, { label: m.votedFor }, { label: m.receipt }]}
          rows={p.ballots.map((b) => ({
            key: b.receipt,
            cells: [
              <DateTime key="d" value={b.castAt} lang={ctx.lang} />,
              b.byProxy ? m.byProxyFor(b.voterName) : m.forMyself,
              <a key="r" href={`/comite/recus/${b.receipt}`}>
                <code className="hash">{b.receipt}</code>
              </a>,
            ],
          }))}
        />
      ) : null}
      {p.mayGiveProxy && (p.state === 'open' || p.state === 'draft') && p.holders.length > 0 ? (
        <section aria-labelledby="proxy-title">
          <h2 id="proxy-title">{m.giveProxy}</h2>
          <Form ctx={ctx} action={`${base}/procuration`} idempotencyKey={p.proxyKey}>
            <SelectField
              name="holder"
              label={m.holderField}
              hint={m.giveProxyHint}
              options={[{ value: '', label: m.chooseHolder }, ...p.holders]}
              value={p.values.holder}
              error={errorOf(p.errors, 'holder')}
            />
            <Button variant="secondary">{m.submitProxy}</Button>
          </Form>
        </section>
      ) : null}
      {p.results}
      <p>
        <a href="/comite">{m.backToCommittee}</a>
      </p>
    </Layout>
  );
}

/** The radios of a yes/no motion. */
export function YesNoFields({ ctx, value, error }: { ctx: PageContext; value?: string; error?: string }) {
  const m = COMMITTEE[ctx.lang];
  return (
    <Choices
      name="choice"
      type="radio"
      label={m.choice}
      value={value}
      error={error}
      options={(['for', 'against', 'abstain'] as const).map((c) => ({ value: c, label: m.choices[c] }))}
    />
  );
}

/** One grade per candidate (Majority Judgment). */
export function GradeFields({
  ctx,
  candidates,
  grades,
  values,
  errors,
}: {
  ctx: PageContext;
  candidates: string[];
  grades: { min: number; max: number };
  values: Record<string, string>;
  errors: FieldError[];
}) {
  const m = COMMITTEE[ctx.lang];
  const options = [{ value: '', label: '—' }];
  for (let g = grades.max; g >= grades.min; g--) options.push({ value: String(g), label: String(g) });
  return (
    <>
      {candidates.map((c, i) => (
        <SelectField
          key={c}
          name={`g_${i}`}
          label={m.gradeOf(c)}
          hint={m.gradeHint(grades.min, grades.max)}
          options={options}
          value={values[`g_${i}`]}
          error={errorOf(errors, `g_${i}`)}
        />
      ))}
    </>
  );
}

/** One rank per candidate (Schulze). */
export function RankFields({
  ctx,
  candidates,
  values,
  errors,
}: {
  ctx: PageContext;
  candidates: string[];
  values: Record<string, string>;
  errors: FieldError[];
}) {
  const m = COMMITTEE[ctx.lang];
  return (
    <>
      {candidates.map((c, i) => (
        <Field
          key={c}
          name={`r_${i}`}
          label={m.rankOf(c)}
          hint={m.rankHint}
          inputMode="numeric"
          width="short"
          value={values[`r_${i}`]}
          error={errorOf(errors, `r_${i}`)}
        />
      ))}
    </>
  );
}

/** The 100 points of a round ballot, one field per admitted project, the total said by the server. */
export function PointsFields({
  ctx,
  projects,
  values,
  errors,
}: {
  ctx: PageContext;
  projects: { id: string; name: string }[];
  values: Record<string, string>;
  errors: FieldError[];
}) {
  const m = COMMITTEE[ctx.lang];
  const totalError = errorOf(errors, 'points');
  return (
    <fieldset
      className={`field${totalError ? ' field--error' : ''}`}
      id={fieldId('points')}
      tabIndex={-1}
      aria-describedby={`${fieldId('points')}-hint${totalError ? ` ${fieldId('points')}-error` : ''}`}
    >
      <legend className="field__label">{m.points}</legend>
      <p className="field__hint" id={`${fieldId('points')}-hint`}>
        {m.pointsHint}
      </p>
      {totalError ? (
        <p className="field__error" id={`${fieldId('points')}-error`}>
          {totalError}
        </p>
      ) : null}
      {projects.map((p, i) => (
        <Field
          key={p.id}
          name={`p_${i}`}
          label={m.pointsFor(p.name)}
          inputMode="numeric"
          width="short"
          value={values[`p_${i}`] ?? '0'}
          error={errorOf(errors, `p_${i}`)}
        />
      ))}
    </fieldset>
  );
}

/** The receipt of the member's ballot, right after voting (and later from the vote's page). */
export function ReceiptPage({
  ctx,
  receipt,
  height,
  castAt,
  voteTitle,
  votePathHref,
  voterName,
  byProxy,
}: {
  ctx: PageContext;
  receipt: string;
  height: number;
  castAt: Date;
  voteTitle: string;
  votePathHref: string;
  voterName: string;
  byProxy: boolean;
}) {
  const m = COMMITTEE[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.receiptTitle} lead={m.receiptLead}>
      <Notice kind="success" title={voteTitle} />
      <SummaryList
        items={[
          { term: m.receipt, value: <code className="hash">{receipt}</code> },
          { term: m.height, value: String(height) },
          { term: m.castAt, value: <DateTime value={castAt} lang={ctx.lang} /> },
          { term: m.votedFor, value: byProxy ? m.byProxyFor(voterName) : m.forMyself },
        ]}
      />
      <p>
        <ButtonLink href={`/recus?recu=${receipt}`}>{m.checkReceipt}</ButtonLink>
      </p>
      <p>
        <a href={votePathHref}>{m.backToVote}</a>
      </p>
    </Layout>
  );
}

/** The public receipt check. */
export function ReceiptCheckPage({
  ctx,
  value,
  error,
  result,
}: {
  ctx: PageContext;
  value: string;
  error?: string;
  result?:
    | { found: false }
    | {
        found: true;
        voteTitle: string;
        /** the public page of the vote, when there is one */
        voteHref?: string;
        height: number | null;
        counted: boolean;
        ok: boolean;
        head: string;
      };
}) {
  const m = RECEIPTS[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.title} lead={m.lead} hasErrors={Boolean(error)}>
      <ErrorSummary ctx={ctx} errors={error ? [{ field: 'recu', message: error }] : []} />
      <SearchForm action="/recus" label={m.title}>
        <Field name="recu" label={m.field} hint={m.hint} value={value} error={error} spellCheck={false} />
        <Button>{m.submit}</Button>
      </SearchForm>
      {result && !result.found ? <Notice kind="warning" title={m.unknown} /> : null}
      {result && result.found ? (
        <>
          <Notice kind={result.ok ? 'success' : 'error'} title={m.found} />
          <SummaryList
            items={[
              {
                term: m.vote,
                value: result.voteHref ? <a href={result.voteHref}>{result.voteTitle}</a> : result.voteTitle,
              },
              { term: m.height, value: String(result.height) },
              { term: m.counted, value: result.counted ? m.countedYes : m.countedNo },
              { term: m.chain, value: result.ok ? m.chainOk : m.chainBroken },
              { term: m.head, value: <code className="hash">{result.head}</code> },
            ]}
          />
        </>
      ) : null}
    </Layout>
  );
}

/** Results after the close: per college and overall, the record, and how to recompute it. */
export function ResultsSection({
  ctx,
  resultsUrl,
  outcome,
  motionColleges,
  round,
  audit,
}: {
  ctx: PageContext;
  resultsUrl: string;
  outcome?: string | null;
  motionColleges?: {
    id: string;
    for: number;
    against: number;
    abstain: number;
    eligible: number;
    turnout: string;
    p: string | null;
  }[];
  round?: {
    currency: string;
    projects: { id: string; name: string }[];
    cents: Record<string, string>;
    Q: Record<string, string>;
    leftover: string;
    perCollege: Record<string, { n: number; participating: boolean; q: Record<string, string> | null }>;
  };
  audit: unknown;
}) {
  const m = COMMITTEE[ctx.lang];
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">{m.results}</h2>
      {outcome ? (
        <SummaryList
          items={[{ term: m.outcome, value: <strong>{m.outcomes[outcome] ?? outcome}</strong> }]}
        />
      ) : null}
      {motionColleges ? (
        <Table
          caption={m.perCollege}
          columns={[
            { label: m.college },
            { label: m.forCount, numeric: true },
            { label: m.againstCount, numeric: true },
            { label: m.abstainCount, numeric: true },
            { label: m.eligible, numeric: true },
            { label: m.turnout, numeric: true },
            { label: m.share, numeric: true },
          ]}
          rows={motionColleges.map((c) => ({
            key: c.id,
            cells: [
              c.id,
              String(c.for),
              String(c.against),
              String(c.abstain),
              String(c.eligible),
              formatFraction(c.turnout, ctx.lang),
              c.p ? formatFraction(c.p, ctx.lang) : '—',
            ],
          }))}
        />
      ) : null}
      {round ? (
        <>
          <Table
            caption={m.overall}
            columns={[
              { label: m.project },
              { label: m.share, numeric: true },
              { label: m.allocation, numeric: true },
            ]}
            rows={[
              ...round.projects.map((p) => ({
                key: p.id,
                cells: [
                  p.name,
                  formatFraction(round.Q[p.id], ctx.lang),
                  <Money
                    key="a"
                    cents={round.cents[p.id] ?? '0'}
                    currency={round.currency}
                    lang={ctx.lang}
                  />,
                ],
              })),
              {
                key: '_leftover',
                cells: [
                  m.leftover,
                  '',
                  <Money key="l" cents={round.leftover} currency={round.currency} lang={ctx.lang} />,
                ],
              },
            ]}
          />
          <Table
            caption={m.perCollege}
            columns={[
              { label: m.college },
              { label: m.participating },
              ...round.projects.map((p) => ({ label: p.name, numeric: true })),
            ]}
            rows={Object.entries(round.perCollege).map(([id, c]) => ({
              key: id,
              cells: [
                id,
                c.participating ? m.yes : m.no,
                ...round.projects.map((p) => (c.q ? formatFraction(c.q[p.id], ctx.lang) : '—')),
              ],
            }))}
          />
        </>
      ) : null}
      <h3>{m.recompute}</h3>
      <p>{m.recomputeHint}</p>
      <pre>
        <code>{`npx librery tally ${resultsUrl}`}</code>
      </pre>
      <p>
        <a href={resultsUrl}>{m.resultsJson}</a>
      </p>
      <details>
        <summary>{m.auditRecord}</summary>
        <p className="muted">{m.auditHint}</p>
        <pre tabIndex={0}>
          <code>{JSON.stringify(audit, null, 2)}</code>
        </pre>
      </details>
    </section>
  );
}
