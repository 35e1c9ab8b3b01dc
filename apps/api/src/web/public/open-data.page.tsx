import { OPEN_DATA_LICENCE, POSTINGS_FIELDS } from '@app/transparency';
import { DateTime, SummaryList, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';

/** The open data as a page: files, their schema and licence. */
export function OpenDataPage({ ctx, lastUpdate }: { ctx: PageContext; lastUpdate: Date }) {
  const c = CATALOGUE[ctx.lang];
  const files = [
    { href: '/open-data/postings.csv', format: 'CSV', text: c.postingsFile, name: 'postings.csv' },
    { href: '/open-data/entries.ndjson', format: 'NDJSON', text: c.entriesFile, name: 'entries.ndjson' },
    {
      href: '/open-data/schema.json',
      format: 'JSON (Table Schema)',
      text: c.schemaFile,
      name: 'schema.json',
    },
    {
      href: '/open-data?format=json',
      format: 'JSON (Data Package)',
      text: c.packageFile,
      name: 'datapackage.json',
    },
  ];
  return (
    <Layout ctx={ctx} title={c.openDataTitle} lead={c.openDataLead}>
      <SummaryList
        items={[
          { term: c.lastUpdate, value: <DateTime value={lastUpdate} lang={ctx.lang} /> },
          {
            term: c.licenceTitle,
            value: (
              <a href={OPEN_DATA_LICENCE.path} hrefLang="fr">
                {c.licenceText}
              </a>
            ),
          },
        ]}
      />
      <Table
        caption={c.openDataFilesCaption}
        columns={[{ label: c.file }, { label: c.format }, { label: c.contents }]}
        rows={files.map((f) => ({
          key: f.href,
          cells: [
            <a key="f" href={f.href}>
              {f.name}
            </a>,
            f.format,
            f.text,
          ],
        }))}
      />
      <h2>{c.schemaTitle}</h2>
      <Table
        caption={c.schemaCaption}
        columns={[{ label: c.column }, { label: c.type }, { label: c.required }, { label: c.description }]}
        rows={POSTINGS_FIELDS.map((f) => ({
          key: f.name,
          cells: [
            <code key="n">{f.name}</code>,
            f.type,
            'constraints' in f && (f.constraints as { required?: boolean }).required ? c.yes : c.no,
            <span key="d" lang="en">
              {f.description}
            </span>,
          ],
        }))}
      />
    </Layout>
  );
}
