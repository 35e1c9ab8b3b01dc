import { Injectable } from '@nestjs/common';
import { parse as parseCookies, serialize } from 'cookie';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import { SESSION_ABSOLUTE_HOURS, WebSession, WebSessionService } from '@app/web-session';
import { PageContext, pageContext, WebRequest } from './page-context';

/**
 * The browser side of sessions: the cookie (HttpOnly, SameSite=Lax, Secure and `__Host-` when the
 * platform is served over https) around `WebSessionService`. Web controllers use this.
 */
@Injectable()
export class WebSessions {
  readonly secure: boolean;
  readonly cookieName: string;

  constructor(
    private readonly sessions: WebSessionService,
    config: AppConfig,
  ) {
    this.secure = config.PUBLIC_BASE_URL.startsWith('https:');
    this.cookieName = this.secure ? '__Host-librery_session' : 'librery_session';
  }

  /** Reads the request's session into `req.webSession` (the middleware calls this once). */
  async read(req: WebRequest, res: Response): Promise<void> {
    const id = parseCookies(req.headers.cookie ?? '')[this.cookieName];
    req.webSession = id
      ? await this.sessions.load(id, req.id === undefined ? undefined : String(req.id))
      : null;
    if (id && !req.webSession) this.clearCookie(res);
  }

  /** The request's session, created (anonymous) when there is none: pages with a form need one. */
  async ensure(req: WebRequest, res: Response): Promise<WebSession> {
    if (req.webSession) return req.webSession;
    const session = await this.sessions.create();
    this.setCookie(res, session.id);
    req.webSession = session;
    return session;
  }

  /** The page context; `form: true` when the page renders a form (it gets a session and a CSRF token). */
  async context(req: WebRequest, res: Response, options: { form?: boolean } = {}): Promise<PageContext> {
    if (options.form) await this.ensure(req, res);
    return pageContext(req, res);
  }

  /**
   * Signs `userId` in with `method` (e.g. 'email-link', 'proconnect'): a new session id (the old
   * one is deleted), a new CSRF token, audited. Then redirect (303) to the next page.
   */
  async signIn(req: WebRequest, res: Response, userId: string, method: string): Promise<WebSession> {
    const session = await this.sessions.signIn(req.webSession?.id, userId, method, requestId(req));
    this.setCookie(res, session.id);
    req.webSession = session;
    return session;
  }

  /** Ends the session (audited when someone was signed in) and clears the cookie. */
  async signOut(req: WebRequest, res: Response): Promise<void> {
    await this.sessions.signOut(req.webSession?.id, requestId(req));
    req.webSession = null;
    this.clearCookie(res);
  }

  /** Keeps small state between two requests (a key set to null is removed); creates the session if needed. */
  async setData(req: WebRequest, res: Response, patch: Record<string, unknown>): Promise<void> {
    const session = await this.ensure(req, res);
    await this.sessions.setData(session.id, patch);
    const data = Object.fromEntries(
      Object.entries({ ...session.data, ...patch }).filter(([, v]) => v !== null && v !== undefined),
    );
    req.webSession = { ...session, data };
  }

  /** Does the form's token match the session's? */
  checkCsrf(req: WebRequest, token: unknown): boolean {
    return this.sessions.checkCsrf(req.webSession, token);
  }

  private setCookie(res: Response, id: string): void {
    res.append(
      'Set-Cookie',
      serialize(this.cookieName, id, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secure,
        maxAge: SESSION_ABSOLUTE_HOURS * 3600,
      }),
    );
  }

  private clearCookie(res: Response): void {
    res.append(
      'Set-Cookie',
      serialize(this.cookieName, '', {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secure,
        maxAge: 0,
      }),
    );
  }
}

function requestId(req: WebRequest): string | undefined {
  return req.id === undefined ? undefined : String(req.id);
}
