import { DateTime, Money, SummaryList, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE, CatalogueMessages } from './catalogue.messages';

export function stateLabel(state: string, c: CatalogueMessages): string {
  return (
    (
      { draft: c.stateDraft, open: c.stateOpen, closed: c.stateClosed, tallied: c.stateTallied } as Record<
        string,
        string
      >
    )[state] ?? state
  );
}

export interface RoundLine {
  id: string;
  title: string;
  state: string;
  currency: string;
  budget: string;
  opensAt: Date;
  closesAt: Date;
  ballotCount: number;
}

export interface MotionLine {
  id: string;
  title: string;
  kind: string;
  method: string;
  state: string;
  opensAt: Date | null;
  closesAt: Date | null;
  ballotCount: number;
  outcome: unknown;
  body?: string;
}

/** The funding rounds, newest first. */
export function RoundsIndexPage({ ctx, rounds }: { ctx: PageContext; rounds: readonly RoundLine[] }) {
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  return (
    <Layout ctx={ctx} title={c.roundsTitle} lead={c.roundsLead}>
      {rounds.length ? (
        <Table
          caption={c.roundsCaption}
          columns={[
            { label: c.round },
            { label: c.status },
            { label: c.budget, numeric: true },
            { label: c.opens },
            { label: c.closes },
            { label: c.ballots, numeric: true },
          ]}
          rows={rounds.map((r) => ({
            key: r.id,
            cells: [
              <a key="t" href={`/rounds/${r.id}`}>
                {r.title}
              </a>,
              stateLabel(r.state, c),
              <Money key="b" cents={r.budget} currency={r.currency} lang={lang} />,
              <DateTime key="o" value={r.opensAt} lang={lang} />,
              <DateTime key="c" value={r.closesAt} lang={lang} />,
              r.ballotCount,
            ],
          }))}
        />
      ) : (
        <p>{c.noRounds}</p>
      )}
      <p>
        <a href="/motions">{c.seeMotions}</a>
      </p>
    </Layout>
  );
}

function outcomeText(outcome: unknown): string {
  if (outcome === null || outcome === undefined) return '—';
  if (typeof outcome === 'string') return outcome;
  if (typeof outcome === 'object') {
    const o = outcome as Record<string, unknown>;
    for (const k of ['decision', 'result', 'winner', 'adopted', 'outcome'])
      if (k in o && (typeof o[k] === 'string' || typeof o[k] === 'boolean')) return String(o[k]);
  }
  return JSON.stringify(outcome);
}

/** The committee's motions, newest first. */
export function MotionsIndexPage({ ctx, motions }: { ctx: PageContext; motions: readonly MotionLine[] }) {
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  return (
    <Layout ctx={ctx} title={c.motionsTitle} lead={c.motionsLead}>
      {motions.length ? (
        <Table
          caption={c.motionsCaption}
          columns={[
            { label: c.motion },
            { label: c.motionKind },
            { label: c.method },
            { label: c.status },
            { label: c.closes },
            { label: c.ballots, numeric: true },
            { label: c.outcome },
          ]}
          rows={motions.map((r) => ({
            key: r.id,
            cells: [
              <a key="t" href={`/motions/${r.id}`}>
                {r.title}
              </a>,
              r.kind,
              r.method,
              stateLabel(r.state, c),
              r.closesAt ? <DateTime key="c" value={r.closesAt} lang={lang} /> : '—',
              r.ballotCount,
              outcomeText(r.outcome),
            ],
          }))}
        />
      ) : (
        <p>{c.noMotions}</p>
      )}
      <p>
        <a href="/rounds">{c.seeRounds}</a>
      </p>
    </Layout>
  );
}

/** One motion: its text, how it is voted, its outcome. */
export function MotionPage({ ctx, motion }: { ctx: PageContext; motion: MotionLine }) {
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  return (
    <Layout ctx={ctx} title={`${c.motion} — ${motion.title}`}>
      <SummaryList
        items={[
          { term: c.motionKind, value: motion.kind },
          { term: c.method, value: motion.method },
          { term: c.status, value: stateLabel(motion.state, c) },
          { term: c.opens, value: motion.opensAt ? <DateTime value={motion.opensAt} lang={lang} /> : '—' },
          { term: c.closes, value: motion.closesAt ? <DateTime value={motion.closesAt} lang={lang} /> : '—' },
          { term: c.ballots, value: motion.ballotCount },
          { term: c.outcome, value: outcomeText(motion.outcome) },
        ]}
      />
      {motion.body ? (
        <>
          <h2>{c.motionBody}</h2>
          {motion.body.split(/\n{2,}/).map((para, i) => (
            <p key={i}>{para}</p>
          ))}
        </>
      ) : null}
      <p>
        <a href="/motions">{c.seeMotions}</a>
      </p>
    </Layout>
  );
}
