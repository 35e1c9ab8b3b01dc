import { createHash, randomBytes } from 'node:crypto';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { IdentityModule, IdentityService, SYSTEM_PRINCIPAL } from '@app/identity';
import { MailModule, MailOutboxService } from '@app/mail';
import { EmailLinkService, LINK_REQUESTS_PER_ADDRESS } from './email-link.service';
import { SignInErrorCode } from './sign-in.errors';
import { SignInModule } from './sign-in.module';

@Module({ imports: [ConfigModule, DatabaseModule, IdentityModule, MailModule, SignInModule] })
class SignInTestModule {}

const unique = () => randomBytes(6).toString('hex');

/** Email sign-in links on the real database and Redis: mailed through the outbox, once, 15 minutes, rate-limited. */
describe('EmailLinkService (PostgreSQL + Redis)', () => {
  let app: INestApplicationContext;
  let sut: EmailLinkService;
  let db: DataSource;
  let outbox: MailOutboxService;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(SignInTestModule, { logger: false });
    sut = app.get(EmailLinkService);
    db = app.get(DataSource);
    outbox = app.get(MailOutboxService);
  });
  afterAll(() => app.close());

  const newUser = async () => {
    const email = `donor-${unique()}@example.test`;
    const user = await app.get(IdentityService).createUser(SYSTEM_PRINCIPAL, { email });
    return { email, userId: user.id };
  };
  const mailsTo = async (email: string) =>
    (await outbox.latest(500)).filter((m) => m.to.toLowerCase() === email.toLowerCase());
  const tokenOf = (text: string) => /\/(?:connexion\/lien|sign-in\/link)\/([A-Za-z0-9_-]{43})/.exec(text)![1];

  it('mails a link to a known address (fr or en) and keeps only its hash', async () => {
    const { email, userId } = await newUser();
    await sut.requestLink({ email: `  ${email.toUpperCase()} `, lang: 'fr', ip: `ip-${unique()}` });
    const [mail] = await mailsTo(email);
    expect(mail).toMatchObject({ to: email, lang: 'fr', subject: 'Votre lien de connexion à la Librery' });
    expect(mail.text).toContain('valable 15 minutes');
    expect(mail.html).toContain('<a href="http://');
    const token = tokenOf(mail.text);
    const stored = (await db.query('SELECT token_hash FROM sign_in_links WHERE user_id = $1', [userId])) as {
      token_hash: Buffer;
    }[];
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).toEqual(createHash('sha256').update(token).digest());

    await sut.requestLink({ email, lang: 'en', ip: `ip-${unique()}` });
    const english = (await mailsTo(email)).find((m) => m.lang === 'en')!;
    expect(english.subject).toBe('Your sign-in link to the Librery');
    expect(english.text).toMatch(/\/sign-in\/link\//);
  });

  it('answers the same for an unknown address and mails nothing', async () => {
    const email = `nobody-${unique()}@example.test`;
    await expect(sut.requestLink({ email, lang: 'fr', ip: `ip-${unique()}` })).resolves.toBeUndefined();
    expect(await mailsTo(email)).toEqual([]);
    await expect(sut.requestLink({ email: 'not an address', lang: 'fr', ip: 'x' })).rejects.toMatchObject({
      code: SignInErrorCode.InvalidEmail,
    });
  });

  it('signs in once: a reused link and an expired link are refused and say so', async () => {
    const { email, userId } = await newUser();
    await sut.requestLink({ email, lang: 'fr', ip: `ip-${unique()}` });
    const token = tokenOf((await mailsTo(email))[0].text);
    await expect(sut.check(token)).resolves.toBeUndefined();
    await expect(sut.consume(token, '127.0.0.1')).resolves.toEqual({ userId });
    await expect(sut.check(token)).rejects.toMatchObject({ code: SignInErrorCode.LinkUsed });
    await expect(sut.consume(token, '127.0.0.1')).rejects.toMatchObject({ code: SignInErrorCode.LinkUsed });
    await expect(sut.consume('A'.repeat(43), '127.0.0.1')).rejects.toMatchObject({
      code: SignInErrorCode.LinkUnknown,
    });

    await sut.requestLink({ email, lang: 'fr', ip: `ip-${unique()}` });
    const late = tokenOf((await mailsTo(email))[0].text);
    await db.query(
      `UPDATE sign_in_links SET created_at = now() - interval '16 minutes', expires_at = now() - interval '1 minute'
        WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );
    await expect(sut.consume(late, '127.0.0.1')).rejects.toMatchObject({ code: SignInErrorCode.LinkExpired });
    await expect(sut.check(late)).rejects.toMatchObject({ code: SignInErrorCode.LinkExpired });
  });

  it('limits requests per address, whether or not it is known', async () => {
    const { email } = await newUser();
    for (let i = 0; i < LINK_REQUESTS_PER_ADDRESS; i++)
      await sut.requestLink({ email, lang: 'fr', ip: `ip-${unique()}` });
    await expect(sut.requestLink({ email, lang: 'fr', ip: `ip-${unique()}` })).rejects.toMatchObject({
      code: SignInErrorCode.RateLimited,
    });
    expect(await mailsTo(email)).toHaveLength(LINK_REQUESTS_PER_ADDRESS);
  });
});
