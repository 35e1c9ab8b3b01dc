import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, Principal, requireRole } from '@app/identity';
import { Accounts, LedgerService, PostingCommand } from '@app/ledger';
import { PolicyService } from '@app/policy';
import { ProjectsService } from '@app/projects';
import { BallotBoxService } from '../ballots/ballot-box.service';
import { hashCanonical } from '../chain/ballot-chain';
import { GovernanceScheduler } from '../governance-scheduler.service';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { BallotReceipt, NewRound, VoteSettings } from '../governance.types';
import {
  auditFundingRound,
  FundingRoundAuditRecord,
  FundingRoundInput,
  PointsBallot,
  validatePointsBallot,
} from '../tally/funding-round';
import { Rational } from '../tally/rational';
import { voteSettings } from '../vote-settings';

export const PROJECT_ID = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

export interface RoundRow {
  id: string;
  title: string;
  state: 'draft' | 'open' | 'closed' | 'tallied';
  currency: string;
  budget: bigint | string;
  threshold: string | null;
  caps: Record<string, string>;
  candidates: string[];
  opens_at: Date;
  closes_at: Date;
  policy_version: number | null;
  settings: VoteSettings | null;
  genesis_hash: string | null;
  head_hash: string | null;
  ballot_count: number;
  open_entry_id: string | null;
  tally_entry_id: string | null;
  audit: (FundingRoundAuditRecord & Record<string, unknown>) | null;
  motion_id: string | null;
  created_at: Date;
  opened_at: Date | null;
  closed_at: Date | null;
  tallied_at: Date | null;
}

function invalid(message: string): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.InvalidInput, message);
}

/** Checks a new round's fields; returns them normalised. Throws 422 errors. */
export function validateNewRound(input: NewRound, now: Date = new Date()) {
  if (typeof input.title !== 'string' || input.title.length < 1 || input.title.length > 300)
    throw invalid('a round needs a title (1–300 characters)');
  if (typeof input.budget !== 'string' || !/^[1-9][0-9]{0,17}$/.test(input.budget))
    throw invalid('budget must be a positive integer of cents, as a string');
  const candidates = input.candidates ?? null;
  if (candidates !== null) {
    if (!Array.isArray(candidates) || candidates.length === 0)
      throw invalid('candidates, when given, list at least one project');
    if (new Set(candidates).size !== candidates.length) throw invalid('candidates must be unique');
    for (const id of candidates)
      if (typeof id !== 'string' || !PROJECT_ID.test(id))
        throw invalid(`"${String(id)}" is not a project id`);
  }
  const caps = input.caps ?? {};
  if (typeof caps !== 'object' || caps === null || Array.isArray(caps))
    throw invalid('caps must map project ids to cents');
  for (const [id, cap] of Object.entries(caps)) {
    if (candidates !== null && !candidates.includes(id))
      throw new GovernanceError(GovernanceErrorCode.UnknownCandidate, `cap for unknown project "${id}"`);
    if (typeof cap !== 'string' || !/^[0-9]{1,18}$/.test(cap))
      throw invalid(`cap of "${id}" must be an integer of cents, as a string`);
  }
  const threshold = input.threshold ?? null;
  if (threshold !== null) {
    const t =
      typeof threshold === 'string' && /^[0-9]+\/[1-9][0-9]*$/.test(threshold)
        ? Rational.parse(threshold)
        : null;
    if (t === null || t.gt(Rational.ONE)) throw invalid('threshold must be a fraction "N/D" between 0 and 1');
  }
  const opensAt = input.opensAt ? new Date(input.opensAt) : now;
  const closesAt = new Date(input.closesAt);
  if (Number.isNaN(opensAt.getTime()) || Number.isNaN(closesAt.getTime()))
    throw invalid('opensAt and closesAt must be ISO 8601 dates');
  if (closesAt <= opensAt) throw invalid('a round must close after it opens');
  if (closesAt <= now) throw invalid('a round must close in the future');
  return { title: input.title, budget: BigInt(input.budget), candidates, caps, threshold, opensAt, closesAt };
}

/** Funding rounds: budget out of the pool at opening, 100-point ballots, tally booked in one entry. */
@Injectable()
export class RoundsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly policies: PolicyService,
    private readonly box: BallotBoxService,
    private readonly audit: AuditService,
    private readonly scheduler: GovernanceScheduler,
    private readonly projects: ProjectsService,
  ) {}

  /**
   * The candidates at opening: the admitted projects at that moment, or, when the round names
   * some, those of them — every one must be admitted (422 otherwise).
   */
  private async candidatesAtOpening(
    named: readonly string[] | null,
    caps: Record<string, string>,
  ): Promise<string[]> {
    const admitted: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.projects.search({ status: 'admitted', limit: 200, after });
      admitted.push(...page.items.map((p) => p.id));
      after = page.next ?? undefined;
    } while (after);
    const set = new Set(admitted);
    const candidates = named ? [...named] : admitted.sort();
    const refused = candidates.filter((id) => !set.has(id));
    if (refused.length > 0) {
      throw new GovernanceError(
        GovernanceErrorCode.UnknownCandidate,
        'every candidate must be an admitted project',
        { notAdmitted: refused },
      );
    }
    if (candidates.length === 0)
      throw new GovernanceError(GovernanceErrorCode.InvalidState, 'no admitted project to fund');
    for (const id of Object.keys(caps)) {
      if (!candidates.includes(id))
        throw new GovernanceError(
          GovernanceErrorCode.UnknownCandidate,
          `cap for a project that is not a candidate: "${id}"`,
        );
    }
    return candidates;
  }

  async create(
    caller: Principal,
    input: NewRound,
    manager?: EntityManager,
    motionId: string | null = null,
  ): Promise<RoundRow> {
    requireRole(caller, 'admin');
    const r = validateNewRound(input);
    const run = async (m: EntityManager) => {
      const rows = (await m.query(
        `INSERT INTO governance_rounds (title, budget, threshold, caps, candidates, opens_at, closes_at, motion_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          r.title,
          r.budget.toString(),
          r.threshold,
          JSON.stringify(r.caps),
          JSON.stringify(r.candidates ?? []),
          r.opensAt,
          r.closesAt,
          motionId,
          caller.userId,
        ],
      )) as RoundRow[];
      await this.audit.record(
        caller,
        'governance.round.create',
        { type: 'governance_round', id: rows[0].id },
        { motionId },
        m,
      );
      return rows[0];
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** Opens a round: one ledger entry from the pool to the round's account, the rules frozen. */
  async open(caller: Principal, id: string, manager?: EntityManager): Promise<RoundRow> {
    requireRole(caller, 'admin');
    const run = async (m: EntityManager) => {
      const rows = (await m.query('SELECT * FROM governance_rounds WHERE id = $1 FOR UPDATE', [
        id,
      ])) as RoundRow[];
      if (rows.length === 0) throw new GovernanceError(GovernanceErrorCode.NotFound, `no round ${id}`);
      const round = rows[0];
      if (round.state !== 'draft')
        throw new GovernanceError(GovernanceErrorCode.InvalidState, `the round is ${round.state}, not draft`);
      if (round.closes_at <= new Date())
        throw new GovernanceError(GovernanceErrorCode.WindowClosed, 'the round’s closing time has passed');
      round.candidates = await this.candidatesAtOpening(
        round.candidates.length > 0 ? round.candidates : null,
        round.caps,
      );
      const policy = await this.policies.current(new Date(), m);
      const settings = voteSettings(policy, null);
      const pool = Accounts.pool(round.currency);
      const account = Accounts.round(id, round.currency);
      await this.ledger.ensureAccounts([pool, account], m);
      const entry = await this.ledger.post(
        {
          kind: 'governance.round-open',
          businessRef: `governance-round:${id}`,
          idempotencyKey: `governance-round-open:${id}`,
          description: `Funding round "${round.title}" opens: budget moved from the pool`,
          policyVersion: policy.version,
          metadata: { roundId: id },
          postings: [
            {
              account: pool.code,
              direction: 'debit',
              amount: BigInt(round.budget),
              currency: round.currency,
            },
            {
              account: account.code,
              direction: 'credit',
              amount: BigInt(round.budget),
              currency: round.currency,
            },
          ],
        },
        m,
      );
      const genesis = hashCanonical(roundManifest(round, settings));
      const updated = await queryRows<RoundRow>(
        m,
        `UPDATE governance_rounds SET state = 'open', settings = $2, policy_version = $3, genesis_hash = $4,
                  open_entry_id = $5, opened_at = now(), candidates = $6
            WHERE id = $1 AND state = 'draft' RETURNING *`,
        [id, JSON.stringify(settings), policy.version, genesis, entry.id, JSON.stringify(round.candidates)],
      );
      await this.audit.record(
        caller,
        'governance.round.open',
        { type: 'governance_round', id },
        { entryId: entry.id },
        m,
      );
      return updated[0];
    };
    const opened = manager ? await run(manager) : await this.ledger.transaction(run);
    if (!manager) await this.scheduler.scheduleClose('round', id, opened.closes_at);
    return opened;
  }

  async vote(
    caller: Principal,
    id: string,
    input: { points: PointsBallot; onBehalfOf?: string; nonce?: string },
  ): Promise<BallotReceipt> {
    const round = await this.get(id);
    const candidates = new Set(round.candidates);
    return this.box.cast(
      caller,
      'round',
      id,
      { choice: input.points, onBehalfOf: input.onBehalfOf, nonce: input.nonce },
      (choice) => {
        validatePointsBallot(choice as PointsBallot, candidates);
        // Store only non-zero points, keys sorted: the canonical form of the ballot.
        const clean: Record<string, number> = {};
        for (const k of Object.keys(choice as PointsBallot).sort())
          if ((choice as PointsBallot)[k] > 0) clean[k] = (choice as PointsBallot)[k];
        return clean;
      },
    );
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<RoundRow> {
    const rows = (await manager.query('SELECT * FROM governance_rounds WHERE id = $1', [id])) as RoundRow[];
    if (rows.length === 0) throw new GovernanceError(GovernanceErrorCode.NotFound, `no round ${id}`);
    return rows[0];
  }

  /** open → closed once the closing time has passed; a no-op otherwise. */
  async close(id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE governance_rounds SET state = 'closed', closed_at = now() WHERE id = $1 AND state = 'open' AND closes_at <= now() RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** closed → tallied, booking the result, exactly once even with many workers. */
  async tally(id: string): Promise<boolean> {
    return this.ledger.transaction(async (m) => {
      // The claim: a conditional UPDATE on the row. A second worker waits on the row lock, then matches nothing.
      const claimed = await queryRows<RoundRow>(
        m,
        `UPDATE governance_rounds SET tallied_at = now() WHERE id = $1 AND state = 'closed' AND tallied_at IS NULL RETURNING *`,
        [id],
      );
      if (claimed.length === 0) return false;
      const round = claimed[0];
      const settings = round.settings!;
      const counted = await this.box.counted(m, id);
      const input: FundingRoundInput = {
        pool: String(round.budget),
        projects: round.candidates.map((p) => ({ id: p, cap: round.caps[p] ?? null })),
        threshold: round.threshold,
        colleges: settings.colleges.map((c) => ({
          id: c.id,
          weightBp: c.weightBp,
          ballots: counted.filter((b) => b.college_id === c.id).map((b) => b.choice as PointsBallot),
        })),
      };
      const record = auditFundingRound(input);
      const currency = round.currency;
      const roundAccount = Accounts.round(id, currency);
      const postings: PostingCommand[] = [
        { account: roundAccount.code, direction: 'debit', amount: BigInt(round.budget), currency },
      ];
      const specs = [roundAccount, Accounts.pool(currency)];
      for (const p of round.candidates) {
        const cents = BigInt(record.result.cents[p]);
        if (cents === 0n) continue;
        const spec = Accounts.projectAllocated(p, currency);
        specs.push(spec);
        postings.push({ account: spec.code, direction: 'credit', amount: cents, currency });
      }
      const leftover = BigInt(record.result.leftover);
      if (leftover > 0n)
        postings.push({
          account: Accounts.pool(currency).code,
          direction: 'credit',
          amount: leftover,
          currency,
        });
      await this.ledger.ensureAccounts(specs, m);
      const entry = await this.ledger.post(
        {
          kind: 'governance.round-tally',
          businessRef: `governance-round:${id}`,
          idempotencyKey: `governance-round-tally:${id}`,
          description: `Funding round "${round.title}" tallied: allocations to projects, leftover to the pool`,
          policyVersion: settings.policyVersion,
          metadata: { roundId: id, algorithm: record.algorithm, leftover: record.result.leftover },
          postings,
        },
        m,
      );
      const audit = {
        ...record,
        round: {
          id,
          title: round.title,
          budget: String(round.budget),
          currency,
          opensAt: round.opens_at,
          closesAt: round.closes_at,
        },
        settings,
        chain: {
          genesis: round.genesis_hash,
          head: round.head_hash ?? round.genesis_hash,
          length: round.ballot_count,
        },
        ledger: { openEntryId: round.open_entry_id, tallyEntryId: entry.id },
      };
      await m.query(
        `UPDATE governance_rounds SET state = 'tallied', audit = $2, tally_entry_id = $3 WHERE id = $1 AND state = 'closed'`,
        [id, JSON.stringify(audit), entry.id],
      );
      return true;
    });
  }

  async closeAndTally(id: string): Promise<{ closed: boolean; tallied: boolean }> {
    const closed = await this.close(id);
    const tallied = await this.tally(id);
    return { closed, tallied };
  }

  async dueIds(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM governance_rounds WHERE state IN ('open', 'closed') AND closes_at <= now() ORDER BY closes_at LIMIT 100`,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The public record after the close: ballots, chain head and the tally's audit record. */
  async results(id: string) {
    const round = await this.get(id);
    if (round.state === 'draft' || round.state === 'open') {
      throw new GovernanceError(
        GovernanceErrorCode.InvalidState,
        'ballots and results are public after the close',
      );
    }
    const ballots = await this.box.ballots(this.dataSource.manager, id);
    return {
      round: publicRound(round),
      manifest: roundManifest(round, round.settings!),
      chain: {
        genesis: round.genesis_hash,
        head: round.head_hash ?? round.genesis_hash,
        length: round.ballot_count,
      },
      ballots: this.box.publicBallots(id, ballots, round.settings!.ballotPublicity),
      audit: round.audit,
    };
  }

  async list(state?: string): Promise<RoundRow[]> {
    return (await this.dataSource.query(
      `SELECT * FROM governance_rounds WHERE ($1::text IS NULL OR state = $1) ORDER BY created_at DESC LIMIT 200`,
      [state ?? null],
    )) as RoundRow[];
  }

  async verifyReceipt(id: string, receipt: string) {
    const round = await this.get(id);
    if (!round.genesis_hash)
      throw new GovernanceError(GovernanceErrorCode.InvalidState, 'the round has not opened');
    return this.box.verify(id, round.genesis_hash, round.head_hash, receipt);
  }
}

/** The round's manifest: its hash is the genesis of the ballot chain. */
export function roundManifest(round: RoundRow, settings: VoteSettings) {
  return {
    election: round.id,
    type: 'funding-round',
    title: round.title,
    currency: round.currency,
    budget: String(round.budget),
    candidates: round.candidates,
    caps: round.caps,
    threshold: round.threshold,
    opensAt: round.opens_at.toISOString(),
    closesAt: round.closes_at.toISOString(),
    algorithm: 'wcpp-v1',
    colleges: settings.colleges,
    policyVersion: settings.policyVersion,
  };
}

export function publicRound(r: RoundRow) {
  return {
    id: r.id,
    title: r.title,
    state: r.state,
    currency: r.currency,
    budget: String(r.budget),
    threshold: r.threshold,
    caps: r.caps,
    candidates: r.candidates,
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    policyVersion: r.policy_version,
    ballotCount: r.ballot_count,
    chainHead: r.head_hash ?? r.genesis_hash,
    openEntryId: r.open_entry_id,
    tallyEntryId: r.tally_entry_id,
    motionId: r.motion_id,
    result: r.audit ? r.audit.result : null,
  };
}
