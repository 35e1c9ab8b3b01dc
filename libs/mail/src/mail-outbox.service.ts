import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MailError, MailErrorCode } from './mail.errors';
import { MAIL_LANGS, MailLang, MailStatus, OutboxMail, OutboxMailView } from './mail.types';

const ADDRESS = /^[^@\s<>]+@[^@\s<>]+$/;

interface OutboxRow {
  id: string;
  dedupe_key: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  lang: MailLang;
  status: MailStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export const OUTBOX_COLUMNS = `id::text, dedupe_key, recipient, subject, text_body, html_body, lang, status, attempts,
  next_attempt_at, last_error, created_at, sent_at`;

export function toView(r: OutboxRow): OutboxMailView {
  return {
    id: r.id,
    key: r.dedupe_key,
    to: r.recipient,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    lang: r.lang,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export type { OutboxRow };

/** Writes mails into the outbox, inside the caller's transaction; the worker sends them. */
@Injectable()
export class MailOutboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Queues `mail` in the caller's transaction. Idempotent on `mail.key`: the second call with the
   * same key queues nothing and returns the first mail's id with `queued: false`.
   */
  async enqueue(manager: EntityManager, mail: OutboxMail): Promise<{ id: string; queued: boolean }> {
    validate(mail);
    const inserted = (await manager.query(
      `INSERT INTO mail_outbox (dedupe_key, recipient, subject, text_body, html_body, lang)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id::text`,
      [mail.key, mail.to.trim(), mail.subject, mail.text, mail.html ?? null, mail.lang],
    )) as { id: string }[];
    if (inserted.length > 0) return { id: inserted[0].id, queued: true };
    const [existing] = (await manager.query('SELECT id::text FROM mail_outbox WHERE dedupe_key = $1', [
      mail.key,
    ])) as { id: string }[];
    return { id: existing.id, queued: false };
  }

  /** The latest mails, newest first (the development page lists them). */
  async latest(limit = 50, manager: EntityManager = this.dataSource.manager): Promise<OutboxMailView[]> {
    const rows = (await manager.query(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox ORDER BY id DESC LIMIT $1`, [
      Math.min(Math.max(limit, 1), 500),
    ])) as OutboxRow[];
    return rows.map(toView);
  }

  async byKey(key: string, manager: EntityManager = this.dataSource.manager): Promise<OutboxMailView | null> {
    const rows = (await manager.query(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox WHERE dedupe_key = $1`, [
      key,
    ])) as OutboxRow[];
    return rows.length === 0 ? null : toView(rows[0]);
  }
}

function validate(mail: OutboxMail): void {
  const problems: string[] = [];
  if (typeof mail.key !== 'string' || mail.key.length < 1 || mail.key.length > 300)
    problems.push('key: 1 to 300 characters');
  if (typeof mail.to !== 'string' || !ADDRESS.test(mail.to.trim()) || mail.to.length > 320)
    problems.push('to: one address');
  if (typeof mail.subject !== 'string' || mail.subject.length < 1 || mail.subject.length > 300)
    problems.push('subject: 1 to 300 characters');
  else if (/[\r\n]/.test(mail.subject)) problems.push('subject: one line');
  if (typeof mail.text !== 'string' || mail.text.length === 0) problems.push('text: required');
  if (!MAIL_LANGS.includes(mail.lang)) problems.push('lang: fr or en');
  if (problems.length > 0)
    throw new MailError(MailErrorCode.InvalidMail, `invalid mail: ${problems.join('; ')}`, { problems });
}
