import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, IdentityError, IdentityErrorCode, Principal, RoleGrant } from '@app/identity';
import { SESSION_ABSOLUTE_HOURS, SESSION_IDLE_MINUTES, SessionUser, WebSession } from './web-session.types';

interface Row {
  csrf_token: string;
  user_id: string | null;
  auth_method: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  live_user: string | null;
  display_name: string | null;
  email: string | null;
  grants: RoleGrant[] | null;
}

const LIVE = `last_seen_at > now() - make_interval(mins => ${SESSION_IDLE_MINUTES})
          AND created_at > now() - make_interval(hours => ${SESSION_ABSOLUTE_HOURS})`;

/** The columns of a session with its user and the user's live grants (the API token path's shape). */
const WITH_USER = `
  SELECT s.csrf_token, s.user_id, s.auth_method, s.data, s.created_at, u.id AS live_user, u.display_name, u.email,
         (SELECT coalesce(json_agg(json_build_object('role', g.role, 'scopeId', g.scope_id) ORDER BY g.role, g.scope_id), '[]')
            FROM role_grants g WHERE g.user_id = s.user_id AND g.revoked_at IS NULL) AS grants
    FROM s LEFT JOIN users u ON u.id = s.user_id AND u.erased_at IS NULL`;

function hashId(id: string): Buffer {
  return createHash('sha256').update(id, 'utf8').digest();
}

const newId = (): string => randomBytes(32).toString('base64url');

/**
 * Browser sessions in PostgreSQL: opaque random ids (only their hash stored), idle and absolute
 * expiry, a CSRF synchronizer token per session, a new id at every sign-in, audited sign-in and
 * sign-out. Transport-free: the web layer of the API keeps the cookie.
 */
@Injectable()
export class WebSessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** A new anonymous session (a visitor about to fill a form). */
  async create(): Promise<WebSession> {
    const id = newId();
    const rows = (await this.dataSource.query(
      `WITH s AS (INSERT INTO web_sessions (id_hash, csrf_token) VALUES ($1, $2) RETURNING *) ${WITH_USER}`,
      [hashId(id), newId()],
    )) as Row[];
    return this.toSession(id, rows[0]);
  }

  /**
   * The live session with this id, its last-seen time moved on; null when unknown, idle too long
   * or too old (an expired row is deleted). Ids of the wrong shape are not looked up.
   */
  async load(id: string | undefined, requestId?: string): Promise<WebSession | null> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const rows = (await this.dataSource.query(
      `WITH s AS (UPDATE web_sessions SET last_seen_at = now() WHERE id_hash = $1 AND ${LIVE} RETURNING *) ${WITH_USER}`,
      [hashId(id)],
    )) as Row[];
    if (rows.length === 0) {
      await this.dataSource.query(`DELETE FROM web_sessions WHERE id_hash = $1`, [hashId(id)]);
      return null;
    }
    if (rows[0].user_id !== null && rows[0].live_user === null) {
      // the user was erased since signing in: signed out
      await this.dataSource.query(`DELETE FROM web_sessions WHERE id_hash = $1`, [hashId(id)]);
      return null;
    }
    return this.toSession(id, rows[0], requestId);
  }

  /**
   * Signs `userId` in: the old session (if any) is deleted and a NEW id is issued (no fixation),
   * with a new CSRF token; the journey's data is carried over. Audited as `session.sign_in`.
   */
  async signIn(
    previousId: string | null | undefined,
    userId: string,
    method: string,
    requestId?: string,
  ): Promise<WebSession> {
    const id = newId();
    return this.dataSource.transaction(async (m) => {
      const users = (await m.query(`SELECT id FROM users WHERE id::text = $1 AND erased_at IS NULL`, [
        userId,
      ])) as unknown[];
      if (users.length === 0) throw new IdentityError(IdentityErrorCode.UnknownUser, `no user ${userId}`);
      const old = previousId
        ? ((await m.query(
            `WITH d AS (DELETE FROM web_sessions WHERE id_hash = $1 AND ${LIVE} RETURNING data) SELECT data FROM d`,
            [hashId(previousId)],
          )) as { data: Record<string, unknown> }[])
        : [];
      const rows = (await m.query(
        `WITH s AS (INSERT INTO web_sessions (id_hash, csrf_token, user_id, auth_method, signed_in_at, data)
                    VALUES ($1, $2, $3, $4, now(), $5) RETURNING *) ${WITH_USER}`,
        [hashId(id), newId(), userId, method, JSON.stringify(old[0]?.data ?? {})],
      )) as Row[];
      const session = this.toSession(id, rows[0], requestId);
      await this.audit.record(
        session.principal as Principal,
        'session.sign_in',
        { type: 'user', id: userId },
        { method },
        m,
      );
      return session;
    });
  }

  /** Ends the session (its row deleted); a signed-in one is audited as `session.sign_out`. */
  async signOut(id: string | undefined, requestId?: string): Promise<void> {
    if (!id) return;
    await this.dataSource.transaction(async (m: EntityManager) => {
      const rows = (await m.query(
        `WITH d AS (DELETE FROM web_sessions WHERE id_hash = $1 RETURNING user_id, auth_method)
         SELECT user_id::text, auth_method FROM d`,
        [hashId(id)],
      )) as { user_id: string | null; auth_method: string | null }[];
      const userId = rows[0]?.user_id;
      if (!userId) return;
      const principal: Principal = { kind: 'user', userId, tokenId: null, grants: [], requestId };
      await this.audit.record(
        principal,
        'session.sign_out',
        { type: 'user', id: userId },
        { method: rows[0].auth_method },
        m,
      );
    });
  }

  /** Merges `patch` into the session's data (a key set to null is removed). */
  async setData(id: string, patch: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `UPDATE web_sessions SET data = jsonb_strip_nulls(data || $2::jsonb) WHERE id_hash = $1`,
      [hashId(id), JSON.stringify(patch)],
    );
  }

  /** Does `token` match the session's CSRF token (constant time)? */
  checkCsrf(session: WebSession | null | undefined, token: unknown): boolean {
    if (!session || typeof token !== 'string') return false;
    const a = Buffer.from(session.csrfToken, 'utf8');
    const b = Buffer.from(token, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Deletes sessions past their idle or absolute expiry; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = (await this.dataSource.query(
      `WITH d AS (DELETE FROM web_sessions WHERE NOT (${LIVE}) RETURNING 1) SELECT 1 FROM d`,
    )) as unknown[];
    return rows.length;
  }

  private toSession(id: string, row: Row, requestId?: string): WebSession {
    const user: SessionUser | null =
      row.user_id === null
        ? null
        : {
            id: row.user_id,
            displayName: row.display_name ?? row.email ?? row.user_id,
            email: row.email,
            roles: row.grants ?? [],
          };
    return {
      id,
      csrfToken: row.csrf_token,
      user,
      principal: user
        ? { kind: 'user', userId: user.id, tokenId: null, grants: user.roles, requestId }
        : null,
      authMethod: row.auth_method,
      data: row.data ?? {},
      createdAt: row.created_at,
    };
  }
}
