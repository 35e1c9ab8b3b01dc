import { ProjectView as CatalogueProject, ProjectStatus } from '@app/projects';
import { Button, Field, Money, Pagination, SearchForm, SelectField, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE, CatalogueMessages } from './catalogue.messages';

export function statusLabel(status: ProjectStatus, c: CatalogueMessages): string {
  return {
    proposed: c.statusProposed,
    admitted: c.statusAdmitted,
    suspended: c.statusSuspended,
    archived: c.statusArchived,
  }[status];
}

export interface ProjectsIndexProps {
  ctx: PageContext;
  query: { q?: string; status?: string; licence?: string };
  items: readonly CatalogueProject[];
  money: ReadonlyMap<string, { received: bigint; paidOut: bigint }>;
  nextHref: string | null;
}

/** Every project, searchable by name, status and licence, with what it received and was paid. */
export function ProjectsIndexPage({ ctx, query, items, money, nextHref }: ProjectsIndexProps) {
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  return (
    <Layout ctx={ctx} title={c.projectsTitle} lead={c.projectsLead}>
      <SearchForm action="/projects" label={c.search}>
        <Field name="q" label={c.searchLabel} type="search" value={query.q} />
        <SelectField
          name="status"
          label={c.status}
          value={query.status ?? ''}
          options={[
            { value: '', label: c.anyStatus },
            ...(['admitted', 'proposed', 'suspended', 'archived'] as const).map((s) => ({
              value: s,
              label: statusLabel(s, c),
            })),
          ]}
        />
        <Field name="licence" label={c.licence} hint={c.licenceHint} value={query.licence} />
        <Button>{c.search}</Button>
      </SearchForm>
      {items.length === 0 ? (
        <p>{c.noProjectMatches}</p>
      ) : (
        <Table
          caption={c.projectsCaption}
          columns={[
            { label: c.project },
            { label: c.status },
            { label: c.licence },
            { label: c.received, numeric: true },
            { label: c.paidOutToProject, numeric: true },
          ]}
          rows={items.map((p) => ({
            key: p.id,
            cells: [
              <>
                <a href={`/projects/${encodeURIComponent(p.slug)}`}>{p.name}</a>
                <br />
                <span className="muted">
                  {p.description.length > 140 ? `${p.description.slice(0, 140)}…` : p.description}
                </span>
              </>,
              statusLabel(p.status, c),
              <code key="l">{p.licence}</code>,
              <Money key="r" cents={money.get(p.id)?.received ?? 0n} lang={lang} />,
              <Money key="p" cents={money.get(p.id)?.paidOut ?? 0n} lang={lang} />,
            ],
          }))}
        />
      )}
      <Pagination ctx={ctx} nextHref={nextHref} />
      <p>
        <a href="/dependances">{c.depsTitle}</a>
      </p>
    </Layout>
  );
}
