import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, IdentityService, Principal, requireRole } from '@app/identity';
import { PolicyService } from '@app/policy';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { MemberView } from '../governance.types';

interface MemberRow {
  id: string;
  user_id: string;
  college_id: string;
  term_start: Date;
  term_end: Date;
  ended_at: Date | null;
  appointed_by: string | null;
  appointed_at: Date;
}

const toView = (r: MemberRow): MemberView => ({
  id: r.id,
  userId: r.user_id,
  collegeId: r.college_id,
  termStart: r.term_start,
  termEnd: r.term_end,
  endedAt: r.ended_at,
  appointedBy: r.appointed_by,
  appointedAt: r.appointed_at,
});

/** The end of a term in SQL: its planned end, or earlier if it was ended. */
const TERM_END = `least(term_end, coalesce(ended_at, 'infinity'::timestamptz))`;

/** Colleges (from the policy) and their members, appointed by an admin for a term. */
@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: PolicyService,
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
  ) {}

  /** The colleges of the policy in force, with their weights and how many members sit now. */
  async colleges(at: Date = new Date()) {
    const policy = await this.policies.current(at);
    const counts = (await this.dataSource.query(
      `SELECT college_id, count(*)::int AS n FROM governance_members
        WHERE term_start <= $1 AND ${TERM_END} > $1 GROUP BY college_id`,
      [at],
    )) as { college_id: string; n: number }[];
    const byId = new Map(counts.map((c) => [c.college_id, c.n]));
    return {
      policyVersion: policy.version,
      bounds: policy.governance.collegeWeightBounds ?? null,
      colleges: policy.governance.colleges.map((c) => ({
        id: c.id,
        weightBp: c.weightBp,
        members: byId.get(c.id) ?? 0,
      })),
    };
  }

  async appoint(
    caller: Principal,
    input: { userId: string; collegeId: string; termStart?: Date; termEnd: Date },
  ): Promise<MemberView> {
    requireRole(caller, 'admin');
    const termStart = input.termStart ?? new Date();
    if (!(input.termEnd.getTime() > termStart.getTime())) {
      throw new GovernanceError(GovernanceErrorCode.InvalidInput, 'the term must end after it starts');
    }
    const policy = await this.policies.current();
    if (!policy.governance.colleges.some((c) => c.id === input.collegeId)) {
      throw new GovernanceError(
        GovernanceErrorCode.InvalidInput,
        `no college "${input.collegeId}" in policy ${policy.version}`,
      );
    }
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('governance-member:' || $1))`, [input.userId]);
      const users = (await m.query('SELECT 1 FROM users WHERE id = $1', [input.userId])) as unknown[];
      if (users.length === 0)
        throw new GovernanceError(GovernanceErrorCode.NotFound, `no user ${input.userId}`);
      const overlapping = (await m.query(
        `SELECT college_id FROM governance_members
          WHERE user_id = $1 AND term_start < $3 AND ${TERM_END} > $2 LIMIT 1`,
        [input.userId, termStart, input.termEnd],
      )) as { college_id: string }[];
      if (overlapping.length > 0) {
        throw new GovernanceError(
          GovernanceErrorCode.InvalidState,
          `the user already sits in college "${overlapping[0].college_id}" during that term: a member belongs to one college`,
        );
      }
      const rows = (await m.query(
        `INSERT INTO governance_members (user_id, college_id, term_start, term_end, appointed_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [input.userId, input.collegeId, termStart, input.termEnd, caller.userId],
      )) as MemberRow[];
      await this.identity.grantRole(
        caller,
        input.userId,
        { role: 'committee_member', scopeId: input.collegeId },
        m,
      );
      await this.audit.record(
        caller,
        'governance.member.appoint',
        { type: 'governance_member', id: rows[0].id },
        { userId: input.userId, collegeId: input.collegeId, termStart, termEnd: input.termEnd },
        m,
      );
      return toView(rows[0]);
    });
  }

  async endTerm(caller: Principal, memberId: string): Promise<MemberView> {
    requireRole(caller, 'admin');
    return this.dataSource.transaction(async (m) => {
      const updated = await queryRows<MemberRow>(
        m,
        `UPDATE governance_members SET ended_at = greatest(now(), term_start)
          WHERE id = $1 AND ended_at IS NULL RETURNING *`,
        [memberId],
      );
      if (updated.length === 0)
        throw new GovernanceError(GovernanceErrorCode.NotFound, `no current member ${memberId}`);
      await this.audit.record(
        caller,
        'governance.member.end_term',
        { type: 'governance_member', id: memberId },
        {},
        m,
      );
      return toView(updated[0]);
    });
  }

  async list(collegeId?: string, at: Date = new Date()): Promise<MemberView[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM governance_members WHERE term_start <= $1 AND ${TERM_END} > $1
          AND ($2::text IS NULL OR college_id = $2) ORDER BY college_id, appointed_at`,
      [at, collegeId ?? null],
    )) as MemberRow[];
    return rows.map(toView);
  }

  /** The seat `userId` holds at `at` (college and term), or null: what a member's page shows. */
  async membership(userId: string, at: Date = new Date()): Promise<MemberView | null> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM governance_members WHERE user_id = $1 AND term_start <= $2 AND ${TERM_END} > $2
        ORDER BY term_start DESC LIMIT 1`,
      [userId, at],
    )) as MemberRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The sitting members of a college with their display names (to choose a proxy holder). */
  async roster(collegeId: string, at: Date = new Date()): Promise<{ userId: string; name: string }[]> {
    const rows = (await this.dataSource.query(
      `SELECT m.user_id, coalesce(u.display_name, u.email, m.user_id::text) AS name
         FROM governance_members m JOIN users u ON u.id = m.user_id
        WHERE m.college_id = $1 AND m.term_start <= $2 AND ${TERM_END.replace(/term_end|ended_at/g, (c) => `m.${c}`)} > $2
        ORDER BY name, m.user_id`,
      [collegeId, at],
    )) as { user_id: string; name: string }[];
    return rows.map((r) => ({ userId: r.user_id, name: r.name }));
  }

  /** The college `userId` sits in at `at`, or null. */
  async collegeOf(
    userId: string,
    at: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT college_id FROM governance_members WHERE user_id = $1 AND term_start <= $2 AND ${TERM_END} > $2 LIMIT 1`,
      [userId, at],
    )) as { college_id: string }[];
    return rows[0]?.college_id ?? null;
  }

  /** Members per college whose term overlaps [from, to): the eligible roll of a vote. */
  async eligibleCounts(
    from: Date,
    to: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, number>> {
    const rows = (await manager.query(
      `SELECT college_id, count(DISTINCT user_id)::int AS n FROM governance_members
        WHERE term_start < $2 AND ${TERM_END} > $1 GROUP BY college_id`,
      [from, to],
    )) as { college_id: string; n: number }[];
    return new Map(rows.map((r) => [r.college_id, r.n]));
  }

  async collegeSize(
    collegeId: string,
    at: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const rows = (await manager.query(
      `SELECT count(*)::int AS n FROM governance_members WHERE college_id = $1 AND term_start <= $2 AND ${TERM_END} > $2`,
      [collegeId, at],
    )) as { n: number }[];
    return rows[0].n;
  }
}
