import { Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Response } from 'express';
import { WebRequest } from './page-context';
import { WebSessions } from './web-sessions.service';

const SKIPPED = /^\/(assets|docs)(\/|$)/;

/** Reads the browser session (if the request carries its cookie) once per request. */
@Injectable()
export class WebSessionMiddleware implements NestMiddleware {
  constructor(private readonly sessions: WebSessions) {}

  use(req: WebRequest, res: Response, next: NextFunction): void {
    if (SKIPPED.test(req.originalUrl ?? req.url ?? '')) return next();
    this.sessions.read(req, res).then(() => next(), next);
  }
}
