import { parse as parseCookies, serialize } from 'cookie';
import { Request, Response } from 'express';
import { Principal } from '@app/identity';
import { SessionUser, WebSession } from '@app/web-session';
import { Lang, MESSAGES, Messages } from './i18n';

export const LANG_COOKIE = 'librery_lang';

/** What the web layer keeps on the request: the session read by the middleware. */
export interface WebRequest extends Request {
  webSession?: WebSession | null;
  /** set by the web guard: errors on this route are answered with an HTML page */
  webRoute?: boolean;
}

/** What every page and component gets: language, messages, who is signed in, the form token. */
export interface PageContext {
  readonly lang: Lang;
  readonly t: Messages;
  /** the page's path, without the query */
  readonly path: string;
  readonly user: SessionUser | null;
  /** the session's CSRF token; '' when the page has no session (then it must not render a form) */
  readonly csrfToken: string;
  /** the same page in the other language */
  readonly otherLangHref: string;
}

/** ?lang= wins, then the language cookie, then Accept-Language, then French. */
export function pickLang(req: Request): Lang {
  const q = req.query?.lang;
  if (q === 'fr' || q === 'en') return q;
  const cookie = parseCookies(req.headers.cookie ?? '')[LANG_COOKIE];
  if (cookie === 'fr' || cookie === 'en') return cookie;
  for (const part of (req.headers['accept-language'] ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'fr' || tag === 'en') return tag;
  }
  return 'fr';
}

/**
 * The page context of a request (synchronous: the session was read by the middleware). A
 * language chosen with ?lang= is remembered in a cookie. Pages with a form use
 * `WebSessions.context(req, res, { form: true })`, which first makes sure a session exists.
 */
export function pageContext(req: WebRequest, res?: Response): PageContext {
  const lang = pickLang(req);
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  if (res && !res.headersSent && req.query?.lang === lang) {
    const current = parseCookies(req.headers.cookie ?? '')[LANG_COOKIE];
    if (current !== lang)
      res.append(
        'Set-Cookie',
        serialize(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400, httpOnly: true }),
      );
  }
  const url = new URL(req.originalUrl ?? req.url ?? '/', 'http://local');
  url.searchParams.set('lang', other);
  const session = req.webSession ?? null;
  return {
    lang,
    t: MESSAGES[lang],
    path: url.pathname,
    user: session?.user ?? null,
    csrfToken: session?.csrfToken ?? '',
    otherLangHref: `${url.pathname}?${url.searchParams.toString()}`,
  };
}

/** The signed-in user's principal (the same roles and scopes as behind their API tokens), or null. */
export function webPrincipal(req: WebRequest): Principal | null {
  const p = req.webSession?.principal ?? null;
  return p && req.id !== undefined ? { ...p, requestId: String(req.id) } : p;
}
