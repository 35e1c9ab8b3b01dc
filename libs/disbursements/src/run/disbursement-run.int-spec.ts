import { randomUUID } from 'node:crypto';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { IdentityModule, Principal } from '@app/identity';
import { Accounts, LedgerModule, LedgerService, PostingCommand } from '@app/ledger';
import { PolicyModule } from '@app/policy';
import { QueueModule } from '@app/queue';
import { holdLogSequencerLock } from '@app/testing';
import { TransparencyLogService, TransparencyModule } from '@app/transparency';
import { PayoutsService } from '../payouts/payouts.service';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import { FixedPayeeDirectory } from '../payees/fixed-payee-directory';
import { PayeeDirectory } from '../payees/payee-directory';
import { PayoutTransfers } from '../payouts/payout-transfers';
import { DisbursementRunScheduler } from './disbursement-run.scheduler';
import { DisbursementRunService } from './disbursement-run.service';
import { ProjectBalances, readProjectBalances } from './run-balances.reader';
import { openLots } from './run-computation';

const treasurer: Principal = {
  kind: 'user',
  userId: null,
  tokenId: null,
  grants: [{ role: 'treasurer', scopeId: '' }],
};
const donor: Principal = {
  kind: 'user',
  userId: null,
  tokenId: null,
  grants: [{ role: 'donor', scopeId: '' }],
};
const DAY = 86_400_000;

/** Disbursement runs on the real database: ledger effects, carry-over, expiry, single flight, idempotency. */
describe('DisbursementRunService (PostgreSQL)', () => {
  let app: INestApplicationContext;
  let sut: DisbursementRunService;
  let ledger: LedgerService;
  let db: DataSource;
  const payees = new FixedPayeeDirectory();
  const scheduled: string[] = [];

  beforeAll(async () => {
    @Module({
      imports: [
        ConfigModule,
        DatabaseModule,
        QueueModule,
        LedgerModule,
        PolicyModule,
        IdentityModule,
        TransparencyModule,
      ],
      providers: [
        DisbursementRunService,
        PayoutsService,
        { provide: PayeeDirectory, useValue: payees },
        {
          provide: DisbursementRunScheduler,
          useValue: { schedule: async (id: string) => void scheduled.push(id) },
        },
        {
          provide: PayoutTransfers,
          useValue: { transfer: async () => ({ ok: false, failure: 'not used' }) },
        },
      ],
    })
    class RunTestModule {}
    app = await NestFactory.createApplicationContext(RunTestModule, { logger: false });
    sut = app.get(DisbursementRunService);
    ledger = app.get(LedgerService);
    db = app.get(DataSource);
    await ledger.ensureAccounts([Accounts.bank(), Accounts.pool()]);
  });
  afterAll(() => app.close());

  /** Cash in, credited to a project's balance, `ageDays` before now. */
  async function fund(projectId: string, balance: 'directed' | 'allocated', amount: bigint, ageDays = 1) {
    const account =
      balance === 'directed' ? Accounts.projectDirected(projectId) : Accounts.projectAllocated(projectId);
    await ledger.ensureAccounts([account]);
    const key = randomUUID();
    return ledger.post({
      kind: balance === 'directed' ? 'contribution.booked' : 'round.allocation',
      businessRef: `test:${key}`,
      idempotencyKey: key,
      occurredAt: new Date(Date.now() - ageDays * DAY),
      postings: [
        { account: Accounts.bank().code, direction: 'debit', amount, currency: 'EUR' },
        { account: account.code, direction: 'credit', amount, currency: 'EUR' },
      ],
    });
  }

  /** An admitted project paid by SEPA (verified details). */
  const admitSepa = (projectId: string, name: string, accountHolder: string) =>
    payees.set({
      projectId,
      name,
      admitted: true,
      destination: { rail: 'sepa', accountHolder, iban: 'DE89370400440532013000', bic: null },
    });

  async function runNow() {
    const started = await sut.start(treasurer, { cutoff: new Date() });
    return sut.execute(started.run.id, { pageSize: 3 });
  }

  const bal = async (code: string) => (await ledger.balance(code)).balance;

  /**
   * Commits an entry while another holds the sequencer's lock (so not appended at its own COMMIT)
   * and without the round that normally follows (a crash in between, or a round not yet run): the
   * entry and its queued leaf are in the database, with no leaf index. Returns the entry id.
   */
  async function commitWithLeafQueued(kind: string, postings: PostingCommand[]): Promise<string> {
    const release = await holdLogSequencerLock(db);
    const raw = db.createQueryRunner();
    await raw.connect();
    try {
      await raw.query('BEGIN');
      const key = randomUUID();
      const { id } = await ledger.post(
        {
          kind,
          businessRef: `test:${key}`,
          idempotencyKey: key,
          occurredAt: new Date(Date.now() - DAY),
          postings,
        },
        raw.manager,
      );
      await raw.query('COMMIT');
      return id;
    } finally {
      await raw.release();
      await release();
    }
  }

  /** The sources of a run's payable amount for a project, as its statement lists them. */
  async function statementSources(runId: string, projectId: string) {
    const statement = await app.get(PayoutsService).statement(projectId);
    const line = statement.lines.find((l) => l.runId === runId)!;
    return line.sources.map(({ balance, entryId, amount }) => ({ balance, entryId, amount }));
  }

  it('moves eligible balances to payable, carries over the rest with reasons, returns expired directed money to the pool', async () => {
    const [paid, small, unverified, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    admitSepa(paid, 'Paid', 'Paid');
    payees.set({
      projectId: small,
      name: 'Small',
      admitted: true,
      destination: { rail: 'stripe', stripeAccountId: 'acct_123456789' },
    });
    payees.set({ projectId: unverified, name: 'Unverified', admitted: true, destination: null });
    const d1 = await fund(paid, 'directed', 4000n);
    const a1 = await fund(paid, 'allocated', 2500n);
    await fund(small, 'directed', 100n);
    await fund(unverified, 'directed', 900n, 800);
    await fund(unverified, 'directed', 9000n, 5);
    await fund(stranger, 'allocated', 7000n);
    const poolBefore = await bal(Accounts.pool().code);

    const run = await runNow();
    expect(run.status).toBe('completed');
    expect(run.inputs).toMatchObject({
      algorithm: 'disbursement-run-v2',
      allocationRule: 'hamilton-v1',
      minimumPayout: '5000',
      claimDeadlineDays: 730,
    });
    expect(run.ledgerMark).not.toBeNull();

    expect(await bal(Accounts.payable(paid).code)).toBe(6500n);
    expect(await bal(Accounts.projectDirected(paid).code)).toBe(0n);
    expect(await bal(Accounts.projectAllocated(paid).code)).toBe(0n);
    expect(await bal(Accounts.projectDirected(small).code)).toBe(100n);
    expect(await bal(Accounts.projectDirected(unverified).code)).toBe(9000n);
    expect(await bal(Accounts.pool().code)).toBe(poolBefore + 900n);
    expect(await bal(Accounts.projectAllocated(stranger).code)).toBe(7000n);

    const rows = (await db.query(
      'SELECT * FROM disbursement_run_projects WHERE run_id = $1 AND project_id = ANY($2)',
      [run.id, [paid, small, unverified, stranger]],
    )) as {
      project_id: string;
      outcome: string;
      reason: string | null;
      payable: bigint;
      expired: bigint;
      sources: { payable: unknown[] };
    }[];
    const by = new Map(rows.map((r) => [r.project_id, r]));
    expect(by.get(paid)).toMatchObject({ outcome: 'payable', payable: 6500n });
    // Stored as positions in each account's FIFO order (both balances moved whole)…
    expect(by.get(paid)!.sources.payable).toEqual([
      { balance: 'directed', from: '0', to: '4000' },
      { balance: 'allocated', from: '0', to: '2500' },
    ]);
    // …which the statement lists as source entries and amounts, with their kind and reference.
    const statement = await app.get(PayoutsService).statement(paid);
    expect(statement.lines[0].sources).toEqual([
      {
        balance: 'directed',
        entryId: d1.id,
        kind: 'contribution.booked',
        reference: d1.businessRef,
        amount: '4000',
      },
      {
        balance: 'allocated',
        entryId: a1.id,
        kind: 'round.allocation',
        reference: a1.businessRef,
        amount: '2500',
      },
    ]);
    expect(by.get(small)).toMatchObject({ outcome: 'carried_over', reason: 'below_minimum_payout' });
    expect(by.get(unverified)).toMatchObject({
      outcome: 'carried_over',
      reason: 'no_verified_payout_details',
      expired: 900n,
    });
    expect(by.get(stranger)).toMatchObject({ outcome: 'carried_over', reason: 'not_admitted' });

    const payouts = (await db.query(
      `SELECT p.*, b.rail FROM disbursement_payouts p JOIN disbursement_batches b ON b.id = p.batch_id WHERE p.run_id = $1`,
      [run.id],
    )) as { project_id: string; amount: bigint; rail: string; status: string }[];
    expect(payouts.filter((p) => p.project_id === paid)).toEqual([
      expect.objectContaining({ amount: 6500n, rail: 'sepa', status: 'planned' }),
    ]);
    expect(payouts.some((p) => p.project_id === small || p.project_id === unverified)).toBe(false);

    // Executing again is a no-op; a second run pays what arrived since, nothing twice.
    expect((await sut.execute(run.id)).status).toBe('completed');
    await fund(paid, 'directed', 5000n);
    const second = await runNow();
    const [row2] = (await db.query(
      'SELECT payable FROM disbursement_run_projects WHERE run_id = $1 AND project_id = $2',
      [second.id, paid],
    )) as {
      payable: bigint;
    }[];
    expect(row2.payable).toBe(5000n);
    expect(await bal(Accounts.payable(paid).code)).toBe(11500n);
  });

  it('reads open lots in SQL exactly as the pure rule does: debits consume the oldest credits first', async () => {
    const project = randomUUID();
    admitSepa(project, 'Fifo', 'Fifo');
    const c1 = await fund(project, 'directed', 4000n, 30);
    const c2 = await fund(project, 'directed', 6500n, 20);
    const c3 = await fund(project, 'directed', 2500n, 10);
    // A refund-like debit of 4,600 (not a run): consumes c1 whole and 600 of c2.
    const key = randomUUID();
    await ledger.post({
      kind: 'contribution.refunded',
      businessRef: `test:${key}`,
      idempotencyKey: key,
      postings: [
        {
          account: Accounts.projectDirected(project).code,
          direction: 'debit',
          amount: 4600n,
          currency: 'EUR',
        },
        { account: Accounts.bank().code, direction: 'credit', amount: 4600n, currency: 'EUR' },
      ],
    });
    const run = await runNow();
    const [row] = (await db.query(
      'SELECT payable FROM disbursement_run_projects WHERE run_id = $1 AND project_id = $2',
      [run.id, project],
    )) as { payable: bigint }[];
    const expected = openLots('directed', {
      credits: [c1, c2, c3].map((e) => ({
        sourceId: e.id,
        occurredAt: e.occurredAt,
        amount: BigInt(e.postings.find((p) => p.direction === 'credit')!.amount),
      })),
      debited: 4600n,
    });
    expect(expected.map((l) => [l.sourceId, l.open])).toEqual([
      [c2.id, 5900n],
      [c3.id, 2500n],
    ]);
    expect(row.payable).toBe(8400n);
    expect(await statementSources(run.id, project)).toEqual(
      expected.map((l) => ({ balance: 'directed', entryId: l.sourceId, amount: String(l.open) })),
    );
  });

  it('orders lots by when they occurred, not when they were booked: a back-dated credit is consumed first', async () => {
    const project = randomUUID();
    admitSepa(project, 'Late', 'Late');
    const c1 = await fund(project, 'directed', 3000n, 10);
    const c2 = await fund(project, 'directed', 4000n, 5);
    const key = randomUUID();
    await ledger.post({
      kind: 'contribution.refunded',
      businessRef: `test:${key}`,
      idempotencyKey: key,
      postings: [
        {
          account: Accounts.projectDirected(project).code,
          direction: 'debit',
          amount: 3500n,
          currency: 'EUR',
        },
        { account: Accounts.bank().code, direction: 'credit', amount: 3500n, currency: 'EUR' },
      ],
    });
    // Booked last, occurred first: in FIFO order it comes before c1, so the refund consumed it.
    const back = await fund(project, 'directed', 2000n, 20);
    const run = await runNow();
    const expected = openLots('directed', {
      credits: [back, c1, c2].map((e) => ({
        sourceId: e.id,
        occurredAt: e.occurredAt,
        amount: BigInt(e.postings.find((p) => p.direction === 'credit')!.amount),
      })),
      debited: 3500n,
    });
    expect(expected.map((l) => [l.sourceId, l.open])).toEqual([
      [c1.id, 1500n],
      [c2.id, 4000n],
    ]);
    expect(await statementSources(run.id, project)).toEqual(
      expected.map((l) => ({ balance: 'directed', entryId: l.sourceId, amount: String(l.open) })),
    );
  });

  it('sees exactly the entries logged below its mark, even one with a lower id committed after the mark was taken', async () => {
    const project = randomUUID();
    await fund(project, 'directed', 1000n);
    const late = db.createQueryRunner();
    await late.connect();
    try {
      await late.startTransaction();
      const key = randomUUID();
      const lower = await ledger.post(
        {
          kind: 'contribution.booked',
          businessRef: `test:${key}`,
          idempotencyKey: key,
          occurredAt: new Date(Date.now() - DAY),
          postings: [
            { account: Accounts.bank().code, direction: 'debit', amount: 500n, currency: 'EUR' },
            {
              account: Accounts.projectDirected(project).code,
              direction: 'credit',
              amount: 500n,
              currency: 'EUR',
            },
          ],
        },
        late.manager,
      );
      // Committed and logged before the mark, on accounts the open transaction does not hold.
      const other = randomUUID();
      const source = {
        code: `asset:test:${other}:eur`,
        currency: 'EUR',
        normalSide: 'debit',
        balanceLimit: 'none',
      } as const;
      await ledger.ensureAccounts([source, Accounts.projectDirected(other)]);
      const higherKey = randomUUID();
      const higher = await ledger.post({
        kind: 'contribution.booked',
        businessRef: `test:${higherKey}`,
        idempotencyKey: higherKey,
        postings: [
          { account: source.code, direction: 'debit', amount: 2000n, currency: 'EUR' },
          {
            account: Accounts.projectDirected(other).code,
            direction: 'credit',
            amount: 2000n,
            currency: 'EUR',
          },
        ],
      });
      expect(BigInt(lower.id)).toBeLessThan(BigInt(higher.id));
      const [{ mark }] = (await db.query(
        'SELECT size::text AS mark FROM transparency_log_head WHERE id = 1',
      )) as {
        mark: string;
      }[];
      await late.commitTransaction();
      const [leaf] = (await db.query(
        'SELECT log_index::text AS i FROM transparency_log_leaves WHERE entry_id = $1',
        [lower.id],
      )) as { i: string }[];
      expect(BigInt(leaf.i)).toBeGreaterThanOrEqual(BigInt(mark));
      // The id mark of v1 (the highest id at the start) would count it; the log mark does not.
      const seen: ProjectBalances[] = [];
      for await (const page of readProjectBalances(db, {
        currency: 'EUR',
        cutoff: new Date(),
        ledgerMark: mark,
      })) {
        seen.push(...page.projects.filter((p) => p.projectId === project || p.projectId === other));
      }
      const sums = new Map(seen.map((p) => [p.projectId, [p.directed?.credited, p.directed?.debited]]));
      expect(sums).toEqual(
        new Map([
          [project, [1000n, 0n]],
          [other, [2000n, 0n]],
        ]),
      );
      // Each project comes with its accounts as committed (no payable account: never admitted).
      expect(seen.find((p) => p.projectId === project)?.accounts).toEqual([
        expect.objectContaining({
          code: Accounts.projectDirected(project, 'EUR').code,
          currency: 'EUR',
          normalSide: 'credit',
        }),
      ]);
      const after: ProjectBalances[] = [];
      for await (const page of readProjectBalances(db, {
        currency: 'EUR',
        cutoff: new Date(),
        ledgerMark: String(BigInt(leaf.i) + 1n),
      })) {
        after.push(...page.projects.filter((p) => p.projectId === project));
      }
      expect(after.map((p) => p.directed?.credited)).toEqual([1500n]);
    } finally {
      if (late.isTransactionActive) await late.rollbackTransaction();
      await late.release();
    }
  });

  it('does not see an entry committed but still queued for the log; it counts from the next mark', async () => {
    const project = randomUUID();
    await fund(project, 'directed', 1000n);
    const queued = await commitWithLeafQueued('contribution.booked', [
      { account: Accounts.bank().code, direction: 'debit', amount: 700n, currency: 'EUR' },
      { account: Accounts.projectDirected(project).code, direction: 'credit', amount: 700n, currency: 'EUR' },
    ]);
    expect(await db.query('SELECT 1 FROM transparency_log_queue WHERE entry_id = $1', [queued])).toHaveLength(
      1,
    );
    const credited = async (mark: string) => {
      for await (const page of readProjectBalances(db, {
        currency: 'EUR',
        cutoff: new Date(),
        ledgerMark: mark,
      })) {
        const found = page.projects.find((p) => p.projectId === project);
        if (found) return found.directed?.credited;
      }
      return undefined;
    };
    const size = async () =>
      (
        (await db.query('SELECT size::text AS size FROM transparency_log_head WHERE id = 1')) as {
          size: string;
        }[]
      )[0].size;
    const mark = await size();
    expect(await credited(mark)).toBe(1000n);
    await app.get(TransparencyLogService).sequence();
    expect(await db.query('SELECT 1 FROM transparency_log_queue WHERE entry_id = $1', [queued])).toHaveLength(
      0,
    );
    expect(await credited(mark)).toBe(1000n);
    expect(await credited(await size())).toBe(1700n);
  });

  it('counts a debit committed just before the run whose leaf is still queued: the run logs it before its mark', async () => {
    const project = randomUUID();
    admitSepa(project, 'Queued refund', 'Q');
    await fund(project, 'directed', 10000n);
    // A refund took 4,000 back and committed, its leaf still queued (no round ran yet).
    await commitWithLeafQueued('contribution.refund', [
      { account: Accounts.projectDirected(project).code, direction: 'debit', amount: 4000n, currency: 'EUR' },
      { account: Accounts.bank().code, direction: 'credit', amount: 4000n, currency: 'EUR' },
    ]);
    // Left out of the run's figures but not of the balance, it would make the payable posting
    // exceed the balance, at every retry.
    const done = await runNow();
    expect(done.status).toBe('completed');
    const [row] = (await db.query(
      'SELECT payable::text AS payable FROM disbursement_run_projects WHERE run_id = $1 AND project_id = $2',
      [done.id, project],
    )) as { payable: string }[];
    expect(row.payable).toBe('6000');
    expect(await bal(Accounts.projectDirected(project).code)).toBe(0n);
  });

  it('resumes a failed run where it stopped: written pages are skipped, nothing is posted twice', async () => {
    const projects = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of projects) {
      admitSepa(id, id, 'R');
      await fund(id, 'directed', 6000n);
      await fund(id, 'allocated', 1000n);
    }
    const find = payees.find.bind(payees);
    let calls = 0;
    payees.find = async (ids: readonly string[]) => {
      if (++calls === 3) throw new Error('payee directory unavailable');
      return find(ids);
    };
    const started = await sut.start(treasurer, { cutoff: new Date() });
    try {
      await expect(sut.execute(started.run.id, { pageSize: 1 })).rejects.toThrow(
        'payee directory unavailable',
      );
    } finally {
      payees.find = find;
    }
    const failed = await sut.get(started.run.id);
    expect(failed.status).toBe('failed');
    const [{ n: written }] = (await db.query(
      'SELECT count(*)::int AS n FROM disbursement_run_projects WHERE run_id = $1',
      [started.run.id],
    )) as { n: number }[];
    expect(written).toBe(2);
    // Its batches are still filling (each written page brought its payouts): none can be submitted.
    const [filling] = (await db.query(
      `SELECT array_agg(DISTINCT b.status) AS statuses, (array_agg(b.id))[1] AS id,
              (SELECT count(*)::int FROM disbursement_payouts p WHERE p.run_id = $1) AS payouts,
              (SELECT count(*)::int FROM disbursement_run_projects rp WHERE rp.run_id = $1 AND rp.outcome = 'payable') AS payable
         FROM disbursement_batches b WHERE b.run_id = $1`,
      [started.run.id],
    )) as { statuses: string[]; id: string; payouts: number; payable: number }[];
    expect(filling.statuses).toEqual(['filling']);
    expect(filling.payouts).toBe(filling.payable);
    const payouts = app.get(PayoutsService);
    await expect(payouts.submitBatch(treasurer, filling.id, {})).rejects.toMatchObject({
      code: DisbursementsErrorCode.RunInProgress,
    });

    const again = await sut.start(treasurer, { cutoff: new Date(started.run.cutoff) });
    expect(again.run.id).toBe(started.run.id);
    const done = await sut.execute(started.run.id, { pageSize: 1 });
    expect(done.status).toBe('completed');
    expect(done.ledgerMark).toBe(failed.ledgerMark);
    for (const id of projects) {
      expect(await bal(Accounts.payable(id).code)).toBe(7000n);
      expect(await bal(Accounts.projectDirected(id).code)).toBe(0n);
    }
    const rows = (await db.query(
      'SELECT project_id, payable FROM disbursement_run_projects WHERE run_id = $1 AND project_id = ANY($2)',
      [started.run.id, projects],
    )) as { project_id: string; payable: bigint }[];
    expect(rows.map((r) => r.payable)).toEqual(projects.map(() => 7000n));
    // Every project balance moved once: the run's payable entries credit each payable account once.
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM ledger_postings p
         JOIN ledger_entries e ON e.id = p.entry_id
         JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.kind = 'disbursement.payable' AND e.business_ref = $1 AND a.code = ANY($2)`,
      [`disbursement-run:${started.run.id}`, projects.map((id) => Accounts.payable(id).code)],
    )) as { n: number }[];
    expect(n).toBe(projects.length);
    // Completed: every batch planned with its own count and total; a rail without payouts has none.
    const batches = (await db.query(
      `SELECT b.status, b.payout_count, b.total::text AS total,
              (SELECT count(*)::int FROM disbursement_payouts p WHERE p.batch_id = b.id) AS payouts,
              (SELECT coalesce(sum(amount), 0)::text FROM disbursement_payouts p WHERE p.batch_id = b.id) AS amount
         FROM disbursement_batches b WHERE b.run_id = $1`,
      [started.run.id],
    )) as { status: string; payout_count: number; total: string; payouts: number; amount: string }[];
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.status).toBe('planned');
      expect(b.payouts).toBeGreaterThan(0);
      expect([b.payout_count, b.total]).toEqual([b.payouts, b.amount]);
    }
    const [{ paid }] = (await db.query(
      'SELECT count(*)::int AS paid FROM disbursement_payouts WHERE run_id = $1 AND project_id = ANY($2)',
      [started.run.id, projects],
    )) as { paid: number }[];
    expect(paid).toBe(projects.length);
  });

  it('keeps a run record whole: references checked, outcomes immutable, runs and used batches never removed', async () => {
    const id = randomUUID();
    admitSepa(id, id, 'R');
    await fund(id, 'directed', 9000n);
    const run = await runNow();
    const [row] = (await db.query(
      `SELECT rp.payable_entry_id::text AS entry, p.batch_id::text AS batch
         FROM disbursement_run_projects rp JOIN disbursement_payouts p ON p.run_id = rp.run_id AND p.project_id = rp.project_id
        WHERE rp.run_id = $1 AND rp.project_id = $2`,
      [run.id, id],
    )) as { entry: string; batch: string }[];
    const outcome = (runId: string, entryId: string) =>
      db.query(
        `INSERT INTO disbursement_run_projects (run_id, project_id, outcome, payable, directed, allocated, payable_entry_id, payee)
         VALUES ($1, $2, 'payable', 1, 1, 0, $3, '{"rail":"sepa"}')`,
        [runId, randomUUID(), entryId],
      );
    await expect(outcome(randomUUID(), row.entry)).rejects.toMatchObject({
      code: '23503',
      constraint: 'disbursement_run_projects_run_fkey',
    });
    await expect(outcome(run.id, '999999999999')).rejects.toMatchObject({
      code: '23503',
      constraint: 'disbursement_run_projects_entry_fkey',
    });
    const payout = (batchId: string) =>
      db.query(
        `INSERT INTO disbursement_payouts (batch_id, run_id, project_id, end_to_end_id, amount, directed, allocated, currency, payee)
         VALUES ($1, $2, $3, $4, 1, 1, 0, 'EUR', '{"rail":"sepa"}')`,
        [batchId, run.id, randomUUID(), `LB${randomUUID().slice(0, 8)}`],
      );
    await expect(payout(randomUUID())).rejects.toMatchObject({
      code: '23503',
      constraint: 'disbursement_payouts_batch_fkey',
    });
    await expect(
      db.query('DELETE FROM disbursement_batches WHERE id = $1', [row.batch]),
    ).rejects.toMatchObject({
      code: '23503',
    });
    await expect(
      db.query(`UPDATE disbursement_run_projects SET reason = 'x' WHERE run_id = $1`, [run.id]),
    ).rejects.toMatchObject({ code: 'LG003' });
    await expect(
      db.query('DELETE FROM disbursement_run_projects WHERE run_id = $1', [run.id]),
    ).rejects.toMatchObject({
      code: 'LG003',
    });
    await expect(db.query('DELETE FROM disbursement_runs WHERE id = $1', [run.id])).rejects.toMatchObject({
      code: 'LG003',
    });
  });

  it('refuses a cut-off in the future or before the previous run (422), and a non-treasurer', async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as DisbursementsError,
      );
    expect(await err(sut.start(treasurer, { cutoff: new Date(Date.now() + 60_000) }))).toMatchObject({
      code: DisbursementsErrorCode.CutoffInFuture,
    });
    const run = await runNow();
    expect(
      await err(sut.start(treasurer, { cutoff: new Date(new Date(run.cutoff).getTime() - 1000) })),
    ).toMatchObject({
      code: DisbursementsErrorCode.CutoffBeforePreviousRun,
    });
    expect(await err(sut.start(donor, { cutoff: new Date() }))).toMatchObject({ code: 'identity.forbidden' });
  });

  it('is idempotent per cut-off and single-flight: one queued run at a time (409 pointing to it)', async () => {
    const cutoff = new Date();
    const first = await sut.start(treasurer, { cutoff });
    const again = await sut.start(treasurer, { cutoff });
    expect(again).toEqual({ run: first.run, created: false });
    const other = await sut
      .start(treasurer, { cutoff: new Date(cutoff.getTime() + 1) })
      .catch((e: DisbursementsError) => e);
    expect(other).toMatchObject({
      code: DisbursementsErrorCode.RunInProgress,
      details: { runId: first.run.id },
    });
    await sut.execute(first.run.id);
  });

  it('executes one run at a time across workers (advisory lock), each exactly once', async () => {
    const project = randomUUID();
    payees.set({
      projectId: project,
      name: 'P',
      admitted: true,
      destination: { rail: 'sepa', accountHolder: 'P', iban: 'NL91ABNA0417164300', bic: null },
    });
    await fund(project, 'directed', 8000n);
    const started = await sut.start(treasurer, { cutoff: new Date() });
    const results = await Promise.all([
      sut.execute(started.run.id),
      sut.execute(started.run.id),
      sut.execute(started.run.id),
    ]);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await bal(Accounts.payable(project).code)).toBe(8000n);
    const entries = (await db.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'disbursement.payable' AND business_ref = $1`,
      [`disbursement-run:${started.run.id}`],
    )) as { n: number }[];
    expect(entries[0].n).toBeGreaterThan(0);
    const payouts = (await db.query(
      'SELECT count(*)::int AS n FROM disbursement_payouts WHERE run_id = $1 AND project_id = $2',
      [started.run.id, project],
    )) as {
      n: number;
    }[];
    expect(payouts[0].n).toBe(1);
  });

  it('does not resume a run that started under v1 (its mark was an entry id), and says so', async () => {
    const started = await sut.start(treasurer, { cutoff: new Date() });
    await db.query(
      `UPDATE disbursement_runs SET algorithm = 'disbursement-run-v1', ledger_mark = 1, status = 'failed' WHERE id = $1`,
      [started.run.id],
    );
    await expect(sut.execute(started.run.id)).rejects.toMatchObject({
      code: DisbursementsErrorCode.InvalidRunInput,
    });
    expect(await sut.get(started.run.id)).toMatchObject({
      status: 'failed',
      algorithm: 'disbursement-run-v1',
    });
  });
});
