import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource, EntityManager } from 'typeorm';
import { AccountSpec, LedgerService } from '@app/ledger';
import { holdLogSequencerLock } from '@app/testing';
import { createTestApp } from '../../../../test/support/create-test-app';
import { CheckpointService } from '../checkpoint/checkpoint.service';
import { TransparencyLogService } from './transparency-log.service';

/** The sequencer that gives committed entries their log indices (migration 1763769620003). */
describe('public log sequencing', () => {
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let log: TransparencyLogService;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp();
    ledger = app.get(LedgerService);
    log = app.get(TransparencyLogService);
    db = app.get(DataSource);
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());

  async function accounts() {
    const n = randomUUID().slice(0, 8);
    const cash: AccountSpec = {
      code: `asset:cash:${n}`,
      currency: 'EUR',
      normalSide: 'debit',
      balanceLimit: 'credits_must_not_exceed_debits',
    };
    const pool: AccountSpec = {
      code: `liability:pool:${n}`,
      currency: 'EUR',
      normalSide: 'credit',
      balanceLimit: 'debits_must_not_exceed_credits',
    };
    const project: AccountSpec = {
      code: `liability:project:${n}`,
      currency: 'EUR',
      normalSide: 'credit',
      balanceLimit: 'debits_must_not_exceed_credits',
    };
    await ledger.ensureAccounts([cash, pool, project]);
    return { cash: cash.code, pool: pool.code, project: project.code };
  }
  /** Debits `to`, credits `from`. */
  const move = (from: string, to: string, amount: bigint) => {
    const key = randomUUID();
    return ledger.post({
      kind: 'test.move',
      businessRef: key,
      idempotencyKey: key,
      postings: [
        { account: to, direction: 'debit', amount, currency: 'EUR' },
        { account: from, direction: 'credit', amount, currency: 'EUR' },
      ],
    });
  };
  const indexOf = async (entryId: string): Promise<number | null> => {
    const rows = (await db.query(
      'SELECT log_index::int AS i FROM transparency_log_leaves WHERE entry_id = $1',
      [entryId],
    )) as { i: number }[];
    return rows.length === 0 ? null : rows[0].i;
  };
  const holdSequencerLock = () => holdLogSequencerLock(db);
  const queued = async (): Promise<number> =>
    ((await db.query('SELECT count(*)::int AS n FROM transparency_log_queue')) as { n: number }[])[0].n;

  it('concurrent writers: every entry is appended once, gapless, each leaf carrying its own index', async () => {
    const a = await accounts();
    await Promise.all(Array.from({ length: 60 }, (_, i) => move(a.pool, a.cash, BigInt(i + 1))));
    expect(await queued()).toBe(0);
    const [check] = (await db.query(
      `SELECT (SELECT size::int FROM transparency_log_head) AS size,
              count(*)::int AS leaves, min(log_index)::int AS first, max(log_index)::int AS last,
              count(*) FILTER (WHERE leaf_data NOT LIKE '%"seq":' || log_index || ',"tx":%')::int AS wrong_seq,
              (SELECT count(*)::int FROM ledger_entries e
                WHERE NOT EXISTS (SELECT 1 FROM transparency_log_leaves l WHERE l.entry_id = e.id)) AS missing
         FROM transparency_log_leaves`,
    )) as { size: number; leaves: number; first: number; last: number; wrong_seq: number; missing: number }[];
    expect(check).toEqual({
      size: check.leaves,
      leaves: check.leaves,
      first: 0,
      last: check.leaves - 1,
      wrong_seq: 0,
      missing: 0,
    });
  });

  it('an entry committed but not yet sequenced (a crash) is appended by the next writer, before what relied on it', async () => {
    const a = await accounts();
    // The lock is taken at its COMMIT, so the writer leaves its leaf queued; then it "crashes"
    // before joining a sequencing round.
    const release = await holdSequencerLock();
    jest.spyOn(log, 'appendCommitted').mockResolvedValueOnce();
    const funding = await move(a.pool, a.cash, 500n);
    await release();
    expect(await indexOf(funding.id)).toBeNull();
    expect(await queued()).toBe(1);
    jest.restoreAllMocks();

    // This entry spends the money the first one brought: it can only come after it in the log.
    const spending = await move(a.project, a.pool, 500n);
    const [f, s] = [await indexOf(funding.id), await indexOf(spending.id)];
    expect(f).not.toBeNull();
    expect(s).toBe((f as number) + 1);
    expect(await queued()).toBe(0);
  });

  it('the checkpoint signer appends what a crashed writer left queued before it signs', async () => {
    const a = await accounts();
    const release = await holdSequencerLock();
    jest.spyOn(log, 'appendCommitted').mockResolvedValueOnce();
    const orphan = await move(a.pool, a.cash, 7n);
    await release();
    expect(await indexOf(orphan.id)).toBeNull();
    jest.restoreAllMocks();
    const checkpoint = await app.get(CheckpointService).signLatest();
    const index = await indexOf(orphan.id);
    expect(index).not.toBeNull();
    expect(checkpoint.treeSize).toBeGreaterThan(index as number);
  });

  it('a writer that finds the lock free appends at its own COMMIT; one that finds it taken does not wait for it', async () => {
    const a = await accounts();
    // Uncontended: appended in the entry's own transaction, which then needs no round.
    const round = jest.spyOn(log, 'appendCommitted');
    const alone = await move(a.pool, a.cash, 3n);
    expect(await indexOf(alone.id)).not.toBeNull();
    expect(round).not.toHaveBeenCalled();
    jest.restoreAllMocks();
    // Contended: the commit goes through while another holds the lock; the round appends it.
    const release = await holdSequencerLock();
    const spy = jest.spyOn(log, 'appendCommitted').mockResolvedValueOnce();
    const busy = await move(a.pool, a.cash, 4n);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await indexOf(busy.id)).toBeNull();
    await release();
    spy.mockRestore();
    await log.appendCommitted();
    expect(await indexOf(busy.id)).not.toBeNull();
  });

  it('a sequencer that finds nothing to append writes nothing (its commit needs no WAL flush)', async () => {
    await log.sequence();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ appended }] = (await runner.query('SELECT transparency_sequence() AS appended')) as {
        appended: number;
      }[];
      const [{ xid }] = (await runner.query('SELECT pg_current_xact_id_if_assigned()::text AS xid')) as {
        xid: string | null;
      }[];
      await runner.commitTransaction();
      expect(appended).toBe(0);
      expect(xid).toBeNull();
    } finally {
      await runner.release();
    }
  });

  it('entries posted in one transaction are appended when it commits, in the order they were posted', async () => {
    const a = await accounts();
    const ids = await ledger.transaction(async (m) => {
      const first = await ledger.post(
        {
          kind: 'test.move',
          businessRef: 'one',
          idempotencyKey: randomUUID(),
          postings: [
            { account: a.cash, direction: 'debit', amount: 20n, currency: 'EUR' },
            { account: a.pool, direction: 'credit', amount: 20n, currency: 'EUR' },
          ],
        },
        m,
      );
      const second = await ledger.post(
        {
          kind: 'test.move',
          businessRef: 'two',
          idempotencyKey: randomUUID(),
          postings: [
            { account: a.pool, direction: 'debit', amount: 20n, currency: 'EUR' },
            { account: a.project, direction: 'credit', amount: 20n, currency: 'EUR' },
          ],
        },
        m,
      );
      expect(await indexOf(first.id)).toBeNull();
      return [first.id, second.id];
    });
    const [i1, i2] = [await indexOf(ids[0]), await indexOf(ids[1])];
    expect(i1).not.toBeNull();
    expect(i2).toBe((i1 as number) + 1);
  });

  it('an entry queued in its own statement that waited on another transaction is logged after all of it', async () => {
    const a = await accounts();
    // With occurredAt the leaf is queued by the entry's own statement (LedgerService).
    const moveAt = (from: string, to: string, amount: bigint, manager?: EntityManager) => {
      const key = randomUUID();
      return ledger.post(
        {
          kind: 'test.move',
          businessRef: key,
          idempotencyKey: key,
          occurredAt: new Date('2026-01-01T00:00:00Z'),
          postings: [
            { account: to, direction: 'debit', amount, currency: 'EUR' },
            { account: from, direction: 'credit', amount, currency: 'EUR' },
          ],
        },
        manager,
      );
    };
    // Nobody appends at COMMIT while this is held: the order is the queue's alone.
    let release: (() => Promise<void>) | null = await holdSequencerLock();
    const spy = jest.spyOn(log, 'appendCommitted').mockResolvedValue();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // A brings 100 to the pool (and holds its balance row) …
      const a1 = await moveAt(a.pool, a.cash, 100n, runner.manager);
      // … B, which spends 300 from it, queues its leaf and waits for that row …
      const spending = moveAt(a.project, a.pool, 300n);
      for (let waited = 0; ; waited += 10) {
        const [{ n }] = (await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ledger_entries%'`,
        )) as { n: number }[];
        if (n > 0) break;
        if (waited > 5000) throw new Error('B never waited for A');
        await new Promise((r) => setTimeout(r, 10));
      }
      // … A brings 200 more, then commits; only then can B take its 300.
      const a2 = await moveAt(a.pool, a.cash, 200n, runner.manager);
      await runner.commitTransaction();
      const b = await spending;
      spy.mockRestore();
      await release();
      release = null;
      await log.sequence();
      const [i1, i2, ib] = [await indexOf(a1.id), await indexOf(a2.id), await indexOf(b.id)];
      expect(i1).not.toBeNull();
      expect(i2).toBeGreaterThan(i1 as number);
      expect(ib).toBeGreaterThan(i2 as number);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
      spy.mockRestore();
      await release?.();
    }
  });
});
