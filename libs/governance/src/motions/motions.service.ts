import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, Principal, requireRole, SYSTEM_PRINCIPAL } from '@app/identity';
import { translateLedgerError } from '@app/ledger';
import { NewPolicy, PolicyService } from '@app/policy';
import { ProjectsService, ProjectStatus } from '@app/projects';
import { BallotBoxService, BallotRow } from '../ballots/ballot-box.service';
import { hashCanonical } from '../chain/ballot-chain';
import { GovernanceScheduler } from '../governance-scheduler.service';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import {
  BallotReceipt,
  MOTION_KINDS,
  MOTION_METHODS,
  MotionEffect,
  MotionKind,
  MotionMethod,
  VoteSettings,
  YesNoChoice,
} from '../governance.types';
import { MembersService } from '../members/members.service';
import { RoundsService } from '../rounds/rounds.service';
import { GradeBallot, tallyMajorityJudgment } from '../tally/majority-judgment';
import { auditMotion, MotionTallyInput } from '../tally/motion-tally';
import { RankedBallot, tallySchulze } from '../tally/schulze';
import { voteSettings } from '../vote-settings';
import { validateEffect } from './motion-effects';

export interface MotionOptions {
  /** Candidates of a ranked motion. */
  candidates?: string[];
  /** Grade scale of a Majority Judgment motion (integers, higher is better). */
  grades?: { min: number; max: number };
}

export interface MotionRow {
  id: string;
  kind: MotionKind;
  method: MotionMethod;
  title: string;
  body: string;
  options: MotionOptions | null;
  effect: MotionEffect;
  state: 'draft' | 'open' | 'closed' | 'tallied';
  opens_at: Date;
  closes_at: Date;
  policy_version: number | null;
  settings: VoteSettings | null;
  genesis_hash: string | null;
  head_hash: string | null;
  ballot_count: number;
  outcome: string | null;
  audit: Record<string, unknown> | null;
  effect_status: string | null;
  effect_result: Record<string, unknown> | null;
  created_at: Date;
  opened_at: Date | null;
  closed_at: Date | null;
  tallied_at: Date | null;
}

export interface NewMotion {
  kind: string;
  method?: string;
  title: string;
  body?: string;
  options?: MotionOptions;
  effect?: unknown;
  opensAt?: string;
  closesAt: string;
}

const YES_NO: readonly YesNoChoice[] = ['for', 'against', 'abstain'];

function invalid(message: string): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidInput, message);
}

/** Motions: draft → open → closed → tallied, by college, with a typed effect applied once. */
@Injectable()
export class MotionsService {
  private readonly logger = new Logger(MotionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: PolicyService,
    private readonly members: MembersService,
    private readonly box: BallotBoxService,
    private readonly rounds: RoundsService,
    private readonly audit: AuditService,
    private readonly scheduler: GovernanceScheduler,
    private readonly projects: ProjectsService,
  ) {}

  async create(caller: Principal, input: NewMotion): Promise<MotionRow> {
    requireRole(caller, 'admin');
    if (!MOTION_KINDS.includes(input.kind as MotionKind))
      throw invalid(`kind must be one of ${MOTION_KINDS.join(', ')}`);
    const kind = input.kind as MotionKind;
    const method = (input.method ?? 'yes-no') as MotionMethod;
    if (!MOTION_METHODS.includes(method)) throw invalid(`method must be one of ${MOTION_METHODS.join(', ')}`);
    const now = new Date();
    const opensAt = input.opensAt ? new Date(input.opensAt) : now;
    const closesAt = new Date(input.closesAt);
    if (Number.isNaN(opensAt.getTime()) || Number.isNaN(closesAt.getTime()))
      throw invalid('opensAt and closesAt must be ISO 8601 dates');
    if (closesAt <= opensAt || closesAt <= now)
      throw invalid('a motion must close in the future, after it opens');
    const options = this.validateOptions(method, input.options);
    const policy = await this.policies.current();
    const effect = validateEffect(
      kind,
      input.effect,
      closesAt,
      policy.governance.collegeWeightBounds ?? null,
    );
    if (method !== 'yes-no' && effect.type !== 'none')
      throw invalid('only a yes/no motion carries an effect');
    if (
      effect.type === 'admit-project' ||
      effect.type === 'suspend-project' ||
      effect.type === 'archive-project'
    ) {
      await this.projects.view(effect.projectId).catch(() => {
        throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `no project ${effect.projectId}`);
      });
    }
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO governance_motions (kind, method, title, body, options, effect, opens_at, closes_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          kind,
          method,
          input.title,
          input.body ?? '',
          options ? JSON.stringify(options) : null,
          JSON.stringify(effect),
          opensAt,
          closesAt,
          caller.userId,
        ],
      )) as MotionRow[];
      await this.audit.record(
        caller,
        'governance.motion.create',
        { type: 'governance_motion', id: rows[0].id },
        { kind, method, effect: effect.type },
        m,
      );
      return rows[0];
    });
  }

  private validateOptions(method: MotionMethod, options: MotionOptions | undefined): MotionOptions | null {
    if (method === 'yes-no') {
      if (options && Object.keys(options).length > 0) throw invalid('a yes/no motion takes no options');
      return null;
    }
    const candidates = options?.candidates;
    if (
      !Array.isArray(candidates) ||
      candidates.length < 2 ||
      new Set(candidates).size !== candidates.length
    ) {
      throw invalid('a ranked motion needs at least two distinct candidates');
    }
    if (candidates.some((c) => typeof c !== 'string' || c.length === 0 || c.length > 200))
      throw invalid('candidates are non-empty strings');
    if (method === 'majority-judgment') {
      const g = options?.grades ?? { min: 0, max: 5 };
      if (
        !Number.isSafeInteger(g.min) ||
        !Number.isSafeInteger(g.max) ||
        g.min >= g.max ||
        g.max - g.min > 20
      ) {
        throw invalid('grades are integers min < max (at most 21 grades)');
      }
      return { candidates, grades: { min: g.min, max: g.max } };
    }
    return { candidates };
  }

  async open(caller: Principal, id: string): Promise<MotionRow> {
    requireRole(caller, 'admin');
    const opened = await this.dataSource.transaction(async (m) => {
      const motion = await this.get(id, m, true);
      if (motion.state !== 'draft')
        throw new GovernanceError(
          GovernanceErrorCode.InvalidState,
          `the motion is ${motion.state}, not draft`,
        );
      if (motion.closes_at <= new Date())
        throw new GovernanceError(GovernanceErrorCode.WindowClosed, 'the motion’s closing time has passed');
      const policy = await this.policies.current(new Date(), m);
      const settings = voteSettings(policy, motion.kind);
      const genesis = hashCanonical(motionManifest(motion, settings));
      const rows = await queryRows<MotionRow>(
        m,
        `UPDATE governance_motions SET state = 'open', settings = $2, policy_version = $3, genesis_hash = $4, opened_at = now()
            WHERE id = $1 AND state = 'draft' RETURNING *`,
        [id, JSON.stringify(settings), policy.version, genesis],
      );
      await this.audit.record(
        caller,
        'governance.motion.open',
        { type: 'governance_motion', id },
        { policyVersion: policy.version },
        m,
      );
      return rows[0];
    });
    await this.scheduler.scheduleClose('motion', id, opened.closes_at);
    return opened;
  }

  async vote(
    caller: Principal,
    id: string,
    input: { choice: unknown; onBehalfOf?: string; nonce?: string },
  ): Promise<BallotReceipt> {
    const motion = await this.get(id);
    return this.box.cast(caller, 'motion', id, input, (choice) => validateChoice(motion, choice));
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<MotionRow> {
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw new GovernanceError(GovernanceErrorCode.NotFound, `no motion ${id}`);
    const rows = (await manager.query(
      `SELECT * FROM governance_motions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as MotionRow[];
    if (rows.length === 0) throw new GovernanceError(GovernanceErrorCode.NotFound, `no motion ${id}`);
    return rows[0];
  }

  async close(id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE governance_motions SET state = 'closed', closed_at = now() WHERE id = $1 AND state = 'open' AND closes_at <= now() RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** closed → tallied with the result and its effect, once, in one transaction. */
  async tally(id: string): Promise<boolean> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const claimed = await queryRows<MotionRow>(
          m,
          `UPDATE governance_motions SET tallied_at = now() WHERE id = $1 AND state = 'closed' AND tallied_at IS NULL RETURNING *`,
          [id],
        );
        if (claimed.length === 0) return false;
        const motion = claimed[0];
        const settings = motion.settings!;
        const counted = await this.box.counted(m, id);
        const eligible = await this.members.eligibleCounts(motion.opens_at, motion.closes_at, m);
        const { outcome, record } = this.compute(motion, settings, counted, eligible);
        const audit = {
          ...record,
          motion: {
            id,
            kind: motion.kind,
            method: motion.method,
            title: motion.title,
            effect: motion.effect,
          },
          settings,
          chain: {
            genesis: motion.genesis_hash,
            head: motion.head_hash ?? motion.genesis_hash,
            length: motion.ballot_count,
          },
        };
        const effect =
          outcome === 'PASSED' ? await this.applyEffect(m, motion) : { status: 'none', result: null };
        await m.query(
          `UPDATE governance_motions SET state = 'tallied', outcome = $2, audit = $3, effect_status = $4, effect_result = $5
            WHERE id = $1 AND state = 'closed'`,
          [
            id,
            outcome,
            JSON.stringify(audit),
            effect.status,
            effect.result ? JSON.stringify(effect.result) : null,
          ],
        );
        await this.audit.record(
          SYSTEM_PRINCIPAL,
          'governance.motion.tally',
          { type: 'governance_motion', id },
          { outcome, effect: effect.status },
          m,
        );
        return true;
      });
    } catch (error) {
      throw translateLedgerError(error);
    }
  }

  private compute(
    motion: MotionRow,
    settings: VoteSettings,
    counted: BallotRow[],
    eligible: Map<string, number>,
  ) {
    if (motion.method === 'yes-no') {
      const input: MotionTallyInput = {
        colleges: settings.colleges.map((c) => {
          const mine = counted.filter((b) => b.college_id === c.id);
          const count = (choice: YesNoChoice) => mine.filter((b) => b.choice === choice).length;
          return {
            id: c.id,
            weightBp: c.weightBp,
            for: count('for'),
            against: count('against'),
            abstain: count('abstain'),
            eligible: Math.max(eligible.get(c.id) ?? 0, mine.length),
            quorum: settings.collegeQuorum,
          };
        }),
        policies: {
          majority: settings.majority,
          abstentionPolicy: settings.abstentionPolicy,
          emptyCollegePolicy: settings.emptyCollegePolicy,
          collegeAggregation: settings.collegeAggregation,
          globalQuorum: settings.globalQuorum,
          requiredCollegeMajorities: settings.requiredCollegeMajorities,
        },
      };
      const record = auditMotion(input);
      return {
        outcome: record.result.outcome as string,
        record: record as unknown as Record<string, unknown>,
      };
    }
    const options = motion.options!;
    const colleges = settings.colleges.map((c) => ({
      id: c.id,
      weightBp: c.weightBp,
      ballots: counted.filter((b) => b.college_id === c.id).map((b) => b.choice),
    }));
    if (counted.length === 0) {
      return {
        outcome: 'NO_DECISION',
        record: { kind: motion.method, inputs: { candidates: options.candidates, colleges }, result: null },
      };
    }
    if (motion.method === 'majority-judgment') {
      const inputs = {
        grades: options.grades!,
        candidates: options.candidates!,
        colleges: colleges.map((c) => ({ ...c, ballots: c.ballots as GradeBallot[] })),
      };
      const { sequences: _s, ...result } = tallyMajorityJudgment(inputs);
      return {
        outcome: 'RANKED',
        record: { kind: 'majority-judgment', algorithm: 'majority-judgment-lower-median-v1', inputs, result },
      };
    }
    const inputs = {
      candidates: options.candidates!,
      colleges: colleges.map((c) => ({
        ...c,
        ballots: (c.ballots as string[][][]).map((ranking): RankedBallot => ({ count: 1, ranking })),
      })),
    };
    return {
      outcome: 'RANKED',
      record: {
        kind: 'schulze',
        algorithm: 'schulze-winning-votes-v1',
        inputs,
        result: tallySchulze(inputs),
      },
    };
  }

  /** Applies a passed motion's effect inside the tally transaction; a refused effect is recorded, not retried forever. */
  private async applyEffect(
    m: EntityManager,
    motion: MotionRow,
  ): Promise<{ status: string; result: Record<string, unknown> | null }> {
    const effect = motion.effect;
    if (effect.type === 'none') return { status: 'none', result: null };
    await m.query('SAVEPOINT governance_effect');
    try {
      let result: Record<string, unknown>;
      if (
        effect.type === 'admit-project' ||
        effect.type === 'suspend-project' ||
        effect.type === 'archive-project'
      ) {
        const to: ProjectStatus =
          effect.type === 'admit-project'
            ? 'admitted'
            : effect.type === 'suspend-project'
              ? 'suspended'
              : 'archived';
        const project = await this.projects.changeStatus(
          SYSTEM_PRINCIPAL,
          effect.projectId,
          to,
          `motion ${motion.id} passed: ${motion.title}`,
          m,
        );
        result = { projectId: project.id, status: project.status };
      } else if (effect.type === 'adopt-policy') {
        const effectiveAt = new Date(effect.effectiveAt);
        const base = await this.policies.current(effectiveAt, m);
        const c = effect.changes;
        const next: NewPolicy = {
          effectiveAt,
          currency: base.currency,
          levyRateBps: c.levyRateBps ?? base.levyRateBps,
          directedShareBps: c.directedShareBps ?? base.directedShareBps,
          poolShareBps: c.poolShareBps ?? base.poolShareBps,
          operatingFeeBps: c.operatingFeeBps ?? base.operatingFeeBps,
          minimumPayout: c.minimumPayout !== undefined ? BigInt(c.minimumPayout) : base.minimumPayout,
          claimDeadlineDays: c.claimDeadlineDays ?? base.claimDeadlineDays,
          licenceAllowList: c.licenceAllowList ?? base.licenceAllowList,
          governance: (c.governance
            ? { ...base.governance, ...c.governance }
            : base.governance) as NewPolicy['governance'],
          sbom: base.sbom,
          adoptedBy: `motion:${motion.id}`,
        };
        const adopted = await this.policies.adopt(next, m);
        result = { policyVersion: adopted.version, effectiveAt: adopted.effectiveAt };
      } else if (effect.type === 'open-funding-round') {
        const round = await this.rounds.create(SYSTEM_PRINCIPAL, effect.round, m, motion.id);
        const opened = await this.rounds.open(SYSTEM_PRINCIPAL, round.id, m);
        result = { roundId: opened.id, openEntryId: opened.open_entry_id };
      } else {
        throw new GovernanceError(GovernanceErrorCode.InvalidInput, `unknown effect ${effect.type}`);
      }
      // Ledger limits are deferred to COMMIT: check them now, so a refusal stays inside the savepoint.
      await m.query('SET CONSTRAINTS ALL IMMEDIATE');
      await m.query('SET CONSTRAINTS ALL DEFERRED');
      await m.query('RELEASE SAVEPOINT governance_effect');
      return { status: 'applied', result };
    } catch (error) {
      await m.query('ROLLBACK TO SAVEPOINT governance_effect');
      await m.query('SET CONSTRAINTS ALL DEFERRED');
      const e = translateLedgerError(error) as { code?: string; message?: string };
      this.logger.warn({ motionId: motion.id, code: e.code }, 'a passed motion’s effect was refused');
      return {
        status: 'not_applied',
        result: { code: e.code ?? 'error', message: e.message ?? String(error) },
      };
    }
  }

  /** After the tally, schedule the round a motion opened (outside the transaction). */
  async afterTally(id: string): Promise<void> {
    const motion = await this.get(id);
    const roundId = motion.effect_result?.roundId;
    if (motion.effect_status === 'applied' && typeof roundId === 'string') {
      const round = await this.rounds.get(roundId);
      await this.scheduler.scheduleClose('round', roundId, round.closes_at);
    }
  }

  async closeAndTally(id: string): Promise<{ closed: boolean; tallied: boolean }> {
    const closed = await this.close(id);
    const tallied = await this.tally(id);
    if (tallied) await this.afterTally(id);
    return { closed, tallied };
  }

  async dueIds(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM governance_motions WHERE state IN ('open', 'closed') AND closes_at <= now() ORDER BY closes_at LIMIT 100`,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async results(id: string) {
    const motion = await this.get(id);
    if (motion.state === 'draft' || motion.state === 'open') {
      throw new GovernanceError(
        GovernanceErrorCode.InvalidState,
        'ballots and results are public after the close',
      );
    }
    const ballots = await this.box.ballots(this.dataSource.manager, id);
    return {
      motion: publicMotion(motion),
      manifest: motionManifest(motion, motion.settings!),
      chain: {
        genesis: motion.genesis_hash,
        head: motion.head_hash ?? motion.genesis_hash,
        length: motion.ballot_count,
      },
      ballots: this.box.publicBallots(id, ballots, motion.settings!.ballotPublicity),
      audit: motion.audit,
    };
  }

  async verifyReceipt(id: string, receipt: string) {
    const motion = await this.get(id);
    if (!motion.genesis_hash)
      throw new GovernanceError(GovernanceErrorCode.InvalidState, 'the motion has not opened');
    return this.box.verify(id, motion.genesis_hash, motion.head_hash, receipt);
  }

  async list(state?: string): Promise<MotionRow[]> {
    return (await this.dataSource.query(
      `SELECT * FROM governance_motions WHERE ($1::text IS NULL OR state = $1) ORDER BY created_at DESC LIMIT 200`,
      [state ?? null],
    )) as MotionRow[];
  }
}

export function validateChoice(motion: MotionRow, choice: unknown): unknown {
  if (motion.method === 'yes-no') {
    if (!YES_NO.includes(choice as YesNoChoice))
      throw invalid('choice must be "for", "against" or "abstain"');
    return choice;
  }
  const candidates = motion.options!.candidates!;
  if (motion.method === 'majority-judgment') {
    const { min, max } = motion.options!.grades!;
    if (!choice || typeof choice !== 'object' || Array.isArray(choice))
      throw invalid('choice grades every candidate: {candidate: grade}');
    const grades = choice as Record<string, unknown>;
    for (const k of Object.keys(grades)) {
      if (!candidates.includes(k))
        throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown candidate "${k}"`);
    }
    const clean: Record<string, number> = {};
    for (const c of [...candidates].sort()) {
      const g = grades[c];
      if (typeof g !== 'number' || !Number.isSafeInteger(g) || g < min || g > max)
        throw invalid(`grade every candidate with an integer from ${min} to ${max}`);
      clean[c] = g;
    }
    return clean;
  }
  if (!Array.isArray(choice) || choice.some((tier) => !Array.isArray(tier) || tier.length === 0)) {
    throw invalid('choice is a ranking: a list of tiers, best first, each a list of candidates');
  }
  const seen = new Set<string>();
  for (const tier of choice as unknown[][]) {
    for (const c of tier) {
      if (typeof c !== 'string' || !candidates.includes(c))
        throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `unknown candidate "${String(c)}"`);
      if (seen.has(c)) throw invalid(`candidate "${c}" is ranked twice`);
      seen.add(c);
    }
  }
  return choice;
}

export function motionManifest(motion: MotionRow, settings: VoteSettings) {
  return {
    election: motion.id,
    type: 'motion',
    kind: motion.kind,
    method: motion.method,
    title: motion.title,
    options: motion.method === 'yes-no' ? ['for', 'against', 'abstain'] : motion.options,
    effect: motion.effect,
    opensAt: motion.opens_at.toISOString(),
    closesAt: motion.closes_at.toISOString(),
    settings,
  };
}

export function publicMotion(r: MotionRow) {
  return {
    id: r.id,
    kind: r.kind,
    method: r.method,
    title: r.title,
    body: r.body,
    options: r.options,
    effect: r.effect,
    state: r.state,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    policyVersion: r.policy_version,
    ballotCount: r.ballot_count,
    chainHead: r.head_hash ?? r.genesis_hash,
    outcome: r.outcome,
    result: r.audit ? (r.audit.result ?? null) : null,
    effectStatus: r.effect_status,
    effectResult: r.effect_result,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
    talliedAt: r.tallied_at,
  };
}
