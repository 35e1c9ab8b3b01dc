import { EntryPage } from '@app/transparency';
import { Button, Field, Pagination, SearchForm } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { EntriesTable } from './entries-table';
import { PUBLIC_MESSAGES } from './public.messages';

export interface LedgerProps {
  ctx: PageContext;
  query: Record<string, string | undefined>;
  page: EntryPage;
  nextHref: string | null;
  treeSize: number;
}

export function LedgerPage({ ctx, query, page, nextHref, treeSize }: LedgerProps) {
  const m = PUBLIC_MESSAGES[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.ledgerTitle}>
      <SearchForm action="/ledger" label={m.filters}>
        <Field name="kind" label={m.kind} value={query.kind} />
        <Field name="project" label={m.project} value={query.project} />
        <Field name="contributor" label={m.contributor} value={query.contributor} />
        <Field name="from" label={m.dateFrom} value={query.from} />
        <Field name="to" label={m.dateTo} value={query.to} />
        <Button>{m.apply}</Button>
      </SearchForm>
      {page.items.length ? (
        <EntriesTable ctx={ctx} m={m} entries={page.items} caption={m.ledgerCaption} signedSize={treeSize} />
      ) : (
        <p>{m.noEntries}</p>
      )}
      <Pagination ctx={ctx} nextHref={nextHref} />
    </Layout>
  );
}
