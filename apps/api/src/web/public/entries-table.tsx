import { PendingResolution, PublicEntry, PublicNames } from '@app/transparency';
import { DateTime, Money, Table } from '../components';
import { PageContext } from '../page-context';
import { CATALOGUE } from './catalogue.messages';
import { accountLabel, kindLabel } from './labels';
import { PublicMessages } from './public.messages';

export const NO_NAMES: PublicNames = { projects: new Map(), rounds: new Map() };

/** A payout's state as a badge. */
export function PayoutState({ ctx, state }: { ctx: PageContext; state: 'pending' | 'confirmed' | 'failed' }) {
  const c = CATALOGUE[ctx.lang];
  const [cls, label] =
    state === 'confirmed'
      ? ['badge badge--ok', c.payoutConfirmed]
      : state === 'failed'
        ? ['badge badge--failed', c.payoutFailed]
        : ['badge badge--pending', c.payoutPending];
  return <span className={cls}>{label}</span>;
}

/**
 * Ledger entries in words: the kind's label, who gave, each posting's account by name (its code
 * kept as detail), the amount, the inclusion proof. A payout shows its state; its confirmation or
 * failure says which payout it settles.
 */
export function EntriesTable({
  ctx,
  m,
  entries,
  caption,
  signedSize,
  names = NO_NAMES,
  resolutions = [],
}: {
  ctx: PageContext;
  m: PublicMessages;
  entries: readonly PublicEntry[];
  caption: string;
  signedSize: number;
  names?: PublicNames;
  resolutions?: readonly PendingResolution[];
}) {
  const { lang } = ctx;
  const c = CATALOGUE[lang];
  const settled = new Map(resolutions.map((r) => [r.pendingEntryId, r]));
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
        const payout = e.flow === 'pending' && e.kind.startsWith('disbursement.payout');
        return {
          key: e.id,
          cells: [
            <DateTime key="d" value={e.occurredAt} lang={lang} />,
            `n° ${e.id}`,
            <>
              {kindLabel(e.kind, lang)}
              {payout ? (
                <>
                  {' '}
                  <PayoutState ctx={ctx} state={settled.get(e.id)?.state ?? 'pending'} />
                </>
              ) : null}
              {e.pendingEntryId ? (
                <span className="muted">
                  {' '}
                  ({c.resolves} {e.pendingEntryId})
                </span>
              ) : null}
              <br />
              <code className="muted">{e.kind}</code>
            </>,
            e.contributor?.name ?? '',
            <ul key="p">
              {e.postings.map((p, i) => {
                const account = accountLabel(p.account, names, lang);
                return (
                  <li key={i}>
                    {p.direction === 'debit' ? m.debit : m.credit}{' '}
                    {account.href ? <a href={account.href}>{account.label}</a> : account.label}{' '}
                    <Money cents={p.amount} currency={p.currency} lang={lang} />
                    <br />
                    <code className="muted" title={c.accountDetail}>
                      {p.account}
                    </code>
                  </li>
                );
              })}
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
