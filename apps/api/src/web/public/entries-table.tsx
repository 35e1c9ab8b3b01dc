import { PublicEntry } from '@app/transparency';
import { DateTime, Money, Table } from '../components';
import { PageContext } from '../page-context';
import { PublicMessages } from './public.messages';

/** Ledger entries with their postings, amount and inclusion proof. */
export function EntriesTable({
  ctx,
  m,
  entries,
  caption,
  signedSize,
}: {
  ctx: PageContext;
  m: PublicMessages;
  entries: readonly PublicEntry[];
  caption: string;
  signedSize: number;
}) {
  const { lang } = ctx;
  return (
    <Table
      caption={caption}
      columns={[
        { label: m.date },
        { label: m.entry },
        { label: m.kind },
        { label: m.contributor },
        { label: m.postings },
        { label: m.amount, numeric: true },
        { label: m.proof },
      ]}
      rows={entries.map((e) => {
        const debits = e.postings.filter((p) => p.direction === 'debit');
        const total = debits.reduce((s, p) => s + p.amount, 0n);
        return {
          key: e.id,
          cells: [
            <DateTime key="d" value={e.occurredAt} lang={lang} />,
            e.id,
            e.kind,
            e.contributor?.name ?? '',
            <ul key="p">
              {e.postings.map((p, i) => (
                <li key={i}>
                  {p.direction === 'debit' ? m.debit : m.credit} <code>{p.account}</code>{' '}
                  <Money cents={p.amount} currency={p.currency} lang={lang} />
                </li>
              ))}
            </ul>,
            <Money key="m" cents={total} currency={debits[0]?.currency ?? 'EUR'} lang={lang} />,
            e.logIndex !== null && e.logIndex < signedSize ? (
              <a key="proof" href={`/log/proof/inclusion?index=${e.logIndex}&size=${signedSize}`}>
                {m.proofLink} #{e.logIndex}
              </a>
            ) : e.logIndex !== null ? (
              `#${e.logIndex}`
            ) : (
              m.notInLog
            ),
          ],
        };
      })}
    />
  );
}
