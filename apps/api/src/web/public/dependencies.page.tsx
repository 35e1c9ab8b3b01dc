import { PublicDependency } from '@app/projects';
import { Button, Money, SearchForm, SelectField, Table } from '../components';
import { Layout } from '../layout';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';

/** What public money depends on, funded or not (from the analysed SBOMs). */
export function DependenciesPage({
  ctx,
  items,
  unfundedOnly,
}: {
  ctx: PageContext;
  items: readonly PublicDependency[];
  unfundedOnly: boolean;
}) {
  const c = CATALOGUE[ctx.lang];
  const { lang } = ctx;
  return (
    <Layout ctx={ctx} title={c.depsTitle} lead={c.depsLead}>
      <SearchForm action="/dependances" label={c.depsFilter}>
        <SelectField
          name="unfunded"
          label={c.depsFilter}
          value={unfundedOnly ? 'true' : ''}
          options={[
            { value: '', label: c.depsAll },
            { value: 'true', label: c.depsUnfundedOnly },
          ]}
        />
        <Button>{c.depsFilter}</Button>
      </SearchForm>
      {items.length ? (
        <Table
          caption={c.depsCaption}
          columns={[
            { label: c.package },
            { label: c.analyses, numeric: true },
            { label: c.direct, numeric: true },
            { label: c.funded },
            { label: c.received, numeric: true },
          ]}
          rows={items.map((d) => ({
            key: d.purl,
            cells: [
              <>
                <code>{d.purl}</code>
                {d.project ? (
                  <>
                    <br />
                    <a href={`/projects/${encodeURIComponent(d.project.slug)}`}>{d.project.name}</a>
                  </>
                ) : null}
              </>,
              d.analyses,
              d.directAnalyses,
              d.admitted ? c.fundedYes : d.registered ? c.fundedRegistered : c.fundedNo,
              <Money key="m" cents={d.received} currency={d.currency} lang={lang} />,
            ],
          }))}
        />
      ) : (
        <p>{c.noDeps}</p>
      )}
    </Layout>
  );
}
