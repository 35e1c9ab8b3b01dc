import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, IdentityService, Principal, requireRole } from '@app/identity';
import { SignInError, SignInErrorCode } from './sign-in.errors';
import { AccessRequestView } from './sign-in.types';

const SELECT = `SELECT r.id, r.user_id, u.email, u.display_name, r.organisation_id, o.name, r.siret, r.source, r.status,
                       r.created_at, r.decided_at, r.decided_by
                  FROM organisation_access_requests r
                  JOIN users u ON u.id = r.user_id JOIN organisations o ON o.id = r.organisation_id`;

interface Row {
  id: string;
  user_id: string;
  email: string | null;
  display_name: string | null;
  organisation_id: string;
  name: string;
  siret: string;
  source: string;
  status: AccessRequestView['status'];
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}

/**
 * Requests to act for an organisation, made when a user signed in with its SIRET: an
 * administrator approves (which grants the buyer role for it) or rejects each one.
 */
@Injectable()
export class OrganisationAccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
  ) {}

  async list(
    actor: Principal,
    status: AccessRequestView['status'] | 'all' = 'pending',
  ): Promise<AccessRequestView[]> {
    requireRole(actor, 'admin');
    const rows = (await this.dataSource.query(
      `${SELECT} WHERE ($1 = 'all' OR r.status = $1) ORDER BY r.created_at, r.id LIMIT 500`,
      [status],
    )) as Row[];
    return rows.map(toView);
  }

  /** Approves a pending request and grants the buyer role for its organisation; approving again answers the same. */
  async approve(actor: Principal, id: string): Promise<AccessRequestView> {
    return this.decide(actor, id, 'approved');
  }

  async reject(actor: Principal, id: string): Promise<AccessRequestView> {
    return this.decide(actor, id, 'rejected');
  }

  private async decide(
    actor: Principal,
    id: string,
    decision: 'approved' | 'rejected',
  ): Promise<AccessRequestView> {
    requireRole(actor, 'admin');
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(`${SELECT} WHERE r.id::text = $1 FOR UPDATE OF r`, [id])) as Row[];
      if (rows.length === 0)
        throw new SignInError(SignInErrorCode.AccessRequestNotFound, `no organisation access request ${id}`);
      const request = rows[0];
      if (request.status === decision) return toView(request);
      if (request.status !== 'pending')
        throw new SignInError(
          SignInErrorCode.AccessRequestDecided,
          `this request was already ${request.status}`,
          {
            status: request.status,
          },
        );
      await m.query(
        `UPDATE organisation_access_requests SET status = $2, decided_at = now(), decided_by = $3 WHERE id = $1`,
        [request.id, decision, actor.userId],
      );
      if (decision === 'approved')
        await this.identity.grantRole(
          actor,
          request.user_id,
          { role: 'buyer', scopeId: request.organisation_id },
          m,
        );
      await this.audit.record(
        actor,
        `organisation_access.${decision === 'approved' ? 'approve' : 'reject'}`,
        { type: 'organisation_access_request', id: request.id },
        { userId: request.user_id, organisationId: request.organisation_id },
        m,
      );
      const [after] = (await m.query(`${SELECT} WHERE r.id = $1`, [request.id])) as Row[];
      return toView(after);
    });
  }
}

function toView(r: Row): AccessRequestView {
  return {
    id: r.id,
    userId: r.user_id,
    userEmail: r.email,
    userName: r.display_name,
    organisationId: r.organisation_id,
    organisationName: r.name,
    siret: r.siret,
    source: r.source,
    status: r.status,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
  };
}
