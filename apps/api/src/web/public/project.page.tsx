import { ProjectPage as CatalogueProject } from '@app/projects';
import { PendingResolution, ProjectView, PublicNames, PublicPayout } from '@app/transparency';
import { ButtonLink, DateTime, Money, Notice, SummaryList, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';
import { EntriesTable, PayoutState } from './entries-table';
import { statusLabel } from './projects.page';
import { PUBLIC_MESSAGES } from './public.messages';

export interface ProjectPageProps {
  ctx: PageContext;
  p: ProjectView;
  catalogue: CatalogueProject | null;
  payouts: readonly PublicPayout[];
  names: PublicNames;
  resolutions: readonly PendingResolution[];
  treeSize: number;
}

/** A project: what it is, how to claim it, what it received and from whom, what was paid out to it. */
export function ProjectPage({ ctx, p, catalogue, payouts, names, resolutions, treeSize }: ProjectPageProps) {
  const m = PUBLIC_MESSAGES[ctx.lang];
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  const waiting = p.balanceDirected + p.balanceAllocated;
  return (
    <Layout ctx={ctx} title={`${m.projectTitle} ${p.name}`} lead={catalogue?.description || undefined}>
      <h2>{c.about}</h2>
      {catalogue ? (
        <SummaryList
          items={[
            { term: c.status, value: statusLabel(catalogue.status, c) },
            { term: c.repository, value: <a href={catalogue.repositoryUrl}>{catalogue.repositoryUrl}</a> },
            ...(catalogue.websiteUrl
              ? [{ term: c.website, value: <a href={catalogue.websiteUrl}>{catalogue.websiteUrl}</a> }]
              : []),
            { term: c.licence, value: <code>{catalogue.licence}</code> },
            {
              term: c.openness,
              value: { A: c.opennessA, B: c.opennessB, C: c.opennessC }[catalogue.opennessLevel],
            },
            ...(catalogue.purls.length
              ? [
                  {
                    term: c.identifiers,
                    value: (
                      <ul>
                        {catalogue.purls.map((u) => (
                          <li key={u}>
                            <code>{u}</code>
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                ]
              : []),
            { term: c.controlVerified, value: catalogue.controlVerified ? c.controlYes : c.controlNo },
          ]}
        />
      ) : (
        <p>{c.notInCatalogue}</p>
      )}
      {catalogue && !catalogue.controlVerified ? (
        <Notice title={c.claimTitle}>
          <p>{c.claimText}</p>
          <p>
            <ButtonLink href="/connexion" variant="secondary">
              {c.claimSignIn}
            </ButtonLink>
          </p>
        </Notice>
      ) : null}

      <h2>{c.money}</h2>
      <Table
        caption={m.projectFigures}
        columns={[{ label: m.item }, { label: m.figure, numeric: true }]}
        rows={[
          {
            key: 'directed',
            cells: [
              m.receivedDirected,
              <Money key="m" cents={p.receivedDirected} currency={p.currency} lang={lang} />,
            ],
          },
          {
            key: 'allocated',
            cells: [
              m.receivedAllocated,
              <Money key="m" cents={p.receivedAllocated} currency={p.currency} lang={lang} />,
            ],
          },
          {
            key: 'waiting',
            cells: [
              <>
                {c.waiting} <span className="muted">({c.waitingHint})</span>
              </>,
              <Money key="m" cents={waiting} currency={p.currency} lang={lang} />,
            ],
          },
          {
            key: 'paid',
            cells: [
              c.paidOutToProject,
              <Money key="m" cents={p.paidOut} currency={p.currency} lang={lang} />,
            ],
          },
        ]}
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

      <h2>{c.payoutsTitle}</h2>
      {payouts.length ? (
        <Table
          caption={c.payoutsCaption}
          columns={[
            { label: c.payoutOrdered },
            { label: m.amount, numeric: true },
            { label: c.payoutState },
            { label: c.payoutResolved },
          ]}
          rows={payouts.map((po) => ({
            key: po.entryId,
            cells: [
              <DateTime key="d" value={po.at} lang={lang} />,
              <Money key="m" cents={po.amount} currency={po.currency} lang={lang} />,
              <PayoutState key="s" ctx={ctx} state={po.state} />,
              po.resolvedAt ? <DateTime key="r" value={po.resolvedAt} lang={lang} /> : '—',
            ],
          }))}
        />
      ) : (
        <p>{c.noPayouts}</p>
      )}

      {p.entries.length ? (
        <EntriesTable
          ctx={ctx}
          m={m}
          entries={p.entries}
          caption={c.entriesOfProject}
          signedSize={treeSize}
          names={names}
          resolutions={resolutions}
        />
      ) : null}
    </Layout>
  );
}
