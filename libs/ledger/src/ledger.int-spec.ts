import { randomUUID } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import fc from 'fast-check';
import { createTestApp } from '../../../test/support/create-test-app';
import { AccountSpec } from './ledger.types';
import { LedgerError, LedgerErrorCode } from './ledger.errors';
import { LedgerHooks } from './ledger-hooks';
import { LedgerService } from './ledger.service';

/** The ledger invariants of reference §8.1, each by its number and name, on the real database. */
describe('ledger invariants (reference §8.1)', () => {
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp();
    ledger = app.get(LedgerService);
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  const id = () => randomUUID().slice(0, 8);
  async function setup(hot = false) {
    const n = id();
    const cash: AccountSpec = {
      code: `asset:cash:${n}`,
      currency: 'EUR',
      normalSide: 'debit',
      balanceLimit: 'credits_must_not_exceed_debits',
      hot,
    };
    const pool: AccountSpec = {
      code: `liability:pool:${n}`,
      currency: 'EUR',
      normalSide: 'credit',
      balanceLimit: 'debits_must_not_exceed_credits',
      hot,
    };
    const project: AccountSpec = {
      code: `liability:project:${n}`,
      currency: 'EUR',
      normalSide: 'credit',
      balanceLimit: 'debits_must_not_exceed_credits',
    };
    const usd: AccountSpec = {
      code: `asset:usd:${n}`,
      currency: 'USD',
      normalSide: 'debit',
      balanceLimit: 'none',
    };
    await ledger.ensureAccounts([cash, pool, project, usd]);
    return { cash: cash.code, pool: pool.code, project: project.code, usd: usd.code };
  }
  const move = (from: string, to: string, amount: bigint, key: string = randomUUID()) =>
    ledger.post({
      kind: 'test.move',
      businessRef: key,
      idempotencyKey: key,
      postings: [
        { account: to, direction: 'debit', amount, currency: 'EUR' },
        { account: from, direction: 'credit', amount, currency: 'EUR' },
      ],
    });
  /** Writes an entry and its postings by raw SQL in one transaction, around the service: the database alone decides. */
  const rawEntry = (postings: [code: string, currency: string, direction: 'D' | 'C', amount: number][]) =>
    db.transaction(async (m) => {
      const [e] = await m.query(
        `INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash) VALUES ('x', 'x', $1, $2) RETURNING id`,
        [randomUUID(), Buffer.alloc(32)],
      );
      for (const [code, currency, direction, amount] of postings) {
        await m.query(
          `INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
           SELECT $1, id, $3, $4, $5 FROM ledger_accounts WHERE code = $2`,
          [e.id, code, currency, direction, amount],
        );
      }
    });
  const expectCode = async (promise: Promise<unknown>, code: LedgerErrorCode) => {
    await expect(promise).rejects.toBeInstanceOf(LedgerError);
    await expect(promise).rejects.toMatchObject({ code });
  };

  it('1. integer minor units: amounts are positive bigints, currency is the account currency (DB checks too)', async () => {
    const a = await setup();
    await expectCode(move(a.pool, a.cash, 0n), LedgerErrorCode.InvalidEntry);
    await expectCode(move(a.pool, a.cash, -5n), LedgerErrorCode.InvalidEntry);
    // bypassing the service, the database itself refuses
    // an account of another currency, or no account at all: refused by the posting trigger
    const refused = { code: '23503', constraint: 'ledger_postings_account_currency_fkey' };
    await expect(rawEntry([[a.cash, 'USD', 'D', 5]])).rejects.toMatchObject(refused);
    await expect(
      db.transaction(async (m) => {
        const [e] = await m.query(
          `INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash) VALUES ('x', 'x', $1, $2) RETURNING id`,
          [randomUUID(), Buffer.alloc(32)],
        );
        await m.query(
          `INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount) VALUES ($1, -1, 'EUR', 'D', 5)`,
          [e.id],
        );
      }),
    ).rejects.toMatchObject(refused);
    await expect(rawEntry([[a.cash, 'EUR', 'D', 0]])).rejects.toThrow(/ledger_postings_amount_check/);
  });

  it('2. balanced entries: debits equal credits per currency, at least two postings, checked at COMMIT', async () => {
    const a = await setup();
    await expectCode(
      ledger.post({
        kind: 'test',
        businessRef: 'x',
        idempotencyKey: randomUUID(),
        postings: [
          { account: a.cash, direction: 'debit', amount: 10n, currency: 'EUR' },
          { account: a.pool, direction: 'credit', amount: 9n, currency: 'EUR' },
        ],
      }),
      LedgerErrorCode.Unbalanced,
    );
    // raw SQL: an unbalanced entry fails at COMMIT
    await expect(
      rawEntry([
        [a.cash, 'EUR', 'D', 10],
        [a.pool, 'EUR', 'C', 9],
      ]),
    ).rejects.toThrow(/not balanced/);
    // a single posting, or none, is refused too
    await expect(
      db.transaction((m) =>
        m.query(
          `INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash) VALUES ('x', 'x', $1, $2)`,
          [randomUUID(), Buffer.alloc(32)],
        ),
      ),
    ).rejects.toThrow(/at least two postings/);
    // mixed currencies balance per currency, never across
    await expectCode(
      ledger.post({
        kind: 'test',
        businessRef: 'x',
        idempotencyKey: randomUUID(),
        postings: [
          { account: a.cash, direction: 'debit', amount: 10n, currency: 'EUR' },
          { account: a.usd, direction: 'credit', amount: 10n, currency: 'USD' },
        ],
      }),
      LedgerErrorCode.Unbalanced,
    );
  });

  it('3. global trial balance: the sums of debits and credits are equal per currency, posted and pending', async () => {
    const a = await setup();
    await move(a.pool, a.cash, 1000n);
    const rows = await db.query(
      `SELECT a.currency, sum(b.debits_posted) AS dp, sum(b.credits_posted) AS cp, sum(b.debits_pending) AS dpe, sum(b.credits_pending) AS cpe
         FROM ledger_account_balances b JOIN ledger_accounts a ON a.id = b.account_id GROUP BY a.currency`,
    );
    for (const r of rows) {
      expect(BigInt(r.dp)).toBe(BigInt(r.cp));
      expect(BigInt(r.dpe)).toBe(BigInt(r.cpe));
    }
  });

  it('4. cached balances equal the fold of the postings, for every account', async () => {
    const a = await setup(true);
    await move(a.pool, a.cash, 700n);
    await move(a.project, a.pool, 300n);
    const mismatches = await db.query(`
      WITH folded AS (
        SELECT p.account_id,
               sum(CASE WHEN e.flow IN ('posted', 'post_pending') AND p.direction = 'D' THEN p.amount ELSE 0 END) AS dp,
               sum(CASE WHEN e.flow IN ('posted', 'post_pending') AND p.direction = 'C' THEN p.amount ELSE 0 END) AS cp
          FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id GROUP BY p.account_id),
      cached AS (SELECT account_id, sum(debits_posted) AS dp, sum(credits_posted) AS cp FROM ledger_account_balances GROUP BY account_id)
      SELECT c.account_id FROM cached c LEFT JOIN folded f USING (account_id)
       WHERE c.dp <> coalesce(f.dp, 0) OR c.cp <> coalesce(f.cp, 0)`);
    expect(mismatches).toEqual([]);
  });

  it('5. append-only: entries, postings and balances cannot be updated, deleted or truncated; a reversal is new, at most once', async () => {
    const a = await setup();
    const entry = await move(a.pool, a.cash, 50n);
    await expect(
      db.query('UPDATE ledger_postings SET amount = 1 WHERE entry_id = $1', [entry.id]),
    ).rejects.toThrow(/immutable/);
    await expect(db.query('DELETE FROM ledger_entries WHERE id = $1', [entry.id])).rejects.toThrow(
      /immutable/,
    );
    await expect(db.query('TRUNCATE ledger_postings CASCADE')).rejects.toThrow(/immutable/);
    await expect(db.query('UPDATE ledger_account_balances SET credits_posted = 0')).rejects.toThrow(
      /only through postings/,
    );
    await expect(
      db.query('UPDATE ledger_accounts SET balance_limit = $1 WHERE code = $2', ['none', a.pool]),
    ).rejects.toThrow(/immutable/);
    // postings cannot be added to an entry committed earlier
    await expect(
      db.query(
        `INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
                SELECT $1, id, 'EUR', 'D', 1 FROM ledger_accounts WHERE code = $2`,
        [entry.id, a.cash],
      ),
    ).rejects.toThrow(/only be added with their entry/);
    const reversal = await ledger.reverse(entry.id, { idempotencyKey: randomUUID() });
    expect(reversal.reversesEntryId).toBe(entry.id);
    expect((await ledger.balance(a.pool)).balance).toBe(0n);
    await expectCode(
      ledger.reverse(entry.id, { idempotencyKey: randomUUID() }),
      LedgerErrorCode.AlreadyReversed,
    );
  });

  it('6. balance limits: a liability or an asset never goes below zero, including pending reservations', async () => {
    const a = await setup(true);
    await move(a.pool, a.cash, 100n); // cash 100 (debit), pool 100 (credit)
    await expectCode(move(a.cash, a.pool, 101n), LedgerErrorCode.BalanceLimitExceeded);
    const pending = await ledger.post({
      kind: 'test.reserve',
      businessRef: 'r',
      idempotencyKey: randomUUID(),
      flow: 'pending',
      postings: [
        { account: a.pool, direction: 'debit', amount: 60n, currency: 'EUR' },
        { account: a.project, direction: 'credit', amount: 60n, currency: 'EUR' },
      ],
    });
    expect((await ledger.balance(a.pool)).available).toBe(40n);
    // the reservation counts against the limit: 41 more is refused, 40 is fine
    await expectCode(
      ledger.post({
        kind: 'test',
        businessRef: 'x',
        idempotencyKey: randomUUID(),
        postings: [
          { account: a.pool, direction: 'debit', amount: 41n, currency: 'EUR' },
          { account: a.project, direction: 'credit', amount: 41n, currency: 'EUR' },
        ],
      }),
      LedgerErrorCode.BalanceLimitExceeded,
    );
    await ledger.resolvePending(pending.id, 'void_pending', { idempotencyKey: randomUUID() });
    expect((await ledger.balance(a.pool)).available).toBe(100n);
    await expectCode(
      ledger.resolvePending(pending.id, 'post_pending', { idempotencyKey: randomUUID() }),
      LedgerErrorCode.PendingAlreadyResolved,
    );
  });

  it('7. idempotency: one entry per key; the same request replays, a different one is a conflict and writes nothing', async () => {
    const a = await setup();
    const key = randomUUID();
    const first = await move(a.pool, a.cash, 25n, key);
    const again = await move(a.pool, a.cash, 25n, key);
    expect(again.id).toBe(first.id);
    expect(again.created).toBe(false);
    await expectCode(move(a.pool, a.cash, 26n, key), LedgerErrorCode.IdempotencyConflict);
    expect((await ledger.balance(a.pool)).balance).toBe(25n);
    // concurrent submissions of one key: exactly one entry
    const key2 = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => move(a.pool, a.cash, 5n, key2)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await ledger.balance(a.pool)).balance).toBe(30n);
  });

  it('9. concurrency: parallel writers on shared hot accounts neither deadlock nor lose an update nor break a limit', async () => {
    const a = await setup(true);
    await move(a.pool, a.cash, 1000n);
    // 40 concurrent spends of 30 from a pool of 1000: exactly 33 succeed, the rest hit the limit
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => move(a.cash, a.pool, 30n).then(() => move(a.project, a.pool, 1n))),
    );
    expect(
      outcomes.every(
        (o) =>
          o.status === 'fulfilled' || (o.reason as LedgerError).code === LedgerErrorCode.BalanceLimitExceeded,
      ),
    ).toBe(true);
    const pool = await ledger.balance(a.pool);
    const cash = await ledger.balance(a.cash);
    expect(pool.balance).toBeGreaterThanOrEqual(0n);
    expect(cash.balance).toBeGreaterThanOrEqual(0n);
    // conservation: everything that left the cash account is in pool or project
    expect(cash.balance).toBe(pool.balance + (await ledger.balance(a.project)).balance);
  });

  it('14. every committed entry is in the public log: an entry written around it is refused at COMMIT', async () => {
    const a = await setup();
    const logged = await move(a.pool, a.cash, 10n);
    const [leaf] = await db.query('SELECT log_index FROM transparency_log_leaves WHERE entry_id = $1', [
      logged.id,
    ]);
    expect(leaf).toBeDefined();
    await expect(
      rawEntry([
        [a.cash, 'EUR', 'D', 5],
        [a.pool, 'EUR', 'C', 5],
      ]),
    ).rejects.toThrow(/public log/);
  });

  it('writing many entries on one connection leaves a single session setting behind, not one per entry', async () => {
    const a = await setup();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      for (let i = 0; i < 20; i++) {
        const key = randomUUID();
        await ledger.post(
          {
            kind: 'test.move',
            businessRef: key,
            idempotencyKey: key,
            postings: [
              { account: a.cash, direction: 'debit', amount: 1n, currency: 'EUR' },
              { account: a.pool, direction: 'credit', amount: 1n, currency: 'EUR' },
            ],
          },
          runner.manager,
        );
      }
      await runner.commitTransaction();
      const [row] = await runner.query(
        `SELECT count(*)::int AS n FROM pg_settings WHERE name LIKE 'ledger.%'`,
      );
      expect(row.n).toBeLessThanOrEqual(1);
    } finally {
      await runner.release();
    }
    expect((await ledger.balance(a.pool)).balance).toBe(20n);
  });

  it('postings name an entry that exists: not one whose insert ON CONFLICT DO NOTHING skipped', async () => {
    const a = await setup();
    const taken = await move(a.pool, a.cash, 5n);
    await expect(
      db.transaction(async (m) => {
        const skipped = await m.query(
          `INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash) VALUES ('x', 'x', $1, $2)
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          [taken.idempotencyKey, Buffer.alloc(32)],
        );
        expect(skipped).toEqual([]);
        // the id the skipped row would have had
        await m.query(
          `INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
           SELECT currval(pg_get_serial_sequence('ledger_entries', 'id')), id, 'EUR', 'D', 5 FROM ledger_accounts WHERE code = $1`,
          [a.cash],
        );
      }),
    ).rejects.toMatchObject({ code: 'LG003' });
  });

  it('a bulk load may write several entries before their postings, in one transaction', async () => {
    const a = await setup();
    await db.transaction(async (m) => {
      const entries = await m.query(
        `INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash)
         SELECT 'bulk', 'bulk', gen_random_uuid()::text, $1 FROM generate_series(1, 3) RETURNING id`,
        [Buffer.alloc(32)],
      );
      for (const e of entries) {
        await m.query(
          `INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
           SELECT $1, id, 'EUR', CASE code WHEN $2 THEN 'D' ELSE 'C' END, 7 FROM ledger_accounts WHERE code IN ($2, $3) ORDER BY id`,
          [e.id, a.cash, a.pool],
        );
        // and each is queued for the public log the way every process does
        await app.get(LedgerHooks).run(m, await ledger.getEntry(String(e.id), m));
      }
    });
    expect((await ledger.balance(a.pool)).balance).toBe(21n);
  });

  it('an account created in a transaction that rolls back is not remembered', async () => {
    const n = id();
    const ghost: AccountSpec = {
      code: `liability:ghost:${n}`,
      currency: 'EUR',
      normalSide: 'credit',
      balanceLimit: 'none',
    };
    const a = await setup();
    await expect(
      db.transaction(async (m) => {
        await ledger.ensureAccounts([ghost], m);
        await ledger.post(
          {
            kind: 'test',
            businessRef: 'x',
            idempotencyKey: randomUUID(),
            postings: [
              { account: a.cash, direction: 'debit', amount: 5n, currency: 'EUR' },
              { account: ghost.code, direction: 'credit', amount: 5n, currency: 'EUR' },
            ],
          },
          m,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expectCode(move(ghost.code, a.cash, 5n), LedgerErrorCode.UnknownAccount);
    await ledger.ensureAccounts([ghost]);
    expect((await move(ghost.code, a.cash, 5n)).created).toBe(true);
  });

  it('model-based: random posts, replays and reversals from concurrent writers match an in-memory model', async () => {
    const commandArb = fc.record({
      kind: fc.constantFrom('fund', 'spend', 'move', 'replay', 'reverse'),
      amount: fc.bigInt({ min: 1n, max: 500n }),
      pick: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(commandArb, { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 4 }),
        async (writers) => {
          const a = await setup(true);
          const accounts = [a.pool, a.project];
          const model = new Map<string, bigint>([
            [a.cash, 0n],
            [a.pool, 0n],
            [a.project, 0n],
          ]);
          const done: { key: string; from: string; to: string; amount: bigint }[] = [];
          const reversed = new Set<string>();
          const apply = (from: string, to: string, amount: bigint, sign = 1n) => {
            // cash is debit-normal: "to" cash increases it; liabilities increase when credited ("from")
            const delta = (code: string, credit: boolean) => {
              const debitNormal = code === a.cash;
              model.set(code, model.get(code)! + sign * (credit === debitNormal ? -amount : amount));
            };
            delta(to, false);
            delta(from, true);
          };
          // Writers run concurrently; the model applies each confirmed result in completion order,
          // and checks the database's verdict against the state at that point.
          await Promise.all(
            writers.map(async (commands) => {
              for (const c of commands) {
                let from: string, to: string;
                if (c.kind === 'fund') [from, to] = [accounts[c.pick % 2], a.cash];
                else if (c.kind === 'spend') [from, to] = [a.cash, accounts[c.pick % 2]];
                else if (c.kind === 'move') [from, to] = [accounts[c.pick % 2], accounts[(c.pick + 1) % 2]];
                else if (c.kind === 'replay' && done.length > 0) {
                  const d = done[c.pick % done.length];
                  const r = await move(d.from, d.to, d.amount, d.key);
                  expect(r.created).toBe(false);
                  continue;
                } else if (c.kind === 'reverse' && done.length > 0) {
                  const d = done[c.pick % done.length];
                  if (reversed.has(d.key)) continue;
                  reversed.add(d.key);
                  const original = await ledger.findByIdempotencyKey(d.key);
                  try {
                    await ledger.reverse(original!.id, { idempotencyKey: `rev-${d.key}` });
                    apply(d.from, d.to, d.amount, -1n);
                  } catch (e) {
                    expect((e as LedgerError).code).toBe(LedgerErrorCode.BalanceLimitExceeded);
                    reversed.delete(d.key);
                  }
                  continue;
                } else continue;
                const key = randomUUID();
                try {
                  await move(from, to, c.amount, key);
                  apply(from, to, c.amount);
                  done.push({ key, from, to, amount: c.amount });
                } catch (e) {
                  // only a limit may refuse a well-formed move
                  expect((e as LedgerError).code).toBe(LedgerErrorCode.BalanceLimitExceeded);
                }
              }
            }),
          );
          const balances = await ledger.balances([a.cash, a.pool, a.project]);
          for (const [code, expected] of model) expect(balances.get(code)!.balance).toBe(expected);
          for (const b of balances.values()) expect(b.balance).toBeGreaterThanOrEqual(0n);
          const [trial] = await db.query(
            `SELECT sum(debits_posted) AS d, sum(credits_posted) AS c FROM ledger_account_balances b
             JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = ANY($1)`,
            [[a.cash, a.pool, a.project]],
          );
          expect(BigInt(trial.d)).toBe(BigInt(trial.c));
        },
      ),
      { numRuns: 15 },
    );
  });
});
