import { randomBytes } from 'node:crypto';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { SmtpCapture, startSmtpCapture } from '@app/testing';
import { MailError } from './mail.errors';
import { MailModule } from './mail.module';
import { MailOutboxService } from './mail-outbox.service';
import { MAIL_MAX_ATTEMPTS, MailSenderService } from './mail-sender.service';

const uniqueId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

@Module({ imports: [ConfigModule, DatabaseModule, MailModule] })
class MailTestModule {}

/** The outbox on the real database and a real SMTP server: once per key, retried, never sent twice. */
describe('Mail outbox (PostgreSQL + SMTP)', () => {
  let smtp: SmtpCapture;
  let apps: INestApplicationContext[];
  let outbox: MailOutboxService;
  let sut: MailSenderService;
  let other: MailSenderService;
  let db: DataSource;
  const saved = process.env.SMTP_URL;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    process.env.SMTP_URL = smtp.url;
    apps = [
      await NestFactory.createApplicationContext(MailTestModule, { logger: false }),
      await NestFactory.createApplicationContext(MailTestModule, { logger: false }),
    ];
    outbox = apps[0].get(MailOutboxService);
    sut = apps[0].get(MailSenderService);
    other = apps[1].get(MailSenderService);
    db = apps[0].get(DataSource);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await smtp.close();
    process.env.SMTP_URL = saved;
  });

  beforeEach(async () => {
    // Mails other tests left due would be sent first: push them out of the way.
    await db.query(
      `UPDATE mail_outbox SET next_attempt_at = now() + interval '1 day' WHERE status = 'queued'`,
    );
  });

  const mail = (to: string, key = uniqueId('mail')) => ({
    key,
    to,
    subject: 'Votre lien de connexion',
    text: 'Bonjour,\nsuivez ce lien : http://127.0.0.1:3000/connexion/lien?t=abc\nÀ bientôt.',
    lang: 'fr' as const,
  });

  it('queues a mail once per key, in the caller transaction only', async () => {
    const to = `${uniqueId('a')}@example.test`;
    const m = mail(to);
    const first = await db.transaction((tx) => outbox.enqueue(tx, m));
    const second = await db.transaction((tx) => outbox.enqueue(tx, { ...m, subject: 'another' }));
    expect(first.queued).toBe(true);
    expect(second).toEqual({ id: first.id, queued: false });
    await expect(
      db.transaction(async (tx) => {
        await outbox.enqueue(tx, mail(to, 'rolled-back-' + m.key));
        throw new Error('the fact failed');
      }),
    ).rejects.toThrow('the fact failed');
    expect(await outbox.byKey('rolled-back-' + m.key)).toBeNull();
    expect((await outbox.byKey(m.key))?.subject).toBe('Votre lien de connexion');
  });

  it('refuses a mail without a valid address, a multi-line subject or an unknown language', async () => {
    for (const bad of [
      { ...mail('not-an-address') },
      { ...mail('x@example.test'), subject: 'a\r\nBcc: y@example.test' },
      { ...mail('x@example.test'), lang: 'de' as never },
      { ...mail('x@example.test'), key: '' },
    ])
      await expect(db.transaction((tx) => outbox.enqueue(tx, bad))).rejects.toBeInstanceOf(MailError);
  });

  it('sends a queued mail over SMTP with its text part and marks it sent', async () => {
    const to = `${uniqueId('b')}@example.test`;
    const m = mail(to);
    await db.transaction((tx) => outbox.enqueue(tx, m));
    expect(await sut.sendDue()).toEqual(['sent']);
    const received = await smtp.waitForMail(to);
    expect(received.subject).toBe('Votre lien de connexion');
    expect(received.text).toBe(m.text);
    expect(received.headers['content-language']).toBe('fr');
    const row = await outbox.byKey(m.key);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await sut.sendDue()).toEqual([]);
  });

  it('retries a mail the server refused, with a growing delay, and fails it after the last attempt', async () => {
    const to = `${uniqueId('c')}@example.test`;
    const m = mail(to);
    await db.transaction((tx) => outbox.enqueue(tx, m));
    smtp.failNext(1);
    expect(await sut.sendDue()).toEqual(['retry']);
    const row = await outbox.byKey(m.key);
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row!.lastError).toMatch(/451/);
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await sut.sendDue()).toEqual([]); // not due yet
    await db.query('UPDATE mail_outbox SET next_attempt_at = now() WHERE dedupe_key = $1', [m.key]);
    expect(await sut.sendDue()).toEqual(['sent']);
    expect((await smtp.waitForMail(to)).subject).toBe(m.subject);

    const doomed = mail(`${uniqueId('d')}@example.test`);
    await db.transaction((tx) => outbox.enqueue(tx, doomed));
    await db.query('UPDATE mail_outbox SET attempts = $2 WHERE dedupe_key = $1', [
      doomed.key,
      MAIL_MAX_ATTEMPTS - 1,
    ]);
    smtp.failNext(1);
    expect(await sut.sendDue()).toEqual(['failed']);
    expect(await outbox.byKey(doomed.key)).toMatchObject({ status: 'failed', attempts: MAIL_MAX_ATTEMPTS });
  });

  it('never sends a mail twice when two workers poll at once', async () => {
    const recipients = Array.from({ length: 12 }, () => `${uniqueId('e')}@example.test`);
    await db.transaction(async (tx) => {
      for (const to of recipients) await outbox.enqueue(tx, mail(to));
    });
    const before = smtp.messages.length;
    const [a, b] = await Promise.all([sut.sendDue(), other.sendDue()]);
    expect(a.length + b.length).toBe(12);
    const received = smtp.messages.slice(before).flatMap((m) => m.to);
    expect(received.sort()).toEqual([...recipients].sort());
  });
});
