import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Request, Response } from 'express';
import { from, Observable, of, switchMap } from 'rxjs';
import { PublicLedgerService } from '@app/transparency';

/**
 * Conditional GETs for the public read side: the ETag is derived from the log's size (every
 * committed entry grows it), the latest checkpoint, the URL, the language and the cookies; a
 * matching If-None-Match gets 304.
 */
@Injectable()
export class PublicCacheInterceptor implements NestInterceptor {
  constructor(private readonly publicLedger: PublicLedgerService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (req.method !== 'GET') return next.handle();
    return from(this.publicLedger.version()).pipe(
      switchMap((version) => {
        const tag = `W/"${createHash('sha256')
          .update(
            `${version}|${req.originalUrl}|${req.headers['accept-language'] ?? ''}|${req.headers.cookie ?? ''}`,
          )
          .digest('base64url')
          .slice(0, 27)}"`;
        res.setHeader('ETag', tag);
        // a page read with cookies (language, session: the header names who is signed in) is private
        res.setHeader(
          'Cache-Control',
          req.headers.cookie ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, must-revalidate',
        );
        res.setHeader('Vary', 'Accept-Language, Cookie');
        const match = req.headers['if-none-match'];
        if (
          match &&
          match
            .split(',')
            .map((t) => t.trim())
            .includes(tag)
        ) {
          res.status(304).end();
          return of(undefined);
        }
        return next.handle();
      }),
    );
  }
}
