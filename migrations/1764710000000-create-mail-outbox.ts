import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox: a mail is written in the same transaction as the fact that causes it and sent
 * by the worker. The dedupe key makes the same fact mail once, whatever retries its writer does.
 */
export class CreateMailOutbox1764710000000 implements MigrationInterface {
  name = 'CreateMailOutbox1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY,
        dedupe_key text NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text,
        lang text NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT mail_outbox_pkey PRIMARY KEY (id),
        CONSTRAINT mail_outbox_dedupe_key_key UNIQUE (dedupe_key),
        CONSTRAINT mail_outbox_dedupe_key_check CHECK (length(dedupe_key) BETWEEN 1 AND 300),
        CONSTRAINT mail_outbox_recipient_check CHECK (recipient ~ '^[^@\\s<>]+@[^@\\s<>]+$' AND length(recipient) <= 320),
        CONSTRAINT mail_outbox_subject_check CHECK (length(subject) BETWEEN 1 AND 300 AND subject !~ '[\\r\\n]'),
        CONSTRAINT mail_outbox_lang_check CHECK (lang IN ('fr', 'en')),
        CONSTRAINT mail_outbox_status_check CHECK (status IN ('queued', 'sent', 'failed')),
        CONSTRAINT mail_outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
        CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0)
      );
      CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mail_outbox');
  }
}
