import { ProjectView } from '@app/transparency';
import { Money, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { EntriesTable } from './entries-table';
import { PUBLIC_MESSAGES } from './public.messages';

export function ProjectPage({ ctx, p, treeSize }: { ctx: PageContext; p: ProjectView; treeSize: number }) {
  const m = PUBLIC_MESSAGES[ctx.lang];
  const { lang } = ctx;
  const figures: [string, string, bigint][] = [
    ['directed', m.receivedDirected, p.receivedDirected],
    ['allocated', m.receivedAllocated, p.receivedAllocated],
    ['balance', m.balance, p.balanceDirected + p.balanceAllocated],
    ['payable', m.movedToPayable, p.movedToPayable],
    ['paid', m.paidOut, p.paidOut],
  ];
  return (
    <Layout ctx={ctx} title={`${m.projectTitle} ${p.name}`}>
      <Table
        caption={m.projectFigures}
        columns={[{ label: m.item }, { label: m.figure, numeric: true }]}
        rows={figures.map(([key, label, v]) => ({
          key,
          cells: [label, <Money key="m" cents={v} currency={p.currency} lang={lang} />],
        }))}
      />
      <Table
        caption={m.fromWhomCaption}
        columns={[{ label: m.contributor }, { label: m.kind }, { label: m.amount, numeric: true }]}
        rows={p.fromWhom.map((w, i) => ({
          key: String(i),
          cells: [
            w.contributor ? (
              <a key="c" href={`/ledger?contributor=${encodeURIComponent(w.contributor.id)}`}>
                {w.contributor.name}
              </a>
            ) : w.amount >= 0n ? (
              m.committeePool
            ) : (
              m.unknownContributor
            ),
            w.contributor ? (w.contributor.kind === 'public_body' ? m.publicBodies : m.donors) : '',
            <Money key="m" cents={w.amount} currency={p.currency} lang={lang} />,
          ],
        }))}
      />
      {p.entries.length ? (
        <EntriesTable ctx={ctx} m={m} entries={p.entries} caption={m.ledgerCaption} signedSize={treeSize} />
      ) : null}
    </Layout>
  );
}
