import { EntryPage, PendingResolution, PublicNames } from '@app/transparency';
import { Button, Field, Pagination, SearchForm, SelectField } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { EntriesTable } from './entries-table';
import { CATALOGUE } from './catalogue.messages';
import { KIND_OPTIONS, kindLabel } from './labels';
import { PUBLIC_MESSAGES } from './public.messages';

export interface LedgerProps {
  ctx: PageContext;
  query: Record<string, string | undefined>;
  page: EntryPage;
  nextHref: string | null;
  treeSize: number;
  names: PublicNames;
  resolutions: readonly PendingResolution[];
}

export function LedgerPage({ ctx, query, page, nextHref, treeSize, names, resolutions }: LedgerProps) {
  const m = PUBLIC_MESSAGES[ctx.lang];
  const c = CATALOGUE[ctx.lang];
  const kinds =
    query.kind && !KIND_OPTIONS.includes(query.kind) ? [...KIND_OPTIONS, query.kind] : KIND_OPTIONS;
  return (
    <Layout ctx={ctx} title={m.ledgerTitle}>
      <SearchForm action="/ledger" label={m.filters}>
        <SelectField
          name="kind"
          label={m.kind}
          value={query.kind ?? ''}
          options={[
            { value: '', label: c.kindAll },
            ...kinds.map((k) => ({ value: k, label: kindLabel(k, ctx.lang) })),
          ]}
        />
        <Field name="project" label={m.project} value={query.project} />
        <Field name="contributor" label={m.contributor} value={query.contributor} />
        <Field name="from" label={m.dateFrom} value={query.from} />
        <Field name="to" label={m.dateTo} value={query.to} />
        <Button>{m.apply}</Button>
      </SearchForm>
      {page.items.length ? (
        <EntriesTable
          ctx={ctx}
          m={m}
          entries={page.items}
          caption={m.ledgerCaption}
          signedSize={treeSize}
          names={names}
          resolutions={resolutions}
        />
      ) : (
        <p>{m.noEntries}</p>
      )}
      <Pagination ctx={ctx} nextHref={nextHref} />
    </Layout>
  );
}
