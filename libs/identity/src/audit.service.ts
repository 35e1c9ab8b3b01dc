import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from './identity.types';

/**
 * The audit row as a statement fragment with its parameters numbered from `first`, for a caller
 * that writes it in the same statement as the change it records (one round trip fewer).
 */
export function auditInsert(
  principal: Principal,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown>,
  first: number,
): { sql: string; params: unknown[] } {
  const n = (k: number) => `$${first + k}`;
  return {
    sql: `INSERT INTO audit_events (actor_id, actor_kind, action, target_type, target_id, request_id, details)
       VALUES (${n(0)}, ${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)}, ${n(6)})`,
    params: [
      principal.userId,
      principal.kind,
      action,
      target.type,
      target.id,
      principal.requestId ?? null,
      JSON.stringify(details),
    ],
  };
}

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
    const { sql, params } = auditInsert(principal, action, target, details, 1);
    await manager.query(sql, params);
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
