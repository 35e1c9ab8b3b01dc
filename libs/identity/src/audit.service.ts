import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from './identity.types';

/** The audit trail: who did what, when, with which request. Append-only in the database. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(
    principal: Principal,
    action: string,
    target: { type: string; id: string },
    details: Record<string, unknown> = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events (actor_id, actor_kind, action, target_type, target_id, request_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        principal.userId,
        principal.kind,
        action,
        target.type,
        target.id,
        principal.requestId ?? null,
        JSON.stringify(details),
      ],
    );
  }

  async forTarget(type: string, id: string, manager: EntityManager = this.dataSource.manager) {
    return manager.query(
      `SELECT id::text, occurred_at AS "occurredAt", actor_id AS "actorId", actor_kind AS "actorKind", action,
              request_id AS "requestId", details
         FROM audit_events WHERE target_type = $1 AND target_id = $2 ORDER BY id`,
      [type, id],
    ) as Promise<Record<string, unknown>[]>;
  }
}
