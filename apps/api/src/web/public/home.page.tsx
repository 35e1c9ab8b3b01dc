import { FundFlows, FundTotals } from '@app/transparency';
import { Money, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { PUBLIC_MESSAGES } from './public.messages';
import { nodeLabel, Sankey } from './sankey';

export interface HomeProps {
  ctx: PageContext;
  totals: FundTotals | undefined;
  flows: FundFlows;
  treeSize: number;
  verifierKey: string;
}

export function HomePage({ ctx, totals, flows, treeSize, verifierKey }: HomeProps) {
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
    <Layout ctx={ctx} title={m.homeTitle}>
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
