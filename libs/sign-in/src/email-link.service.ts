import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { MailOutboxService } from '@app/mail';
import { SignInRateLimiter } from './rate-limiter';
import { SignInError, SignInErrorCode } from './sign-in.errors';
import { SignInLang } from './sign-in.types';
import { htmlMail } from './sign-in-link.mail';

/** A sign-in link is valid this long, and once. */
export const SIGN_IN_LINK_MINUTES = 15;
/** Requests per address, and per client IP, within 15 minutes. */
export const LINK_REQUESTS_PER_ADDRESS = 5;
export const LINK_REQUESTS_PER_IP = 30;
/** Attempts to follow a link per client IP within 15 minutes (guessing is hopeless; this limits noise). */
export const LINK_USES_PER_IP = 60;

const ADDRESS = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

export function hashLinkToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The path of a sign-in link in each language (the token is its last segment). */
export function signInLinkPath(lang: SignInLang, token: string): string {
  return lang === 'fr' ? `/connexion/lien/${token}` : `/sign-in/link/${token}`;
}

/** Normalised address, or InvalidEmail. */
export function normaliseEmail(input: unknown): string {
  const email = typeof input === 'string' ? input.trim() : '';
  if (email.length === 0 || email.length > 254 || !ADDRESS.test(email))
    throw new SignInError(SignInErrorCode.InvalidEmail, 'enter an email address, like name@example.org');
  return email;
}

/**
 * Email sign-in links: a random token mailed through the outbox in the transaction that stores
 * its hash; valid 15 minutes, once. An unknown address gets the same answer and no mail.
 */
@Injectable()
export class EmailLinkService {
  private readonly logger = new Logger(EmailLinkService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: MailOutboxService,
    private readonly limiter: SignInRateLimiter,
    private readonly config: AppConfig,
  ) {}

  /** Mails a link when a user has this address; answers the same either way. */
  async requestLink(input: { email: unknown; lang: SignInLang; ip: string }): Promise<void> {
    const email = normaliseEmail(input.email);
    await this.limiter.hit([
      { key: `link-address:${email.toLowerCase()}`, max: LINK_REQUESTS_PER_ADDRESS, windowSeconds: 900 },
      { key: `link-ip:${input.ip}`, max: LINK_REQUESTS_PER_IP, windowSeconds: 900 },
    ]);
    await this.dataSource.transaction(async (m) => {
      const users = (await m.query(
        'SELECT id, email FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL',
        [email],
      )) as { id: string; email: string }[];
      if (users.length === 0) {
        this.logger.log('sign-in link asked for an unknown address: nothing sent');
        return;
      }
      const token = randomBytes(32).toString('base64url');
      const [link] = (await m.query(
        `INSERT INTO sign_in_links (user_id, token_hash, expires_at)
         VALUES ($1, $2, now() + make_interval(mins => $3)) RETURNING id`,
        [users[0].id, hashLinkToken(token), SIGN_IN_LINK_MINUTES],
      )) as { id: string }[];
      const url = this.config.PUBLIC_BASE_URL.replace(/\/$/, '') + signInLinkPath(input.lang, token);
      await this.outbox.enqueue(m, {
        key: `sign-in-link:${link.id}`,
        to: users[0].email,
        ...linkMail(input.lang, url),
      });
    });
  }

  /** Checks a link without using it (the page that asks to confirm). */
  async check(token: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM sign_in_links WHERE token_hash = $1`,
      [hashLinkToken(token)],
    )) as { used: boolean; expired: boolean }[];
    refuse(rows[0]);
  }

  /** Uses a link once: the user it signs in, or LinkUnknown / LinkExpired / LinkUsed. */
  async consume(token: string, ip: string): Promise<{ userId: string }> {
    await this.limiter.hit([{ key: `link-use-ip:${ip}`, max: LINK_USES_PER_IP, windowSeconds: 900 }]);
    return this.dataSource.transaction(async (m) => {
      const [used] = (await m.query(
        `UPDATE sign_in_links l SET used_at = now()
           FROM users u
          WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()
            AND u.id = l.user_id AND u.erased_at IS NULL
          RETURNING l.user_id`,
        [hashLinkToken(token)],
      )) as [{ user_id: string }[], number];
      if (used.length > 0) return { userId: used[0].user_id };
      const rows = (await m.query(
        `SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM sign_in_links WHERE token_hash = $1`,
        [hashLinkToken(token)],
      )) as { used: boolean; expired: boolean }[];
      refuse(rows[0] ?? undefined);
      throw new SignInError(SignInErrorCode.LinkUnknown, 'this sign-in link is not valid');
    });
  }
}

function refuse(row: { used: boolean; expired: boolean } | undefined): void {
  if (!row) throw new SignInError(SignInErrorCode.LinkUnknown, 'this sign-in link is not valid');
  if (row.used) throw new SignInError(SignInErrorCode.LinkUsed, 'this sign-in link has already been used');
  if (row.expired) throw new SignInError(SignInErrorCode.LinkExpired, 'this sign-in link has expired');
}

function linkMail(
  lang: SignInLang,
  url: string,
): { subject: string; text: string; html: string; lang: SignInLang } {
  if (lang === 'fr') {
    return {
      lang,
      subject: 'Votre lien de connexion à la Librery',
      text: [
        'Bonjour,',
        '',
        'Pour vous connecter à la Librery, ouvrez ce lien :',
        url,
        '',
        `Il est valable ${SIGN_IN_LINK_MINUTES} minutes et une seule fois.`,
        "Si vous n'avez pas demandé à vous connecter, ignorez ce message : personne ne peut se connecter sans ce lien.",
        '',
        'La Librery',
      ].join('\n'),
      html: htmlMail(
        'fr',
        'Pour vous connecter à la Librery, ouvrez ce lien :',
        url,
        'Se connecter',
        `Il est valable ${SIGN_IN_LINK_MINUTES} minutes et une seule fois. Si vous n'avez pas demandé à vous connecter, ignorez ce message.`,
      ),
    };
  }
  return {
    lang,
    subject: 'Your sign-in link to the Librery',
    text: [
      'Hello,',
      '',
      'To sign in to the Librery, open this link:',
      url,
      '',
      `It is valid for ${SIGN_IN_LINK_MINUTES} minutes, once.`,
      'If you did not ask to sign in, ignore this message: nobody can sign in without this link.',
      '',
      'The Librery',
    ].join('\n'),
    html: htmlMail(
      'en',
      'To sign in to the Librery, open this link:',
      url,
      'Sign in',
      `It is valid for ${SIGN_IN_LINK_MINUTES} minutes, once. If you did not ask to sign in, ignore this message.`,
    ),
  };
}
