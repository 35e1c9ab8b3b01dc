import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@app/database';
import { requireRole } from './access';
import { AuditService } from './audit.service';
import { IdentityError, IdentityErrorCode } from './identity.errors';
import { IssuedToken, Principal, Role, ROLES, RoleGrant, SCOPED_ROLES, TokenView } from './identity.types';

const TOKEN_PREFIX = 'lib_';
const DEFAULT_TOKEN_DAYS = 90;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface UserView {
  id: string;
  email: string | null;
  displayName: string | null;
  createdAt: Date;
  roles: RoleGrant[];
}

/** Users, their role grants and API tokens (random, shown once, stored hashed, expiring, revocable). */
@Injectable()
export class IdentityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The principal behind a bearer token, or 401. */
  async authenticate(token: string | undefined, requestId?: string): Promise<Principal> {
    if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 200) {
      throw new IdentityError(IdentityErrorCode.Unauthenticated, 'a valid API token is required');
    }
    const rows = (await queryPrepared(
      this.dataSource,
      `SELECT t.id AS token_id, t.user_id,
              coalesce(json_agg(json_build_object('role', g.role, 'scopeId', g.scope_id))
                       FILTER (WHERE g.id IS NOT NULL), '[]') AS grants
         FROM api_tokens t JOIN users u ON u.id = t.user_id AND u.erased_at IS NULL
         LEFT JOIN role_grants g ON g.user_id = t.user_id AND g.revoked_at IS NULL
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
        GROUP BY t.id`,
      [hashToken(token)],
    )) as { token_id: string; user_id: string; grants: RoleGrant[] }[];
    if (rows.length === 0)
      throw new IdentityError(IdentityErrorCode.Unauthenticated, 'this token is unknown, expired or revoked');
    return {
      kind: 'user',
      userId: rows[0].user_id,
      tokenId: rows[0].token_id,
      grants: rows[0].grants,
      requestId,
    };
  }

  async createUser(
    actor: Principal,
    input: { email?: string; displayName?: string; roles?: RoleGrant[] },
    manager?: EntityManager,
  ): Promise<UserView> {
    requireRole(actor, 'admin');
    const run = async (m: EntityManager) => {
      const existing = input.email
        ? ((await m.query('SELECT id FROM users WHERE lower(email) = lower($1)', [input.email])) as unknown[])
        : [];
      if (existing.length > 0)
        throw new IdentityError(IdentityErrorCode.EmailTaken, 'a user already has this email');
      const [user] = (await m.query('INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id', [
        input.email ?? null,
        input.displayName ?? null,
      ])) as { id: string }[];
      for (const grant of input.roles ?? []) await this.insertGrant(m, actor, user.id, grant);
      await this.audit.record(
        actor,
        'user.create',
        { type: 'user', id: user.id },
        { roles: input.roles ?? [] },
        m,
      );
      return this.getUser(user.id, m);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async grantRole(
    actor: Principal,
    userId: string,
    grant: RoleGrant,
    manager?: EntityManager,
  ): Promise<UserView> {
    requireRole(actor, 'admin');
    const run = async (m: EntityManager) => {
      await this.getUser(userId, m);
      await this.insertGrant(m, actor, userId, grant);
      await this.audit.record(actor, 'role.grant', { type: 'user', id: userId }, { ...grant }, m);
      return this.getUser(userId, m);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async revokeRole(actor: Principal, userId: string, grant: RoleGrant): Promise<UserView> {
    requireRole(actor, 'admin');
    return this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE role_grants SET revoked_at = now() WHERE user_id = $1 AND role = $2 AND scope_id = $3 AND revoked_at IS NULL`,
        [userId, grant.role, grant.scopeId],
      );
      await this.audit.record(actor, 'role.revoke', { type: 'user', id: userId }, { ...grant }, m);
      return this.getUser(userId, m);
    });
  }

  /** Issues a token for `userId` (an admin, or the user for itself). The plaintext is returned once. */
  async issueToken(
    actor: Principal,
    userId: string,
    name: string,
    days = DEFAULT_TOKEN_DAYS,
    manager?: EntityManager,
  ): Promise<IssuedToken> {
    assertMayIssueToken(actor, userId);
    const run = async (m: EntityManager) => {
      await this.getUser(userId, m);
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const [row] = (await m.query(
        `INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(days => $4)) RETURNING id, expires_at`,
        [userId, name, hashToken(token), days],
      )) as { id: string; expires_at: Date }[];
      await this.audit.record(
        actor,
        'token.issue',
        { type: 'api_token', id: row.id },
        { userId, name, days },
        m,
      );
      return { id: row.id, token, expiresAt: row.expires_at };
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async revokeToken(actor: Principal, tokenId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = (await m.query('SELECT user_id FROM api_tokens WHERE id::text = $1', [tokenId])) as {
        user_id: string;
      }[];
      if (rows.length === 0) throw new IdentityError(IdentityErrorCode.UnknownToken, `no token ${tokenId}`);
      if (rows[0].user_id !== actor.userId) requireRole(actor, 'admin');
      await m.query('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [
        tokenId,
      ]);
      await this.audit.record(actor, 'token.revoke', { type: 'api_token', id: tokenId }, {}, m);
    });
  }

  /** The tokens of a user (the user or an admin): names and dates, never a secret. */
  async listTokens(actor: Principal, userId: string): Promise<TokenView[]> {
    if (actor.userId !== userId) requireRole(actor, 'admin');
    await this.getUser(userId);
    const rows = (await this.dataSource.query(
      `SELECT id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    )) as { id: string; name: string; created_at: Date; expires_at: Date; revoked_at: Date | null }[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Revokes every live token of a user (the user or an admin), the caller's own included; audited with the count. */
  async revokeAllTokens(actor: Principal, userId: string): Promise<{ revoked: number }> {
    if (actor.userId !== userId) requireRole(actor, 'admin');
    return this.dataSource.transaction(async (m) => {
      await this.getUser(userId, m);
      const rows = (await m.query(
        `WITH r AS (UPDATE api_tokens SET revoked_at = now()
                     WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING 1)
         SELECT count(*)::int AS n FROM r`,
        [userId],
      )) as { n: number }[];
      const revoked = rows[0].n;
      await this.audit.record(actor, 'token.revoke_all', { type: 'user', id: userId }, { revoked }, m);
      return { revoked };
    });
  }

  /** The first administrator, for `librery admin:create`. */
  async createAdmin(email: string, actor: Principal): Promise<{ user: UserView; token: IssuedToken }> {
    return this.dataSource.transaction(async (m) => {
      const user = await this.createUser(actor, { email, roles: [{ role: 'admin', scopeId: '' }] }, m);
      const token = await this.issueToken(actor, user.id, 'admin:create', DEFAULT_TOKEN_DAYS, m);
      return { user, token };
    });
  }

  async getUser(userId: string, manager: EntityManager = this.dataSource.manager): Promise<UserView> {
    const rows = (await manager.query(
      `SELECT u.id, u.email, u.display_name, u.created_at,
              coalesce(json_agg(json_build_object('role', g.role, 'scopeId', g.scope_id) ORDER BY g.role, g.scope_id)
                       FILTER (WHERE g.id IS NOT NULL), '[]') AS roles
         FROM users u LEFT JOIN role_grants g ON g.user_id = u.id AND g.revoked_at IS NULL
        WHERE u.id::text = $1 AND u.erased_at IS NULL GROUP BY u.id`,
      [userId],
    )) as {
      id: string;
      email: string | null;
      display_name: string | null;
      created_at: Date;
      roles: RoleGrant[];
    }[];
    if (rows.length === 0) throw new IdentityError(IdentityErrorCode.UnknownUser, `no user ${userId}`);
    const r = rows[0];
    return { id: r.id, email: r.email, displayName: r.display_name, createdAt: r.created_at, roles: r.roles };
  }

  private async insertGrant(
    m: EntityManager,
    actor: Principal,
    userId: string,
    grant: RoleGrant,
  ): Promise<void> {
    if (!ROLES.includes(grant.role))
      throw new IdentityError(IdentityErrorCode.InvalidGrant, `unknown role ${grant.role}`);
    const scoped = SCOPED_ROLES.includes(grant.role);
    if (scoped !== (grant.scopeId !== '')) {
      throw new IdentityError(
        IdentityErrorCode.InvalidGrant,
        scoped ? `the role ${grant.role} needs a scope` : `the role ${grant.role} takes no scope`,
      );
    }
    await m.query(
      `INSERT INTO role_grants (user_id, role, scope_id, granted_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, role, scope_id) WHERE revoked_at IS NULL DO NOTHING`,
      [userId, grant.role as Role, grant.scopeId, actor.userId],
    );
  }
}

/**
 * Who may issue a long-lived API token (issue 15): the CLI and the platform; a signed-in person for
 * itself (a session, not a token); an administrator for anyone. A request authenticated by an API
 * token cannot mint new tokens unless its user is an administrator, so a leaked token cannot
 * perpetuate itself.
 */
export function assertMayIssueToken(actor: Principal, userId: string): void {
  if (actor.userId !== userId) requireRole(actor, 'admin');
  if (actor.tokenId !== null && !actor.grants.some((g) => g.role === 'admin')) {
    throw new IdentityError(
      IdentityErrorCode.Forbidden,
      'an API token cannot issue tokens: sign in, or ask an administrator',
    );
  }
}
