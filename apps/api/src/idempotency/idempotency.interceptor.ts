import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import canonicalize from 'canonicalize';
import { Request, Response } from 'express';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryPrepared } from '@app/database';
import { Principal } from '@app/identity';
import { bigintReplacer } from '../common/problem-details.filter';
import { IdempotencyError, IdempotencyErrorCode } from './idempotency.errors';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NOT_REPLAYED = 'idempotency:not-replayed';

/**
 * Response fields that are secrets shown once (an API token, a statement key), by dotted path
 * (`token`, `result.secret`): the idempotency record stores the response with them set to null,
 * so no secret is kept in clear and a replay answers the resource without it. Every handler
 * whose response holds a secret declares it here.
 */
export const NotReplayed = (...fields: string[]) => SetMetadata(NOT_REPLAYED, fields);
/** A request still "started" after this long is taken to have died; a retry may run it again. */
const ABANDONED_AFTER_SECONDS = 60;

interface Row {
  request_hash: Buffer;
  state: 'started' | 'completed';
  response_status: number | null;
  response_body: unknown;
  stale: boolean;
}

/**
 * `Idempotency-Key` on every mutating request: the first request runs, a retry with the same key
 * and the same request gets the first response again, a retry with another request gets 409.
 * Keys are scoped to the caller. Failed requests leave no record, so they may be retried.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.header('idempotency-key');
    if (!MUTATING.has(request.method) || key === undefined) return next.handle();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      return throwError(
        () =>
          new IdempotencyError(
            IdempotencyErrorCode.InvalidKey,
            'Idempotency-Key must be 1 to 255 visible ASCII characters',
          ),
      );
    }
    const scope = request.principal?.userId ?? 'public';
    const hash = createHash('sha256')
      .update(`${request.method} ${request.path}\n${canonicalize(request.body ?? null) ?? ''}`)
      .digest();
    const omitted = this.reflector.get<string[] | undefined>(NOT_REPLAYED, context.getHandler()) ?? [];
    return from(this.begin(scope, key, request, hash)).pipe(
      mergeMap((replay) => {
        if (replay) {
          response.status(replay.status).setHeader('Idempotent-Replayed', 'true');
          return of(replay.body);
        }
        return next.handle().pipe(
          mergeMap((body) =>
            from(this.complete(scope, key, response.statusCode, withoutFields(body, omitted))).pipe(
              mergeMap(() => of(body)),
            ),
          ),
          catchError((error: unknown) =>
            from(this.forget(scope, key)).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private async begin(
    scope: string,
    key: string,
    request: Request,
    hash: Buffer,
  ): Promise<{ status: number; body: unknown } | null> {
    const inserted = await queryPrepared(
      this.dataSource,
      `INSERT INTO idempotency_records (scope, key, method, path, request_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, request.method, request.path, hash],
    );
    if (inserted.length > 0) return null;
    const row = await queryOne<Row>(
      this.dataSource,
      `SELECT request_hash, state, response_status, response_body,
              created_at < now() - make_interval(secs => $3) AS stale
         FROM idempotency_records WHERE scope = $1 AND key = $2`,
      [scope, key, ABANDONED_AFTER_SECONDS],
    );
    if (!row) return this.begin(scope, key, request, hash);
    if (!Buffer.from(row.request_hash).equals(hash)) {
      throw new IdempotencyError(
        IdempotencyErrorCode.KeyReused,
        'this Idempotency-Key was used for a different request',
      );
    }
    if (row.state === 'completed') return { status: row.response_status ?? 200, body: row.response_body };
    if (row.stale) {
      // Of concurrent retries, the first to update the row takes it; the others wait on its lock,
      // then find it fresh again and update nothing (a count of 0, not TypeORM's `[[], 0]`).
      const taken = await execute(
        this.dataSource,
        `UPDATE idempotency_records SET created_at = now() WHERE scope = $1 AND key = $2 AND state = 'started'
           AND created_at < now() - make_interval(secs => $3)`,
        [scope, key, ABANDONED_AFTER_SECONDS],
      );
      if (taken === 1) return null;
    }
    throw new IdempotencyError(
      IdempotencyErrorCode.InProgress,
      'a request with this Idempotency-Key is still in progress',
    );
  }

  private async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await queryPrepared(
      this.dataSource,
      `UPDATE idempotency_records SET state = 'completed', response_status = $3, response_body = $4, completed_at = now()
        WHERE scope = $1 AND key = $2`,
      [scope, key, status, JSON.stringify(body ?? null, bigintReplacer)],
    );
  }

  private async forget(scope: string, key: string): Promise<void> {
    await execute(
      this.dataSource,
      `DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND state = 'started'`,
      [scope, key],
    );
  }
}

function withoutFields(body: unknown, fields: readonly string[]): unknown {
  let copy = body;
  for (const field of fields) copy = withoutPath(copy, field.split('.'));
  return copy;
}

function withoutPath(body: unknown, path: readonly string[]): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || path.length === 0) return body;
  const [head, ...rest] = path;
  if (!(head in body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  copy[head] = rest.length === 0 ? null : withoutPath(copy[head], rest);
  return copy;
}
