import {
  FundIdentity,
  OverdueObligationView,
  PaymentRequestsService,
  PaymentRequestView,
  ReconciliationView,
  StatementLineView,
  SuspenseItemView,
} from '@app/billing';
import { formatCreditorReference } from '@app/contributions';
import { ButtonLink, Money, Notice, SummaryList, Table } from '../web/components';
import { Layout } from '../web/layout';
import { PageContext } from '../web/page-context';
import { BILLING } from './billing.messages';

type Deposit = Awaited<ReturnType<PaymentRequestsService['deposits']>>[number];

/** The buyer's (or the treasurer's) view of one payment request: what to pay, how, and the documents. */
export function PaymentRequestPage({
  ctx,
  request,
  fund,
}: {
  ctx: PageContext;
  request: PaymentRequestView;
  fund: FundIdentity;
}) {
  const m = BILLING[ctx.lang];
  const base = ctx.lang === 'fr' ? `/paiement/${request.id}` : `/payment-request/${request.id}`;
  const title = `${request.kind === 'credit_note' ? m.creditNoteTitle : m.requestTitle} ${request.number}`;
  return (
    <Layout ctx={ctx} title={title} lead={m.lead}>
      <SummaryList
        items={[
          {
            term: m.amount,
            value: <Money cents={request.amount} currency={request.currency} lang={ctx.lang} />,
          },
          {
            term: m.paid,
            value: (
              <Money cents={request.obligation.amountPaid} currency={request.currency} lang={ctx.lang} />
            ),
          },
          { term: m.status, value: m.statuses[request.obligation.status] ?? request.obligation.status },
          { term: m.issueDate, value: request.issueDate },
          { term: m.dueDate, value: request.dueDate },
          {
            term: m.reference,
            value: (
              <>
                <strong className="reference">{formatCreditorReference(request.creditorReference)}</strong>
                <br />
                <span className="muted">{m.referenceHint}</span>
              </>
            ),
          },
          { term: m.beneficiary, value: fund.accountName },
          { term: m.iban, value: fund.iban.replace(/(.{4})(?=.)/g, '$1 ') },
          ...(fund.bic ? [{ term: m.bic, value: fund.bic }] : []),
          { term: m.buyer, value: `${request.buyer.name} — SIRET ${request.buyer.siret}` },
          { term: m.serviceCode, value: request.buyer.serviceCode ?? m.none },
          { term: m.legalCommitment, value: request.buyer.legalCommitment ?? m.none },
          {
            term: m.chorus,
            value: `${m.chorusStatuses[request.chorus.status]}${request.chorus.reason ? ` — ${request.chorus.reason}` : ''}`,
          },
        ]}
      />
      <h2>{m.downloads}</h2>
      <ul className="actions">
        <li>
          <ButtonLink href={`${base}/${ctx.lang === 'fr' ? 'facture' : 'invoice'}.pdf`}>{m.pdf}</ButtonLink>
        </li>
        <li>
          <ButtonLink href={`${base}/${ctx.lang === 'fr' ? 'facture' : 'invoice'}.xml`} variant="secondary">
            {m.xml}
          </ButtonLink>
        </li>
      </ul>
    </Layout>
  );
}

/** A table, or a short notice under its caption when it has no rows. */
function TableOrNothing(props: Parameters<typeof Table>[0] & { nothing: string }) {
  const { nothing, ...table } = props;
  if (table.rows.length > 0) return <Table {...table} />;
  return (
    <section>
      <h2 className="caption-like">{table.caption}</h2>
      <p className="muted">{nothing}</p>
    </section>
  );
}

export interface TreasuryProps {
  ctx: PageContext;
  reconciliation: ReconciliationView;
  lines: StatementLineView[];
  suspense: SuspenseItemView[];
  overdue: OverdueObligationView[];
  deposits: Deposit[];
}

/** The treasurer's reconciliation: balances, lines by state, credits waiting with their age, suspense, overdue, deposits. */
export function TreasuryPage({ ctx, reconciliation, lines, suspense, overdue, deposits }: TreasuryProps) {
  const m = BILLING[ctx.lang];
  const money = (c: bigint | string, currency = 'EUR') => (
    <Money cents={c} currency={currency} lang={ctx.lang} />
  );
  const r = reconciliation;
  return (
    <Layout ctx={ctx} title={m.treasuryTitle} lead={m.treasuryLead}>
      <h2>{m.balances}</h2>
      {r.bank ? (
        <SummaryList
          items={[
            {
              term: `${m.bankBalance} (${r.bank.closingDate ?? m.none})`,
              value: money(r.bank.closingBalance),
            },
            { term: m.ledgerBalance, value: money(r.ledgerBankBalance) },
            { term: m.difference, value: money(r.difference ?? 0n) },
          ]}
        />
      ) : (
        <Notice>{m.noStatement}</Notice>
      )}
      {r.difference !== null && r.difference !== 0n ? (
        <Notice kind="warning">
          {m.difference} : {money(r.difference)}
        </Notice>
      ) : null}
      <TableOrNothing
        nothing={m.nothing}
        caption={m.lineStates}
        columns={[
          { label: m.state },
          { label: m.count, numeric: true },
          { label: m.total, numeric: true },
          { label: m.oldest, numeric: true },
        ]}
        rows={Object.entries(r.states).map(([state, s]) => ({
          key: state,
          cells: [
            m.lineStateNames[state] ?? state,
            String(s.count),
            money(s.amount),
            s.oldestDays === null ? m.none : String(s.oldestDays),
          ],
        }))}
      />
      <TableOrNothing
        nothing={m.nothing}
        caption={m.waiting}
        columns={[
          { label: m.bankRef },
          { label: m.total, numeric: true },
          { label: m.age, numeric: true },
          { label: m.state },
          { label: m.why },
          { label: m.candidates },
        ]}
        rows={lines
          .filter((l) => l.direction === 'credit')
          .map((l) => ({
            key: l.id,
            cells: [
              l.bankReference ?? l.id.slice(0, 8),
              money(l.amount, l.currency),
              l.ageDays === null ? m.none : String(l.ageDays),
              m.lineStateNames[l.state] ?? l.state,
              l.reason ?? l.unstructured ?? m.none,
              l.candidates.length === 0
                ? m.none
                : l.candidates.map((c) => `${c.reasons.join(', ')} (${c.score})`).join(' ; '),
            ],
          }))}
      />
      <TableOrNothing
        nothing={m.nothing}
        caption={m.suspense}
        columns={[{ label: m.suspenseReason }, { label: m.total, numeric: true }, { label: m.depositDate }]}
        rows={suspense.map((s) => ({
          key: s.id,
          cells: [
            m.suspenseReasons[s.reason] ?? s.reason,
            money(s.amount, s.currency),
            s.createdAt.toISOString().slice(0, 10),
          ],
        }))}
      />
      <TableOrNothing
        nothing={m.nothing}
        caption={m.overdue}
        columns={[
          { label: m.number },
          { label: m.organisation },
          { label: m.dueDate },
          { label: m.outstanding, numeric: true },
          { label: m.daysLate, numeric: true },
          { label: m.rate, numeric: true },
          { label: m.interest, numeric: true },
          { label: m.indemnity, numeric: true },
        ]}
        rows={overdue.map((o) => ({
          key: o.declarationId,
          cells: [
            o.paymentRequestNumber ?? o.declarationId.slice(0, 8),
            o.organisationName,
            o.dueDate,
            money(o.outstanding, o.currency),
            String(o.latePayment.daysLate),
            `${(o.latePayment.rateBps / 100).toFixed(2)} %`,
            <>
              {money(o.latePayment.interest, o.currency)}{' '}
              <span className="muted">({o.latePayment.charged ? m.charged : m.notCharged})</span>
            </>,
            money(o.latePayment.indemnity, o.currency),
          ],
        }))}
      />
      <TableOrNothing
        nothing={m.nothing}
        caption={m.deposits}
        columns={[{ label: m.depositDate }, { label: m.invoices, numeric: true }]}
        rows={deposits.map((d) => ({
          key: d.id,
          cells: [d.createdAt.toISOString().slice(0, 16).replace('T', ' '), String(d.count)],
        }))}
      />
    </Layout>
  );
}
