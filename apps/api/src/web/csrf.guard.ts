import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { WebRequest } from './page-context';
import { WebError, WebErrorCode } from './web.errors';
import { WebSessions } from './web-sessions.service';

export const CSRF_FIELD = '_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guard of every web controller: marks the route as a page (errors answered in HTML) and, on
 * every POST, checks the form's `_csrf` field against the session's synchronizer token before
 * the handler runs (missing or wrong: 403 page, nothing written). The field is then removed from
 * the body, so DTO validation (whitelist, forbid unknown) sees only the form's own fields.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly sessions: WebSessions) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<WebRequest>();
    req.webRoute = true;
    if (SAFE.has(req.method)) return true;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!this.sessions.checkCsrf(req, body[CSRF_FIELD]))
      throw new WebError(WebErrorCode.CsrfRejected, 'the form token is missing or not valid');
    delete body[CSRF_FIELD];
    return true;
  }
}
