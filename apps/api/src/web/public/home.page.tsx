import { FundFlows, FundTotals } from '@app/transparency';
import { Money, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';
import { RoundLine, stateLabel } from './governance.pages';
import { PUBLIC_MESSAGES } from './public.messages';
import { nodeLabel, Sankey } from './sankey';

export interface HomeProps {
  ctx: PageContext;
  totals: FundTotals | undefined;
  flows: FundFlows;
  treeSize: number;
  verifierKey: string;
  projects: readonly { slug: string; name: string; received: bigint }[];
  moreProjects: boolean;
  rounds: readonly RoundLine[];
}

export function HomePage({
  ctx,
  totals,
  flows,
  treeSize,
  verifierKey,
  projects,
  moreProjects,
  rounds,
}: HomeProps) {
  const c = CATALOGUE[ctx.lang];
  const m = PUBLIC_MESSAGES[ctx.lang];
  const { lang } = ctx;
  const figures: [string, string, bigint][] = totals
    ? [
        ['received', m.received, totals.received],
        ['fees', m.processorFees, totals.processorFees],
        ['operating', m.operatingIncome, totals.operatingIncome],
        ['directed', m.directed, totals.directed],
        ['pool', m.pool, totals.pool],
        ['allocated', m.allocated, totals.allocated],
        ['payable', m.payable, totals.payable],
        ['paid', m.paidOut, totals.paidOut],
      ]
    : [];
  return (
    <Layout ctx={ctx} title={m.homeTitle} lead={c.homeLead}>
      <section aria-labelledby="projects-h">
        <h2 id="projects-h">{c.homeProjects}</h2>
        {projects.length ? (
          <ul className="cards">
            {projects.map((p) => (
              <li className="card" key={p.slug}>
                <h3>
                  <a href={`/projects/${encodeURIComponent(p.slug)}`}>{p.name}</a>
                </h3>
                <p>
                  {c.received} : <Money cents={p.received} lang={lang} />
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <p>{c.noProjects}</p>
        )}
        <p>
          <a href="/projects">{c.homeProjectsAll}</a>
          {moreProjects ? ' …' : ''}
        </p>
      </section>
      <section aria-labelledby="rounds-h">
        <h2 id="rounds-h">{c.homeRounds}</h2>
        {rounds.length ? (
          <ul>
            {rounds.map((r) => (
              <li key={r.id}>
                <a href={`/rounds/${r.id}`}>{r.title}</a> — {stateLabel(r.state, c)},{' '}
                <Money cents={r.budget} currency={r.currency} lang={lang} />
              </li>
            ))}
          </ul>
        ) : (
          <p>{c.noRounds}</p>
        )}
        <p>
          <a href="/rounds">{c.homeRoundsAll}</a>
        </p>
      </section>
      <section aria-labelledby="totals-h">
        <h2 id="totals-h">{m.totalsCaption}</h2>
        <Table
          caption={m.totalsCaption}
          columns={[{ label: m.item }, { label: m.figure, numeric: true }]}
          rows={figures.map(([key, label, v]) => ({
            key,
            cells: [label, <Money key="m" cents={v} lang={lang} />],
          }))}
        />
        <p>
          {m.entriesCount} : {totals?.entries ?? 0}
        </p>
      </section>
      <section aria-labelledby="flows-h">
        <h2 id="flows-h">{m.flowsTitle}</h2>
        {flows.links.length > 0 ? (
          <>
            <figure className="figure-sankey">
              <Sankey links={flows.links} currency="EUR" lang={lang} t={m} />
              <figcaption>{m.flowsDesc}</figcaption>
            </figure>
            <Table
              caption={m.flowsCaption}
              columns={[{ label: m.from }, { label: m.to }, { label: m.amount, numeric: true }]}
              rows={flows.links.map((l, i) => ({
                key: String(i),
                cells: [
                  nodeLabel(l.source, m),
                  nodeLabel(l.target, m),
                  <Money key="m" cents={l.amount} lang={lang} />,
                ],
              }))}
            />
          </>
        ) : (
          <p>{m.noFlows}</p>
        )}
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">{m.logTitle}</h2>
        <p>{m.logText}</p>
        <p>
          {m.checkpointSize} : {treeSize} — <a href="/log/checkpoint">checkpoint</a>
        </p>
        <p>
          {m.verifierKey} : <code>{verifierKey}</code>
        </p>
        <p>
          <code>
            npx librery verify {'<url>'} --key {verifierKey}
          </code>
        </p>
      </section>
    </Layout>
  );
}
