import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { formatCreditorReference } from '@app/contributions';
import { Principal, requireRole } from '@app/identity';
import { MailOutboxService } from '@app/mail';
import { formatDecimal } from '@app/money';

export type ReminderEvent = 'issued' | 'due_soon' | 'overdue' | 'receipt';

/** Days before the due date when the reminder goes. */
export const REMINDER_DAYS_BEFORE_DUE = 7;

interface Row {
  event: ReminderEvent;
  event_id: string;
  request_id: string;
  number: string;
  creditor_reference: string;
  due_date: string;
  amount: string;
  currency: string;
  email: string;
  user_id: string;
}

const TEXT = {
  fr: {
    issued: (r: Row) => [
      `Demande de paiement ${r.number}`,
      `Une demande de paiement de ${money(r)} a été émise, à régler avant le ${r.due_date}.`,
    ],
    due_soon: (r: Row) => [
      `Échéance proche : ${r.number}`,
      `La demande de paiement ${r.number} (${money(r)}) arrive à échéance le ${r.due_date}.`,
    ],
    overdue: (r: Row) => [
      `Paiement en retard : ${r.number}`,
      `La demande de paiement ${r.number} (${money(r)}) était à régler le ${r.due_date}. Des intérêts moratoires courent depuis.`,
    ],
    receipt: (r: Row) => [
      `Paiement reçu : ${r.number}`,
      `Nous avons reçu ${money(r)} pour la demande de paiement ${r.number}. Merci.`,
    ],
    reference: 'Référence à rappeler dans le virement',
    link: 'Détail et documents',
  },
  en: {
    issued: (r: Row) => [
      `Payment request ${r.number}`,
      `A payment request for ${money(r)} was issued, due by ${r.due_date}.`,
    ],
    due_soon: (r: Row) => [
      `Due soon: ${r.number}`,
      `Payment request ${r.number} (${money(r)}) is due on ${r.due_date}.`,
    ],
    overdue: (r: Row) => [
      `Payment overdue: ${r.number}`,
      `Payment request ${r.number} (${money(r)}) was due on ${r.due_date}. Late-payment interest runs since.`,
    ],
    receipt: (r: Row) => [
      `Payment received: ${r.number}`,
      `We received ${money(r)} for payment request ${r.number}. Thank you.`,
    ],
    reference: 'Reference to quote in the transfer',
    link: 'Details and documents',
  },
};

function money(r: Row): string {
  return `${formatDecimal(BigInt(r.amount))} ${r.currency}`;
}

/**
 * Mails to an organisation's buyers, through the outbox, each at most once per event and buyer
 * (the outbox key): the payment request issued, a reminder REMINDER_DAYS_BEFORE_DUE days before
 * its due date, an overdue notice, and an acknowledgement of every matched receipt. French and
 * English (both in each mail: the buyer's language is not known), plain text.
 */
@Injectable()
export class BillingRemindersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: MailOutboxService,
    private readonly config: AppConfig,
  ) {}

  async send(caller: Principal | undefined, asOf?: string): Promise<{ queued: number; alreadySent: number }> {
    requireRole(caller, 'treasurer');
    const day =
      asOf && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(asOf) ? asOf : new Date().toISOString().slice(0, 10);
    const rows = (await this.dataSource.query(
      `WITH requests AS (
         SELECT r.id, r.number, r.creditor_reference, r.due_date, r.amount, r.currency, r.organisation_id, d.amount_paid, d.amount_due
           FROM payment_requests r JOIN levy_declarations d ON d.id = r.declaration_id
          WHERE r.kind = 'invoice' AND r.cancels_id IS NULL),
       events AS (
         SELECT 'issued' AS event, id::text AS event_id, id, amount FROM requests
         UNION ALL
         SELECT 'due_soon', id::text, id, amount_due - amount_paid FROM requests
          WHERE amount_paid < amount_due AND due_date BETWEEN $1::date AND $1::date + $2::int
         UNION ALL
         SELECT 'overdue', id::text, id, amount_due - amount_paid FROM requests WHERE amount_paid < amount_due AND due_date < $1::date
         UNION ALL
         SELECT 'receipt', l.id::text, q.id, l.receipt_amount FROM bank_statement_lines l
           JOIN requests q ON q.id = (SELECT id FROM payment_requests WHERE declaration_id = l.declaration_id AND kind = 'invoice' LIMIT 1)
          WHERE l.state = 'matched' AND l.receipt_amount > 0)
       SELECT e.event, e.event_id, q.id::text AS request_id, q.number, q.creditor_reference, to_char(q.due_date, 'YYYY-MM-DD') AS due_date,
              e.amount::text, q.currency, u.email, u.id::text AS user_id
         FROM events e JOIN requests q ON q.id = e.id
         JOIN role_grants g ON g.role = 'buyer' AND g.scope_id = q.organisation_id::text
         JOIN users u ON u.id = g.user_id AND u.email IS NOT NULL
        ORDER BY q.number, e.event`,
      [day, REMINDER_DAYS_BEFORE_DUE],
    )) as Row[];
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    let queued = 0;
    let alreadySent = 0;
    for (const r of rows) {
      const [subjectFr, bodyFr] = TEXT.fr[r.event](r);
      const [subjectEn, bodyEn] = TEXT.en[r.event](r);
      const reference = formatCreditorReference(r.creditor_reference);
      const text = [
        bodyFr,
        `${TEXT.fr.reference} : ${reference}`,
        `${TEXT.fr.link} : ${base}/paiement/${r.request_id}`,
        '',
        '—',
        '',
        bodyEn,
        `${TEXT.en.reference}: ${reference}`,
        `${TEXT.en.link}: ${base}/payment-request/${r.request_id}?lang=en`,
      ].join('\n');
      const result = await this.dataSource.transaction((m) =>
        this.outbox.enqueue(m, {
          key: `billing:${r.event}:${r.event_id}:${r.user_id}`,
          to: r.email,
          subject: `${subjectFr} / ${subjectEn}`,
          text,
          lang: 'fr',
        }),
      );
      if (result.queued) queued += 1;
      else alreadySent += 1;
    }
    return { queued, alreadySent };
  }
}
