import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityService, Role } from '@app/identity';

export interface AccountView {
  id: string;
  email: string | null;
  displayName: string | null;
  /** each role with the name of what it is scoped to (organisation, project, college), never a bare id */
  roles: { role: Role; scopeId: string; scopeName: string | null }[];
  pendingAccess: { id: string; organisationName: string; siret: string }[];
  linkedProviders: string[];
}

/** What a signed-in person sees of their own account. */
@Injectable()
export class AccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identity: IdentityService,
  ) {}

  async describe(userId: string): Promise<AccountView> {
    const user = await this.identity.getUser(userId);
    const names = (await this.dataSource.query(
      `SELECT g.role, g.scope_id,
              coalesce(o.name, p.name, CASE WHEN g.role = 'committee_member' THEN g.scope_id END) AS name
         FROM role_grants g
         LEFT JOIN organisations o ON g.role = 'buyer' AND o.id::text = g.scope_id
         LEFT JOIN projects p ON g.role = 'maintainer' AND p.id::text = g.scope_id
        WHERE g.user_id = $1 AND g.revoked_at IS NULL`,
      [userId],
    )) as { role: Role; scope_id: string; name: string | null }[];
    const pending = (await this.dataSource.query(
      `SELECT r.id, o.name, r.siret FROM organisation_access_requests r JOIN organisations o ON o.id = r.organisation_id
        WHERE r.user_id = $1 AND r.status = 'pending' ORDER BY r.created_at`,
      [userId],
    )) as { id: string; name: string; siret: string }[];
    const providers = (await this.dataSource.query(
      'SELECT DISTINCT provider FROM oidc_identities WHERE user_id = $1 ORDER BY provider',
      [userId],
    )) as { provider: string }[];
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      roles: user.roles.map((r) => ({
        ...r,
        scopeName: names.find((n) => n.role === r.role && n.scope_id === r.scopeId)?.name ?? null,
      })),
      pendingAccess: pending.map((p) => ({ id: p.id, organisationName: p.name, siret: p.siret })),
      linkedProviders: providers.map((p) => p.provider),
    };
  }
}
