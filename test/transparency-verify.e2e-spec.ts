import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { Accounts, LedgerService } from '@app/ledger';
import { adminQuery, randomSuffix, withDatabase } from '@app/testing';
import {
  appendLeaves,
  CheckpointService,
  consistencyRanges,
  decompose,
  EMPTY_FRONTIER,
  encodeFrontier,
  leafHash,
  LogVerifier,
  TransparencyError,
  TransparencyErrorCode,
  VerifierState,
  verifyConsistency,
  verifyInclusion,
} from '@app/transparency';
import { registerVerify } from '../apps/cli/src/commands/verify.command';
import { createTestApp, http, uniqueId } from './support/create-test-app';

/**
 * The verifier against a running API on a database of its own (a fresh copy of the migrated
 * template), so that the whole ledger is known: it must pass, then name what was tampered with.
 */
describe('librery verify', () => {
  const admin = process.env.TEST_PG_ADMIN_URL as string;
  const database = `${process.env.TEST_DATABASE_PREFIX}_verify_${randomSuffix()}`;
  const previousUrl = process.env.DATABASE_URL;
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let checkpoints: CheckpointService;
  let db: DataSource;
  let baseUrl: string;
  let key: string;
  let codes: { bank: string; pool: string; project: string; payable: string };

  beforeAll(async () => {
    await adminQuery(admin, `CREATE DATABASE ${database} TEMPLATE ${process.env.TEST_DATABASE_PREFIX}`);
    process.env.DATABASE_URL = withDatabase(admin, database);
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    ledger = app.get(LedgerService);
    checkpoints = app.get(CheckpointService);
    db = app.get(DataSource);
    key = checkpoints.verifierKey;
    const id = uniqueId('v');
    codes = {
      bank: Accounts.bank().code,
      pool: Accounts.pool().code,
      project: Accounts.projectDirected(id).code,
      payable: Accounts.payable(id).code,
    };
    await ledger.ensureAccounts([
      Accounts.bank(),
      Accounts.pool(),
      Accounts.projectDirected(id),
      Accounts.payable(id),
    ]);
    for (let i = 0; i < 12; i++) await contribution(BigInt(1000 + i * 37));
    const pending = await ledger.post({
      kind: 'disbursement.payout',
      businessRef: uniqueId('payout'),
      idempotencyKey: uniqueId('payout'),
      flow: 'pending',
      postings: [
        { account: codes.project, direction: 'debit', amount: 500n, currency: 'EUR' },
        { account: codes.payable, direction: 'credit', amount: 500n, currency: 'EUR' },
      ],
    });
    await ledger.resolvePending(pending.id, 'post_pending', { idempotencyKey: uniqueId('post') });
    const first = await contribution(999n);
    await ledger.reverse(first.id, { idempotencyKey: uniqueId('rev') });
    await checkpoints.signLatest();
  });

  afterAll(async () => {
    await app.close();
    process.env.DATABASE_URL = previousUrl;
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  function contribution(amount: bigint) {
    const key = uniqueId('c');
    const directed = amount / 2n;
    return ledger.post({
      kind: 'contribution.levy',
      businessRef: key,
      idempotencyKey: key,
      metadata: { party: { type: 'public_body', id: 'org-1', name: 'Commune de Test' } },
      postings: [
        { account: codes.bank, direction: 'debit', amount, currency: 'EUR' },
        { account: codes.project, direction: 'credit', amount: directed, currency: 'EUR' },
        { account: codes.pool, direction: 'credit', amount: amount - directed, currency: 'EUR' },
      ],
    });
  }

  const verify = (previous?: VerifierState | null) =>
    new LogVerifier({ baseUrl, verifierKey: key, previous }).run();

  async function tamper(
    sql: string,
    params: unknown[],
    table: string,
    trigger: string,
    run: () => Promise<void>,
  ) {
    await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
    try {
      await db.query(sql, params);
    } finally {
      await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    }
    await run();
  }

  it('verifies the whole fund: signature, every leaf, the root, entries and balances', async () => {
    const report = await verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.leavesChecked).toBe(report.treeSize);
    expect(report.entriesChecked).toBe(report.treeSize);
    expect(report.accountsChecked).toBeGreaterThanOrEqual(4);
  });

  it('runs as `librery verify <url> --key`, keeps the checkpoint and checks consistency with it next time', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'librery-verify-')), 'state.json');
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const run = async () => {
      const program = new Command('librery').exitOverride();
      registerVerify(program);
      process.exitCode = undefined;
      await program.parseAsync(['node', 'librery', 'verify', baseUrl, '--key', key, '--state', state]);
      return process.exitCode;
    };
    try {
      expect(await run()).toBe(0);
      const saved = JSON.parse(readFileSync(state, 'utf8')) as VerifierState;
      await contribution(4242n);
      await checkpoints.signLatest();
      expect(await run()).toBe(0);
      const next = JSON.parse(readFileSync(state, 'utf8')) as VerifierState;
      expect(next.treeSize).toBe(saved.treeSize + 1);
    } finally {
      write.mockRestore();
      process.exitCode = undefined;
    }
    expect(out.join('')).toContain('OK: the signature');
  });

  it('refuses a log that forked from the checkpoint it saw before', async () => {
    const good = await verify();
    const forged: VerifierState = {
      ...(good.state as VerifierState),
      root: Buffer.alloc(32, 9).toString('base64'),
    };
    const same = await verify(forged);
    expect(same.ok).toBe(false);
    expect(same.problems[0]).toMatchObject({ kind: 'inconsistent' });
    const older = await verify({ ...forged, treeSize: good.treeSize - 3 });
    expect(older.problems.map((p) => p.kind)).toContain('inconsistent');
    const shrunk = await verify({ ...(good.state as VerifierState), treeSize: good.treeSize + 10 });
    expect(shrunk.problems.map((p) => p.kind)).toContain('rollback');
  });

  it('names a leaf whose stored bytes were changed', async () => {
    const [victim] = (await db.query(
      `SELECT log_index::int AS i, entry_id::text AS id, leaf_data FROM transparency_log_leaves
        WHERE leaf_data LIKE '%"kind":"contribution.levy"%' ORDER BY log_index OFFSET 4 LIMIT 1`,
    )) as { i: number; id: string; leaf_data: string }[];
    const forged = victim.leaf_data.replace(/"dr":"(\d+)"/, (_m, n: string) => `"dr":"${BigInt(n) + 100n}"`);
    expect(forged).not.toBe(victim.leaf_data);
    await tamper(
      'UPDATE transparency_log_leaves SET leaf_data = $1 WHERE log_index = $2',
      [forged, victim.i],
      'transparency_log_leaves',
      'transparency_log_leaves_immutable',
      async () => {
        try {
          const report = await verify();
          expect(report.ok).toBe(false);
          expect(report.problems).toEqual(
            expect.arrayContaining([
              expect.objectContaining({ kind: 'root', index: victim.i, entryId: victim.id }),
              expect.objectContaining({ kind: 'entry', index: victim.i, entryId: victim.id }),
              expect.objectContaining({ kind: 'balance', account: codes.bank }),
            ]),
          );
        } finally {
          await tamper(
            'UPDATE transparency_log_leaves SET leaf_data = $1 WHERE log_index = $2',
            [victim.leaf_data, victim.i],
            'transparency_log_leaves',
            'transparency_log_leaves_immutable',
            async () => undefined,
          );
        }
      },
    );
    expect((await verify()).ok).toBe(true);
  });

  it('names an entry whose stored posting was changed behind the log', async () => {
    const [posting] = (await db.query(
      `SELECT p.id::text AS id, p.entry_id::text AS entry, p.amount::text AS amount FROM ledger_postings p
         JOIN ledger_entries e ON e.id = p.entry_id WHERE e.kind = 'contribution.levy' ORDER BY p.id OFFSET 7 LIMIT 1`,
    )) as { id: string; entry: string; amount: string }[];
    await tamper(
      'UPDATE ledger_postings SET amount = amount + 1 WHERE id = $1',
      [posting.id],
      'ledger_postings',
      'ledger_postings_immutable',
      async () => {
        try {
          const report = await verify();
          expect(report.ok).toBe(false);
          expect(report.problems).toEqual(
            expect.arrayContaining([expect.objectContaining({ kind: 'entry', entryId: posting.entry })]),
          );
          expect(report.problems.filter((p) => p.kind === 'entry')).toHaveLength(1);
        } finally {
          await tamper(
            'UPDATE ledger_postings SET amount = $2 WHERE id = $1',
            [posting.id, posting.amount],
            'ledger_postings',
            'ledger_postings_immutable',
            async () => undefined,
          );
        }
      },
    );
    expect((await verify()).ok).toBe(true);
  });

  it('two API processes writing at once keep one gapless log; every checkpoint pair is consistent, every leaf included', async () => {
    const second = await createTestApp();
    try {
      const other = second.get(LedgerService);
      await other.ensureAccounts([Accounts.bank(), Accounts.pool()]);
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => {
            const key = uniqueId('two');
            const via = i % 2 === 0 ? ledger : other;
            return via.post({
              kind: 'contribution.levy',
              businessRef: key,
              idempotencyKey: key,
              postings: [
                { account: codes.bank, direction: 'debit', amount: 100n + BigInt(i), currency: 'EUR' },
                { account: codes.pool, direction: 'credit', amount: 100n + BigInt(i), currency: 'EUR' },
              ],
            });
          }),
        );
        await (round % 2 === 0 ? checkpoints : second.get(CheckpointService)).signLatest();
      }
    } finally {
      await second.close();
    }
    const [{ entries, leaves, max }] = await db.query(
      `SELECT (SELECT count(*) FROM ledger_entries)::int AS entries, count(*)::int AS leaves, (max(log_index) + 1)::int AS max
         FROM transparency_log_leaves`,
    );
    expect(leaves).toBe(entries);
    expect(max).toBe(leaves);
    const list = (await http(app).get('/log/checkpoints').expect(200)).body as {
      treeSize: number;
      root: string;
    }[];
    expect(list.length).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const c = (
          await http(app)
            .get(`/log/proof/consistency?size1=${list[i].treeSize}&size2=${list[j].treeSize}`)
            .expect(200)
        ).body;
        const ok = verifyConsistency(
          list[i].treeSize,
          list[j].treeSize,
          Buffer.from(list[i].root, 'base64'),
          Buffer.from(list[j].root, 'base64'),
          c.proof.map((p: string) => Buffer.from(p, 'base64')),
        );
        expect(ok).toBe(true);
      }
    }
    const last = list[list.length - 1];
    const rows = (await db.query(
      'SELECT log_index::int AS i, leaf_data FROM transparency_log_leaves WHERE log_index < $1 ORDER BY log_index',
      [last.treeSize],
    )) as { i: number; leaf_data: string }[];
    for (const r of rows) {
      const p = (await http(app).get(`/log/proof/inclusion?index=${r.i}&size=${last.treeSize}`).expect(200))
        .body;
      expect(
        verifyInclusion(
          r.i,
          last.treeSize,
          leafHash(r.leaf_data),
          p.proof.map((x: string) => Buffer.from(x, 'base64')),
          Buffer.from(last.root, 'base64'),
        ),
      ).toBe(true);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('refuses to sign a checkpoint the stored tree cannot prove consistent with the last one', async () => {
    const before = await checkpoints.latest();
    await contribution(31n);
    const [{ size }] = (await db.query('SELECT size::int AS size FROM transparency_log_head')) as {
      size: number;
    }[];
    // a stored subtree that the consistency proof from the last checkpoint needs
    const needed = consistencyRanges(before!.treeSize, size).flatMap(decompose)[0];
    const [node] = (await db.query(
      'SELECT level, idx::text AS idx, hash FROM transparency_log_nodes WHERE level = $1 AND idx = $2',
      [needed.level, needed.index],
    )) as { level: number; idx: string; hash: Buffer }[];
    await tamper(
      'UPDATE transparency_log_nodes SET hash = $1 WHERE level = $2 AND idx = $3',
      [Buffer.alloc(32, 1), node.level, node.idx],
      'transparency_log_nodes',
      'transparency_log_nodes_immutable',
      async () => {
        try {
          await expect(checkpoints.signLatest()).rejects.toMatchObject({
            code: TransparencyErrorCode.InconsistentCheckpoint,
          });
          await expect(checkpoints.signLatest()).rejects.toBeInstanceOf(TransparencyError);
          expect((await checkpoints.latest())?.treeSize).toBe(before?.treeSize);
        } finally {
          await tamper(
            'UPDATE transparency_log_nodes SET hash = $1 WHERE level = $2 AND idx = $3',
            [node.hash, node.level, node.idx],
            'transparency_log_nodes',
            'transparency_log_nodes_immutable',
            async () => undefined,
          );
        }
      },
    );
    expect((await checkpoints.signLatest()).treeSize).toBeGreaterThan(before?.treeSize ?? 0);
  });

  it('stores exactly the subtrees and frontier the TypeScript appender computes from the leaves', async () => {
    const leaves = (await db.query(
      'SELECT leaf_data, leaf_hash FROM transparency_log_leaves ORDER BY log_index',
    )) as { leaf_data: string; leaf_hash: Buffer }[];
    for (const l of leaves) expect(l.leaf_hash).toEqual(leafHash(l.leaf_data));
    const { frontier, completed } = appendLeaves(
      EMPTY_FRONTIER,
      leaves.map((l) => leafHash(l.leaf_data)),
    );
    const nodes = (await db.query(
      'SELECT n.level, n.idx::text AS idx, n.hash FROM transparency_log_nodes n ORDER BY n.level, n.idx',
    )) as { level: number; idx: string; hash: Buffer }[];
    const expected = completed
      .map((c) => ({ level: c.level, idx: String(c.index), hash: c.hash }))
      .sort((a, b) => a.level - b.level || Number(a.idx) - Number(b.idx));
    expect(nodes).toEqual(expected);
    const [head] = (await db.query('SELECT size::int AS size, frontier FROM transparency_log_head')) as {
      size: number;
      frontier: Buffer;
    }[];
    expect(head.size).toBe(leaves.length);
    expect(head.frontier).toEqual(encodeFrontier(frontier));
  });
});
