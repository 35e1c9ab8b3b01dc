import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import canonicalize from 'canonicalize';
import { DataSource } from 'typeorm';
import { execute, queryOne, queryPrepared } from '@app/database';
import { IdempotencyError, IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { IDEMPOTENCY_FIELD } from './components/form';
import { WebError, WebErrorCode } from './web.errors';

/** A form's idempotency key: what `Form` carries in `_idempotency` (a UUID from `newFormKey`). */
const KEY = /^[A-Za-z0-9-]{16,64}$/;
const ABANDONED_AFTER_SECONDS = 60;

/**
 * A form acts once per key: the first POST runs the action and records where it led; a second
 * submit of the same form (a double click, back then resubmit) is sent to the same place without
 * acting again. The same records as the API's `Idempotency-Key` (`idempotency_records`), scoped to
 * the signed-in user (`web:<user id>`). A failed action leaves no record, so the form can be sent
 * again after its errors are fixed.
 */
@Injectable()
export class FormOnce {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `action` unless this form was already sent; returns the location to redirect to (303).
   * Throws 400 without a key, 409 when the same key comes with other values or is still running.
   */
  async run(
    userId: string,
    path: string,
    body: Record<string, unknown>,
    action: () => Promise<string>,
  ): Promise<string> {
    const key = body[IDEMPOTENCY_FIELD];
    if (typeof key !== 'string' || !KEY.test(key))
      throw new WebError(WebErrorCode.InvalidForm, 'the form has no valid idempotency key: reload the page');
    const scope = `web:${userId}`;
    const fields = Object.fromEntries(Object.entries(body).filter(([k]) => k !== IDEMPOTENCY_FIELD));
    const hash = createHash('sha256')
      .update(`POST ${path}\n${canonicalize(fields) ?? ''}`)
      .digest();
    const inserted = await queryPrepared(
      this.dataSource,
      `INSERT INTO idempotency_records (scope, key, method, path, request_hash) VALUES ($1, $2, 'POST', $3, $4)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, path, hash],
    );
    if (inserted.length === 0) {
      const row = await queryOne<{
        request_hash: Buffer;
        state: string;
        response_body: { location?: string } | null;
        stale: boolean;
      }>(
        this.dataSource,
        `SELECT request_hash, state, response_body, created_at < now() - make_interval(secs => $3) AS stale
           FROM idempotency_records WHERE scope = $1 AND key = $2`,
        [scope, key, ABANDONED_AFTER_SECONDS],
      );
      if (!row) return this.run(userId, path, body, action);
      if (!Buffer.from(row.request_hash).equals(hash))
        throw new IdempotencyError(
          IdempotencyErrorCode.KeyReused,
          'this form was already sent with other values: reload the page to send a new one',
        );
      if (row.state === 'completed' && row.response_body?.location) return row.response_body.location;
      if (row.stale) {
        // the first run died (a crash): the first retry to remove its record runs the form again
        const removed = await execute(
          this.dataSource,
          `DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND state = 'started'
             AND created_at < now() - make_interval(secs => $3)`,
          [scope, key, ABANDONED_AFTER_SECONDS],
        );
        if (removed === 1) return this.run(userId, path, body, action);
      }
      throw new IdempotencyError(IdempotencyErrorCode.InProgress, 'this form is still being sent');
    }
    try {
      const location = await action();
      await queryPrepared(
        this.dataSource,
        `UPDATE idempotency_records SET state = 'completed', response_status = 303, response_body = $3, completed_at = now()
          WHERE scope = $1 AND key = $2`,
        [scope, key, JSON.stringify({ location })],
      );
      return location;
    } catch (error) {
      await execute(
        this.dataSource,
        `DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND state = 'started'`,
        [scope, key],
      );
      throw error;
    }
  }
}
