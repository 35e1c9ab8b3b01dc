import { RoundView } from '@app/transparency';
import { DateTime, Money, SummaryList, Table } from '../components';
import { formatFraction } from '../format';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { EntriesTable } from './entries-table';
import { PUBLIC_MESSAGES } from './public.messages';

interface RoundAudit {
  result?: {
    Q?: Record<string, string>;
    cents?: Record<string, string>;
    perCollege?: Record<string, { n: number; participating: boolean; q: Record<string, string> | null }>;
  };
}

export function RoundPage({ ctx, r, treeSize }: { ctx: PageContext; r: RoundView; treeSize: number }) {
  const m = PUBLIC_MESSAGES[ctx.lang];
  const { lang } = ctx;
  const audit = r.audit as RoundAudit | null;
  const result = audit?.result;
  const projects = result ? Object.keys(result.Q ?? result.cents ?? {}) : [];
  return (
    <Layout ctx={ctx} title={`${m.roundTitle} — ${r.title}`}>
      <SummaryList
        items={[
          { term: m.state, value: r.state },
          { term: m.budget, value: <Money cents={r.budget} currency={r.currency} lang={lang} /> },
          { term: m.ballots, value: r.ballotCount },
          {
            term: m.window,
            value: (
              <>
                <DateTime value={r.opensAt} lang={lang} /> – <DateTime value={r.closesAt} lang={lang} />
              </>
            ),
          },
        ]}
      />
      {result ? (
        <>
          <Table
            caption={m.perCollegeCaption}
            columns={[
              { label: m.college },
              { label: m.ballots, numeric: true },
              { label: m.participating },
              ...projects.map((p) => ({ label: p, numeric: true })),
            ]}
            rows={Object.entries(result.perCollege ?? {}).map(([college, c]) => ({
              key: college,
              cells: [
                college,
                c.n,
                c.participating ? m.yes : m.no,
                ...projects.map((pid) => formatFraction(c.q?.[pid], lang)),
              ],
            }))}
          />
          <Table
            caption={m.allocationCaption}
            columns={[
              { label: m.project },
              { label: m.weightedShare, numeric: true },
              { label: m.amount, numeric: true },
            ]}
            rows={projects.map((pid) => ({
              key: pid,
              cells: [
                <a key="p" href={`/projects/${encodeURIComponent(pid)}`}>
                  {pid}
                </a>,
                formatFraction(result.Q?.[pid], lang),
                <Money key="m" cents={result.cents?.[pid] ?? '0'} currency={r.currency} lang={lang} />,
              ],
            }))}
          />
        </>
      ) : (
        <p>{m.notTallied}</p>
      )}
      {r.entries.length ? (
        <EntriesTable ctx={ctx} m={m} entries={r.entries} caption={m.ledgerCaption} signedSize={treeSize} />
      ) : null}
    </Layout>
  );
}
