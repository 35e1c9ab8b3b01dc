import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, Principal, requireRole } from '@app/identity';
import {
  Accounts,
  LedgerService,
  PostingCommand,
  PROJECT_DEBITS_LOCK_KEY,
  translateLedgerError,
} from '@app/ledger';
import { ALLOCATION_RULE, assertCurrency } from '@app/money';
import { PolicyError, PolicyErrorCode, PolicyService } from '@app/policy';
import { appendAllQueued } from '@app/transparency';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import { RunInputs, RunStatus, RunView, StartRunResult } from '../disbursements.types';
import { Payee, PayeeDirectory } from '../payees/payee-directory';
import { readProjectBalances } from './run-balances.reader';
import { claimDeadline, computeProjectOutcomeFromSums, DISBURSEMENT_ALGORITHM } from './run-computation';
import { BalanceSums, ProjectRunOutcome, RunParameters, SourceRange } from './run-computation.types';
import { DisbursementRunScheduler } from './disbursement-run.scheduler';

/**
 * The advisory lock key held while a run executes: one run at a time, whatever the number of
 * workers, and no refund or dispute debiting a project meanwhile (they hold it shared).
 */
export const RUN_LOCK_KEY = PROJECT_DEBITS_LOCK_KEY;
const START_LOCK_KEY = 7_316_002;

interface RunRow {
  id: string;
  currency: string;
  cutoff: Date;
  status: RunStatus;
  algorithm: string;
  policy_version: number;
  inputs: RunInputs;
  ledger_mark: string | bigint | null;
  resume_after: string | null;
  totals: RunView['totals'];
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

@Injectable()
export class DisbursementRunService {
  private readonly logger = new Logger(DisbursementRunService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly policies: PolicyService,
    private readonly payees: PayeeDirectory,
    private readonly scheduler: DisbursementRunScheduler,
    private readonly audit: AuditService,
  ) {}

  /**
   * Starts the run for `cutoff` (the treasurer). Idempotent per cut-off: asking again returns the
   * same run (and re-schedules it if it failed). Refuses a cut-off in the future or before the
   * latest run (422) and a new cut-off while another run is queued or executing (409).
   */
  async start(
    principal: Principal,
    input: { cutoff: Date; currency?: string },
    now = new Date(),
  ): Promise<StartRunResult> {
    requireRole(principal, 'treasurer');
    const currency = assertCurrency(input.currency ?? 'EUR');
    const cutoff = input.cutoff;
    if (Number.isNaN(cutoff.getTime()))
      throw new DisbursementsError(DisbursementsErrorCode.InvalidRunInput, 'invalid cut-off');
    if (cutoff.getTime() > now.getTime()) {
      throw new DisbursementsError(
        DisbursementsErrorCode.CutoffInFuture,
        'the cut-off cannot be in the future',
        {
          cutoff: cutoff.toISOString(),
        },
      );
    }
    const result = await this.dataSource.transaction(async (m) => {
      await queryRows(m, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [START_LOCK_KEY, currency]);
      const same = (await queryRows(
        m,
        'SELECT * FROM disbursement_runs WHERE currency = $1 AND cutoff = $2',
        [currency, cutoff],
      )) as RunRow[];
      if (same.length > 0) {
        let row = same[0];
        if (row.status === 'failed') {
          await this.assertNoActiveRun(m, currency, row.id);
          [row] = (await queryRows(
            m,
            `UPDATE disbursement_runs SET status = 'queued', error = NULL WHERE id = $1 RETURNING *`,
            [row.id],
          )) as RunRow[];
          return { row, created: false, schedule: true };
        }
        return { row, created: false, schedule: row.status === 'queued' };
      }
      const [latest] = (await queryRows(
        m,
        'SELECT max(cutoff) AS cutoff FROM disbursement_runs WHERE currency = $1',
        [currency],
      )) as {
        cutoff: Date | null;
      }[];
      if (latest.cutoff && cutoff.getTime() < latest.cutoff.getTime()) {
        throw new DisbursementsError(
          DisbursementsErrorCode.CutoffBeforePreviousRun,
          'the cut-off is before the previous run',
          {
            cutoff: cutoff.toISOString(),
            previousCutoff: latest.cutoff.toISOString(),
          },
        );
      }
      await this.assertNoActiveRun(m, currency, null);
      const policy = await this.policies.current(cutoff, m).catch((error: unknown) => {
        // A cut-off before the first policy is the caller's mistake (4xx), not a missing service.
        if (error instanceof PolicyError && error.code === PolicyErrorCode.NoPolicy)
          throw new DisbursementsError(
            DisbursementsErrorCode.InvalidRunInput,
            'no policy was in effect at the cut-off: it is before the fund began',
            { cutoff: cutoff.toISOString() },
          );
        throw error;
      });
      const inputs: RunInputs = {
        algorithm: DISBURSEMENT_ALGORITHM,
        allocationRule: ALLOCATION_RULE,
        currency,
        cutoff: cutoff.toISOString(),
        policyVersion: policy.version,
        minimumPayout: policy.minimumPayout.toString(),
        claimDeadlineDays: policy.claimDeadlineDays,
      };
      const [row] = (await queryRows(
        m,
        `INSERT INTO disbursement_runs (currency, cutoff, algorithm, allocation_rule, policy_version, inputs, started_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          currency,
          cutoff,
          DISBURSEMENT_ALGORITHM,
          ALLOCATION_RULE,
          policy.version,
          JSON.stringify(inputs),
          principal.userId,
        ],
      )) as RunRow[];
      await this.audit.record(
        principal,
        'disbursement.run.started',
        { type: 'disbursement_run', id: row.id },
        { cutoff: inputs.cutoff },
        m,
      );
      return { row, created: true, schedule: true };
    });
    if (result.schedule) await this.scheduler.schedule(result.row.id);
    return { run: toView(result.row), created: result.created };
  }

  async get(runId: string): Promise<RunView> {
    return toView(await this.load(this.dataSource.manager, runId));
  }

  async list(currency = 'EUR'): Promise<RunView[]> {
    const rows = (await this.dataSource.query(
      'SELECT * FROM disbursement_runs WHERE currency = $1 ORDER BY cutoff DESC',
      [currency],
    )) as RunRow[];
    return rows.map(toView);
  }

  /**
   * Executes a run (the worker). Holds a PostgreSQL advisory lock for its whole duration, so runs
   * execute one at a time across workers. Streams the balances a page of projects at a time (1,000
   * by default: only sums are in memory, never a contribution); each page commits its ledger
   * entries and its projects' outcome rows together, on one of two connections, so a crash resumes
   * with the projects that have no outcome yet and a retry never posts twice.
   */
  async execute(runId: string, options: { pageSize?: number } = {}): Promise<RunView> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
      try {
        return await this.executeLocked(runner, runId, options.pageSize ?? 500);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RUN_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async executeLocked(runner: QueryRunner, runId: string, pageSize: number): Promise<RunView> {
    const m = runner.manager;
    let run = await this.load(m, runId);
    if (run.status === 'completed') return toView(run);
    if (run.algorithm !== DISBURSEMENT_ALGORITHM && run.ledger_mark !== null) {
      // Its mark means something else (v1: an entry id): recompute it with the version it started with.
      const message = `run ${run.id} started under ${run.algorithm} and cannot be resumed by ${DISBURSEMENT_ALGORITHM}`;
      await queryRows(m, `UPDATE disbursement_runs SET status = 'failed', error = $2 WHERE id = $1`, [
        runId,
        message,
      ]);
      throw new DisbursementsError(DisbursementsErrorCode.InvalidRunInput, message);
    }
    if (run.ledger_mark === null) {
      // Every entry committed so far gets its leaf before the mark is read, so the run sees all of
      // them: a debit of a project committed just before the lock (its leaf still queued) would
      // otherwise be left out of the run's figures but not out of the balances.
      await appendAllQueued(
        async (sql, params) => (await queryRows(m, sql, params)) as { appended: number }[],
      );
      [run] = (await queryRows(
        m,
        `UPDATE disbursement_runs
            SET status = 'running', started_at = now(), error = NULL, algorithm = $2,
                ledger_mark = (SELECT size FROM transparency_log_head WHERE id = 1),
                inputs = inputs || jsonb_build_object('algorithm', $2::text,
                                                      'ledgerMark', (SELECT size FROM transparency_log_head WHERE id = 1)::text)
          WHERE id = $1 RETURNING *`,
        [runId, DISBURSEMENT_ALGORITHM],
      )) as RunRow[];
    } else {
      [run] = (await queryRows(
        m,
        `UPDATE disbursement_runs SET status = 'running', error = NULL WHERE id = $1 RETURNING *`,
        [runId],
      )) as RunRow[];
    }
    // Its batches, one per rail, filled page by page with its payouts (kept on a resumed run).
    const batches = await this.openBatches(m, run);
    const params: RunParameters = {
      cutoff: new Date(run.inputs.cutoff),
      minimumPayout: BigInt(run.inputs.minimumPayout),
      claimDeadlineDays: run.inputs.claimDeadlineDays,
    };
    const extra = this.dataSource.createQueryRunner();
    try {
      await extra.connect();
      // Pages are written by two connections at once (the ledger's posting triggers are the
      // bulk of a run, and PostgreSQL runs them on as many cores); each page commits on its own, in
      // any order, and a project is done once it has its outcome row: a resumed run skips those.
      const writers = [runner, extra];
      const pages = readProjectBalances(
        this.dataSource,
        { currency: run.currency, cutoff: params.cutoff, ledgerMark: String(run.ledger_mark) },
        { pageSize, skipDoneOf: run.id },
      );
      const deadline = claimDeadline(params);
      const none: BalanceSums = { credited: 0n, debited: 0n };
      const slots: Promise<void>[] = writers.map(() => Promise.resolve());
      let failure: { error: unknown } | null = null;
      let next = 0;
      try {
        for await (const page of pages) {
          if (failure) break;
          // The page's accounts, read in the reader's committed snapshot: posting to them needs no lookup.
          this.ledger.rememberCommittedAccounts(page.projects.flatMap((p) => p.accounts));
          const payees = await this.payees.find(page.projects.map((p) => p.projectId));
          // Rule 2 needs, for a project that has not claimed its money, its directed credits older
          // than the deadline: read for those projects only, in the reader's snapshot.
          const unclaimed = page.projects.filter((p) => {
            const payee = payees.get(p.projectId);
            return p.directed !== null && !(payee?.admitted && payee.destination != null);
          });
          const before = await page.creditedBefore(
            unclaimed.map((p) => p.directed!.accountId),
            deadline,
          );
          const outcomes = page.projects.map((p) => {
            const payee = payees.get(p.projectId);
            const directed = p.directed
              ? { ...p.directed, creditedBeforeDeadline: before.get(p.directed.accountId) ?? 0n }
              : none;
            return {
              outcome: computeProjectOutcomeFromSums(
                {
                  projectId: p.projectId,
                  admitted: payee?.admitted ?? false,
                  payoutVerified: payee?.destination != null,
                  directed,
                  allocated: p.allocated ?? none,
                },
                params,
              ),
              payee,
            };
          });
          const slot = next++ % writers.length;
          await slots[slot];
          if (failure) break;
          slots[slot] = this.commitPage(writers[slot], run, batches, outcomes).catch((error: unknown) => {
            failure ??= { error };
          });
        }
      } finally {
        // Never leave a page in flight: the failure is recorded on the first writer's connection.
        await Promise.all(slots);
      }
      if (failure) throw (failure as { error: unknown }).error;
      await runner.startTransaction();
      try {
        await this.closeBatches(m, run);
        const [done] = (await queryRows(
          m,
          `UPDATE disbursement_runs SET status = 'completed', completed_at = now(), totals = $2 WHERE id = $1 RETURNING *`,
          [runId, JSON.stringify(await this.totals(m, runId))],
        )) as RunRow[];
        await runner.commitTransaction();
        return toView(done);
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`disbursement run ${runId} failed: ${message}`);
      await queryRows(m, `UPDATE disbursement_runs SET status = 'failed', error = $2 WHERE id = $1`, [
        runId,
        message.slice(0, 2000),
      ]);
      throw translateLedgerError(error);
    } finally {
      await extra.release();
    }
  }

  /** One page in one transaction on `writer`: its ledger entries, its outcome rows and its payouts. */
  private async commitPage(
    writer: QueryRunner,
    run: RunRow,
    batches: RunBatches,
    outcomes: { outcome: ProjectRunOutcome<SourceRange>; payee: Payee | undefined }[],
  ): Promise<void> {
    await writer.startTransaction();
    try {
      // A page's commit does not wait for its WAL flush. Losing it in a crash loses nothing that
      // counts: the run, resumed, writes again the pages that have no outcome rows, and whatever
      // depends on a page (the run's completion, a refund, a log round, a checkpoint) commits
      // synchronously, which flushes the WAL up to it, the page included.
      await writer.query('SET LOCAL synchronous_commit = off');
      await this.writePage(writer.manager, run, batches, outcomes);
      await writer.commitTransaction();
    } catch (error) {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      throw error;
    }
  }

  private async writePage(
    m: EntityManager,
    run: RunRow,
    batches: RunBatches,
    rows: { outcome: ProjectRunOutcome<SourceRange>; payee: Payee | undefined }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const currency = run.currency;
    const cutoff = new Date(run.inputs.cutoff);
    const metadata = { runId: run.id, algorithm: run.algorithm, cutoff: run.inputs.cutoff };
    const payables = rows.filter((r) => r.outcome.payable);
    const expiries = rows.filter((r) => r.outcome.expired);
    let payableEntryId: string | null = null;
    let expiryEntryId: string | null = null;
    if (payables.length > 0) {
      await this.ledger.ensureAccounts(
        payables.map((r) => Accounts.payable(r.outcome.projectId, currency)),
        m,
      );
      const postings: PostingCommand[] = [];
      for (const r of payables) {
        const p = r.outcome.payable!;
        if (p.directed > 0n) {
          postings.push({
            account: Accounts.projectDirected(r.outcome.projectId, currency).code,
            direction: 'debit',
            amount: p.directed,
            currency,
          });
        }
        if (p.allocated > 0n) {
          postings.push({
            account: Accounts.projectAllocated(r.outcome.projectId, currency).code,
            direction: 'debit',
            amount: p.allocated,
            currency,
          });
        }
        postings.push({
          account: Accounts.payable(r.outcome.projectId, currency).code,
          direction: 'credit',
          amount: p.amount,
          currency,
        });
      }
      const entry = await this.ledger.post(
        {
          kind: 'disbursement.payable',
          businessRef: `disbursement-run:${run.id}`,
          idempotencyKey: `disbursement-run:${run.id}:payable:${payables[0].outcome.projectId}`,
          occurredAt: cutoff,
          policyVersion: run.policy_version,
          description: 'project balances at the cut-off move to payable',
          metadata,
          postings,
        },
        m,
      );
      payableEntryId = entry.id;
    }
    // Last in the page: the pool's balance row is shared with the other writer.
    if (expiries.length > 0) {
      await this.ledger.ensureAccounts([Accounts.pool(currency)], m);
      const postings: PostingCommand[] = expiries.map((r) => ({
        account: Accounts.projectDirected(r.outcome.projectId, currency).code,
        direction: 'debit',
        amount: r.outcome.expired!.amount,
        currency,
      }));
      postings.push({
        account: Accounts.pool(currency).code,
        direction: 'credit',
        amount: expiries.reduce((s, r) => s + r.outcome.expired!.amount, 0n),
        currency,
      });
      const entry = await this.ledger.post(
        {
          kind: 'disbursement.expiry',
          businessRef: `disbursement-run:${run.id}`,
          idempotencyKey: `disbursement-run:${run.id}:expiry:${expiries[0].outcome.projectId}`,
          occurredAt: cutoff,
          policyVersion: run.policy_version,
          description: 'directed funds past the claim deadline return to the pool',
          metadata,
          postings,
        },
        m,
      );
      expiryEntryId = entry.id;
    }
    // The page's outcomes as one JSON document (amounts as decimal strings), read back by
    // jsonb_to_recordset: one serialisation instead of the driver quoting ten arrays element by
    // element. With them, for each payable project, its payout in its rail's batch (no batch for a
    // rail: the payout's batch is null and the insert fails, nothing is half-written).
    const outcomes = JSON.stringify(
      rows.map(({ outcome: o, payee }) => ({
        project_id: o.projectId,
        outcome: o.payable ? 'payable' : o.carryOver ? 'carried_over' : 'expired_only',
        payable: (o.payable?.amount ?? 0n).toString(),
        directed: (o.payable?.directed ?? 0n).toString(),
        allocated: (o.payable?.allocated ?? 0n).toString(),
        expired: (o.expired?.amount ?? 0n).toString(),
        carried_over: (o.carryOver?.amount ?? 0n).toString(),
        reason: o.carryOver?.reason ?? null,
        sources: {
          payable: sourcesJson(o.payable?.sources ?? []),
          expired: sourcesJson(o.expired?.sources ?? []),
        },
        payee: o.payable && payee?.destination ? { ...payee.destination, name: payee.name } : null,
      })),
    );
    await queryRows(
      m,
      `WITH rp AS (
         INSERT INTO disbursement_run_projects (run_id, project_id, outcome, payable, directed, allocated, expired, carried_over,
                                                reason, payable_entry_id, expiry_entry_id, sources, payee)
         SELECT $1, r.project_id, r.outcome, r.payable, r.directed, r.allocated, r.expired, r.carried_over, r.reason,
                CASE WHEN r.outcome = 'payable' THEN $2::bigint END, CASE WHEN r.expired > 0 THEN $3::bigint END,
                r.sources, r.payee
           FROM jsonb_to_recordset($4::jsonb)
             AS r(project_id text, outcome text, payable bigint, directed bigint, allocated bigint, expired bigint,
                  carried_over bigint, reason text, sources jsonb, payee jsonb)
         RETURNING run_id, project_id, outcome, payable, directed, allocated, payee
       )
       INSERT INTO disbursement_payouts (batch_id, run_id, project_id, end_to_end_id, amount, directed, allocated, currency, payee)
       SELECT CASE rp.payee ->> 'rail' WHEN 'sepa' THEN $6::uuid WHEN 'stripe' THEN $7::uuid END, rp.run_id, rp.project_id,
              'LB' || upper(substr(md5(rp.run_id::text || ':' || rp.project_id), 1, 30)),
              rp.payable, rp.directed, rp.allocated, $5, rp.payee
         FROM rp WHERE rp.outcome = 'payable'`,
      [run.id, payableEntryId, expiryEntryId, outcomes, currency, batches.sepa, batches.stripe],
    );
  }

  /** The run's batches, one per payout rail, created `filling` (or found, when resuming). */
  private async openBatches(m: EntityManager, run: RunRow): Promise<RunBatches> {
    await queryRows(
      m,
      `INSERT INTO disbursement_batches (run_id, rail, currency, status, payout_count, total)
       VALUES ($1, 'sepa', $2, 'filling', 0, 0), ($1, 'stripe', $2, 'filling', 0, 0)
       ON CONFLICT (run_id, rail) DO NOTHING`,
      [run.id, run.currency],
    );
    const rows = (await queryRows(m, 'SELECT id, rail FROM disbursement_batches WHERE run_id = $1', [
      run.id,
    ])) as { id: string; rail: 'sepa' | 'stripe' }[];
    const id = (rail: 'sepa' | 'stripe') => rows.find((r) => r.rail === rail)!.id;
    return { sepa: id('sepa'), stripe: id('stripe') };
  }

  /** Every page written: each batch gets its count and total and is planned; an empty one is removed. */
  private async closeBatches(m: EntityManager, run: RunRow): Promise<void> {
    await queryRows(
      m,
      `UPDATE disbursement_batches b SET status = 'planned', payout_count = s.n, total = s.total
         FROM (SELECT batch_id, count(*) AS n, sum(amount) AS total
                 FROM disbursement_payouts WHERE run_id = $1 GROUP BY batch_id) s
        WHERE b.id = s.batch_id AND b.status = 'filling'`,
      [run.id],
    );
    await queryRows(m, `DELETE FROM disbursement_batches WHERE run_id = $1 AND status = 'filling'`, [run.id]);
  }

  private async totals(m: EntityManager, runId: string): Promise<NonNullable<RunView['totals']>> {
    const [t] = (await queryRows(
      m,
      `SELECT count(*)::int AS projects, count(*) FILTER (WHERE outcome = 'payable')::int AS payable_projects,
              coalesce(sum(payable), 0)::text AS payable, coalesce(sum(expired), 0)::text AS expired,
              coalesce(sum(carried_over), 0)::text AS carried_over,
              coalesce(sum(carried_over) FILTER (WHERE reason = 'not_admitted'), 0)::text AS not_admitted,
              coalesce(sum(carried_over) FILTER (WHERE reason = 'no_verified_payout_details'), 0)::text AS unverified,
              coalesce(sum(carried_over) FILTER (WHERE reason = 'below_minimum_payout'), 0)::text AS below
         FROM disbursement_run_projects WHERE run_id = $1`,
      [runId],
    )) as Record<string, string & number>[];
    return {
      projects: t.projects,
      payableProjects: t.payable_projects,
      payable: t.payable,
      expired: t.expired,
      carriedOver: t.carried_over,
      carriedOverByReason: {
        not_admitted: t.not_admitted,
        no_verified_payout_details: t.unverified,
        below_minimum_payout: t.below,
      },
    };
  }

  private async assertNoActiveRun(m: EntityManager, currency: string, except: string | null): Promise<void> {
    const active = (await queryRows(
      m,
      `SELECT id FROM disbursement_runs WHERE currency = $1 AND status IN ('queued', 'running') AND id IS DISTINCT FROM $2`,
      [currency, except],
    )) as { id: string }[];
    if (active.length > 0) {
      throw new DisbursementsError(
        DisbursementsErrorCode.RunInProgress,
        'another disbursement run is queued or executing',
        {
          runId: active[0].id,
        },
      );
    }
  }

  private async load(m: EntityManager, runId: string): Promise<RunRow> {
    if (!/^[0-9a-f-]{36}$/i.test(runId))
      throw new DisbursementsError(DisbursementsErrorCode.RunNotFound, `no run ${runId}`);
    const rows = (await queryRows(m, 'SELECT * FROM disbursement_runs WHERE id = $1', [runId])) as RunRow[];
    if (rows.length === 0)
      throw new DisbursementsError(DisbursementsErrorCode.RunNotFound, `no run ${runId}`);
    return rows[0];
  }
}

/** A run's batch id per payout rail. */
interface RunBatches {
  readonly sepa: string;
  readonly stripe: string;
}

function sourcesJson(sources: readonly SourceRange[]) {
  // Positions in each account's FIFO order (algorithm v2): the statement expands them into the
  // source entries and their amounts, from the lots the run saw.
  return sources.map((s) => ({ balance: s.balance, from: s.from.toString(), to: s.to.toString() }));
}

function toView(row: RunRow): RunView {
  return {
    id: row.id,
    currency: row.currency,
    cutoff: new Date(row.cutoff).toISOString(),
    status: row.status,
    algorithm: row.algorithm,
    policyVersion: row.policy_version,
    inputs: row.inputs,
    ledgerMark: row.ledger_mark === null ? null : String(row.ledger_mark),
    totals: row.totals,
    error: row.error,
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
  };
}
