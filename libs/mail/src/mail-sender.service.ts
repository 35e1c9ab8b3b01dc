import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { MAIL_TRANSPORT, MailTransport } from './mail-transport';
import { OUTBOX_COLUMNS, OutboxRow } from './mail-outbox.service';
import { SendOutcome } from './mail.types';

/** After this many failed attempts a mail is marked failed and left for a person to look at. */
export const MAIL_MAX_ATTEMPTS = 8;

/** Seconds before attempt n + 1 after n failures: 30 s, 1 min, 2 min… capped at one hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3600);
}

/**
 * Sends the outbox's due mails. Each mail is claimed with FOR UPDATE SKIP LOCKED and marked sent
 * in the same transaction as its claim, so two workers never send the same mail.
 */
@Injectable()
export class MailSenderService implements OnModuleDestroy {
  private readonly logger = new Logger(MailSenderService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    private readonly config: AppConfig,
  ) {}

  /** Sends up to `max` due mails, one transaction each; returns what happened to each. */
  async sendDue(max = 50): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    for (let i = 0; i < max; i++) {
      const outcome = await this.sendOne();
      if (outcome === null) break;
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Claims and sends the oldest due mail; null when none is due. */
  async sendOne(): Promise<SendOutcome | null> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT ${OUTBOX_COLUMNS} FROM mail_outbox
          WHERE status = 'queued' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )) as OutboxRow[];
      if (rows.length === 0) return null;
      const mail = rows[0];
      try {
        await this.transport.send({
          from: this.config.MAIL_FROM,
          to: mail.recipient,
          subject: mail.subject,
          text: mail.text_body,
          html: mail.html_body ?? undefined,
          headers: { 'Content-Language': mail.lang, 'X-Librery-Mail': mail.id },
          messageId: `<mail-${mail.id}@${hostOf(this.config.PUBLIC_BASE_URL)}>`,
        });
      } catch (error) {
        const attempts = mail.attempts + 1;
        const failed = attempts >= MAIL_MAX_ATTEMPTS;
        const message = error instanceof Error ? error.message : String(error);
        await m.query(
          `UPDATE mail_outbox SET attempts = $2, last_error = $3, status = $4,
                  next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
          [
            mail.id,
            attempts,
            message.slice(0, 1000),
            failed ? 'failed' : 'queued',
            retryDelaySeconds(attempts),
          ],
        );
        this.logger.warn(
          { mailId: mail.id, attempts, err: message },
          failed ? 'mail failed' : 'mail will be retried',
        );
        return failed ? 'failed' : 'retry';
      }
      await m.query(
        `UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
        [mail.id],
      );
      return 'sent';
    });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'librery.local';
  } catch {
    return 'librery.local';
  }
}
