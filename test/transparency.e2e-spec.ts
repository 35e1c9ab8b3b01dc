import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { Accounts, LedgerError, LedgerService, PostedEntry } from '@app/ledger';
import {
  CheckpointService,
  encodeLeaf,
  leafHash,
  leafOfEntry,
  NoteVerifier,
  openCheckpoint,
  parseLeaf,
  verifyConsistency,
  verifyInclusion,
} from '@app/transparency';
import { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { QueueName } from '@app/queue';
import { DonorCommitmentsService, donorCommitment } from '@app/transparency';
import {
  createTestApp,
  createTestWorker,
  createUserWithToken,
  http,
  uniqueId,
} from './support/create-test-app';

const fromB64 = (s: string): Buffer => Buffer.from(s, 'base64');

describe('transparency log over HTTP', () => {
  let app: NestExpressApplication;
  let ledger: LedgerService;
  let checkpoints: CheckpointService;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp();
    ledger = app.get(LedgerService);
    checkpoints = app.get(CheckpointService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
  });

  async function accounts() {
    const id = uniqueId('tp');
    const project = Accounts.projectDirected(id);
    const bank = { ...Accounts.bank(), code: `asset:bank:tl-${id}`, hot: false };
    await ledger.ensureAccounts([project, bank]);
    return { project: project.code, bank: bank.code, id };
  }

  function give(
    a: { project: string; bank: string },
    amount: bigint,
    key = uniqueId('k'),
  ): Promise<PostedEntry> {
    return ledger.post({
      kind: 'contribution.test',
      businessRef: key,
      idempotencyKey: key,
      metadata: { party: { type: 'public_body', id: `org-${key}`, name: 'Ville de Test' }, note: 'e2e' },
      postings: [
        { account: a.bank, direction: 'debit', amount, currency: 'EUR' },
        { account: a.project, direction: 'credit', amount, currency: 'EUR' },
      ],
    });
  }

  async function leafRow(entryId: string) {
    const [row] = (await db.query(
      'SELECT log_index::text AS i, leaf_data, leaf_hash FROM transparency_log_leaves WHERE entry_id = $1',
      [entryId],
    )) as { i: string; leaf_data: string; leaf_hash: Buffer }[];
    return row;
  }

  it('appends one canonical leaf per committed entry, in the same transaction, with the entry as published', async () => {
    const a = await accounts();
    const entry = await give(a, 12345n);
    const row = await leafRow(entry.id);
    expect(row).toBeDefined();
    const leaf = parseLeaf(row.leaf_data);
    expect(leaf).toMatchObject({ v: 2, tx: entry.id, kind: 'contribution.test', seq: Number(row.i) });
    expect(leaf.party).toEqual({
      type: 'public_body',
      id: expect.stringMatching(/^org-/),
      name: 'Ville de Test',
    });
    expect(leaf.meta).toEqual({ note: 'e2e' });
    expect(row.leaf_data).toBe(encodeLeaf(leafOfEntry(entry, Number(row.i))));
    expect(row.leaf_hash).toEqual(leafHash(row.leaf_data));
    // a replay of the same request returns the first entry and appends nothing
    const before = (await db.query('SELECT size::text FROM transparency_log_head'))[0].size;
    const replay = await ledger.post({
      kind: 'contribution.test',
      businessRef: entry.businessRef,
      idempotencyKey: entry.idempotencyKey,
      metadata: entry.metadata,
      postings: entry.postings.map((p) => ({
        account: p.account,
        direction: p.direction,
        amount: p.amount,
        currency: p.currency,
      })),
    });
    expect(replay.created).toBe(false);
    expect((await db.query('SELECT size::text FROM transparency_log_head'))[0].size).toBe(before);
  });

  it('leaves no leaf and no gap when the entry is refused at commit', async () => {
    const a = await accounts();
    const [{ size: before }] = await db.query('SELECT size::text FROM transparency_log_head');
    const overdraw = ledger.post({
      kind: 'disbursement.test',
      businessRef: uniqueId('x'),
      idempotencyKey: uniqueId('x'),
      postings: [
        { account: a.project, direction: 'debit', amount: 5n, currency: 'EUR' },
        { account: a.bank, direction: 'credit', amount: 5n, currency: 'EUR' },
      ],
    });
    await expect(overdraw).rejects.toBeInstanceOf(LedgerError);
    const [{ size: after }] = await db.query('SELECT size::text FROM transparency_log_head');
    expect(after).toBe(before);
    const [{ n, max }] = await db.query(
      'SELECT count(*)::text AS n, coalesce(max(log_index) + 1, 0)::text AS max FROM transparency_log_leaves',
    );
    expect(n).toBe(max);
  });

  it('keeps the log gapless and in commit order under concurrent writers', async () => {
    const a = await accounts();
    const entries = await Promise.all(Array.from({ length: 24 }, (_, i) => give(a, BigInt(100 + i))));
    const rows = await Promise.all(entries.map((e) => leafRow(e.id)));
    const indices = rows.map((r) => Number(r.i));
    expect(new Set(indices).size).toBe(entries.length);
    const [{ n, max, size }] = await db.query(
      `SELECT count(*)::text AS n, (max(log_index) + 1)::text AS max, (SELECT size::text FROM transparency_log_head) AS size
         FROM transparency_log_leaves`,
    );
    expect(n).toBe(max);
    expect(size).toBe(n);
  });

  it('publishes a signed checkpoint, the verifier key, leaves and proofs that verify', async () => {
    const a = await accounts();
    const first = await give(a, 700n);
    const cp1 = await checkpoints.signLatest();
    const second = await give(a, 800n);
    await give(a, 900n);
    const cp2 = await checkpoints.signLatest();
    expect(cp2.treeSize).toBeGreaterThan(cp1.treeSize);

    const key = (await http(app).get('/log/key').expect(200)).text.trim();
    const verifier = NoteVerifier.parse(key);
    const note = (await http(app).get('/log/checkpoint').expect(200)).text;
    const opened = openCheckpoint(note, verifier);
    expect(opened.size).toBeGreaterThanOrEqual(cp2.treeSize);

    const listed = (await http(app).get('/log/checkpoints').expect(200)).body as {
      treeSize: number;
      root: string;
    }[];
    expect(listed.map((c) => c.treeSize)).toEqual(expect.arrayContaining([cp1.treeSize, cp2.treeSize]));

    for (const entry of [first, second]) {
      const row = await leafRow(entry.id);
      const index = Number(row.i);
      const leaves = (
        await http(app)
          .get(`/log/entries?start=${index}&end=${index + 1}`)
          .expect(200)
      ).body;
      expect(leaves.entries).toEqual([{ index, entryId: entry.id, leaf: row.leaf_data }]);
      const res = await http(app).get(`/log/proof/inclusion?index=${index}&size=${cp2.treeSize}`).expect(200);
      expect(res.headers['cache-control']).toContain('immutable');
      const proof = res.body;
      expect(proof.root).toBe(cp2.root.toString('base64'));
      expect(
        verifyInclusion(index, cp2.treeSize, leafHash(row.leaf_data), proof.proof.map(fromB64), cp2.root),
      ).toBe(true);
    }
    const consistency = (
      await http(app).get(`/log/proof/consistency?size1=${cp1.treeSize}&size2=${cp2.treeSize}`).expect(200)
    ).body;
    expect(
      verifyConsistency(cp1.treeSize, cp2.treeSize, cp1.root, cp2.root, consistency.proof.map(fromB64)),
    ).toBe(true);
    // one root per size: signing again at the same size returns the same checkpoint
    const again = await checkpoints.signLatest();
    const [{ n }] = await db.query(
      'SELECT count(*)::int AS n FROM transparency_checkpoints WHERE tree_size = $1',
      [again.treeSize],
    );
    expect(n).toBe(1);
  });

  it.each([
    ['/log/proof/inclusion?index=SIZE&size=SIZE', 'transparency.out_of_range'],
    ['/log/proof/inclusion?index=0&size=BEYOND', 'transparency.out_of_range'],
    ['/log/proof/consistency?size1=0&size2=1', 'validation.failed'],
    ['/log/proof/consistency?size1=2&size2=1', 'transparency.invalid_proof_request'],
    ['/log/proof/consistency?size1=1&size2=BEYOND', 'transparency.out_of_range'],
    ['/log/proof/inclusion?index=abc&size=1', 'validation.failed'],
    ['/log/proof/inclusion?index=-1&size=1', 'validation.failed'],
    ['/log/proof/inclusion?index=1.5&size=3', 'validation.failed'],
    ['/log/proof/inclusion?index=0', 'validation.failed'],
    ['/log/proof/inclusion?index=0&size=1&extra=1', 'validation.failed'],
    ['/log/entries?start=BEYOND&end=BEYOND1', 'transparency.out_of_range'],
    ['/log/entries?start=3&end=2', 'transparency.invalid_query'],
    ['/public/entries?limit=0', 'validation.failed'],
    ['/public/entries?after=x1', 'validation.failed'],
    ['/public/entries?from=yesterday', 'validation.failed'],
  ])('answers 400 problem+json to %s', async (template, code) => {
    await give(await accounts(), 1n);
    const [{ size }] = await db.query('SELECT size::int AS size FROM transparency_log_head');
    const url = template
      .replace('BEYOND1', String(size + 6))
      .replace(/BEYOND/g, String(size + 5))
      .replace(/SIZE/g, String(size));
    const res = await http(app).get(url).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code });
    expect(res.headers['cache-control'] ?? '').not.toContain('immutable');
  });

  it('serves public entries with filters, keyset pagination and ETags', async () => {
    const a = await accounts();
    const posted: PostedEntry[] = [];
    for (let i = 0; i < 5; i++) posted.push(await give(a, BigInt(1000 + i)));
    const page1 = await http(app)
      .get(`/public/entries?account=${encodeURIComponent(a.project)}&limit=2`)
      .expect(200);
    expect(page1.body.items.map((e: { id: string }) => e.id)).toEqual([posted[4].id, posted[3].id]);
    expect(page1.body.items[0].postings[0]).toMatchObject({ amount: '1004', currency: 'EUR' });
    expect(page1.body.items[0].contributor).toEqual({
      kind: 'public_body',
      id: expect.any(String),
      name: 'Ville de Test',
    });
    const page2 = await http(app)
      .get(`/public/entries?account=${encodeURIComponent(a.project)}&limit=2&after=${page1.body.nextCursor}`)
      .expect(200);
    expect(page2.body.items.map((e: { id: string }) => e.id)).toEqual([posted[2].id, posted[1].id]);
    const asc = await http(app).get(`/public/entries?project=${a.id}&order=asc&limit=10`).expect(200);
    expect(asc.body.items.map((e: { id: string }) => e.id)).toEqual(posted.map((e) => e.id));
    expect(asc.body.nextCursor).toBeNull();

    const etag = page1.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    await http(app)
      .get(`/public/entries?account=${encodeURIComponent(a.project)}&limit=2`)
      .set('If-None-Match', etag)
      .expect(304);
    await give(a, 5n);
    await http(app)
      .get(`/public/entries?account=${encodeURIComponent(a.project)}&limit=2`)
      .set('If-None-Match', etag)
      .expect(200);

    const project = await http(app).get(`/public/projects/${a.id}`).expect(200);
    expect(project.body).toMatchObject({
      id: a.id,
      receivedDirected: String(1000 + 1001 + 1002 + 1003 + 1004 + 5),
    });
    await http(app).get('/public/projects/does-not-exist').expect(404);
    const totals = await http(app).get('/public/totals').expect(200);
    expect(totals.body.find((t: { currency: string }) => t.currency === 'EUR')).toBeDefined();
    const accountsRes = await http(app).get('/public/accounts').expect(200);
    expect(accountsRes.body.find((x: { account: string }) => x.account === a.project)).toMatchObject({
      balance: '5015',
    });
  });

  it('streams open data: CSV with a Table Schema, NDJSON, and a data package with licence and last update', async () => {
    const a = await accounts();
    const e = await give(a, 123456n);
    const pkg = (await http(app).get('/open-data').expect(200)).body;
    expect(pkg.licenses[0].name).toBe('etalab-2.0');
    expect(Date.parse(pkg.lastUpdated)).toBeGreaterThan(0);
    const schema = (await http(app).get('/open-data/schema.json').expect(200)).body;
    const csv = await http(app).get('/open-data/postings.csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(schema.fields.map((f: { name: string }) => f.name).join(','));
    const ours = lines.filter((l) => l.startsWith(`${e.id},`));
    expect(ours).toHaveLength(2);
    expect(ours.join('\n')).toContain(',1234.56,EUR,');
    expect(ours[0]).toMatch(/^\d+,\d+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,/);
    const nd = await http(app).get('/open-data/entries.ndjson').expect(200);
    const objects = nd.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; postings: { amount: string }[] });
    expect(objects.find((o) => o.id === e.id)?.postings[0].amount).toBe('123456');
  });

  it('erases a donor: the salt goes (admin only, audited), the commitment stays in the leaf and the log still verifies', async () => {
    const commitments = app.get(DonorCommitmentsService);
    const subject = `donor:${uniqueId('d')}`;
    const party = await commitments.partyFor(subject);
    expect(await commitments.partyFor(subject)).toEqual(party);
    const opening = await commitments.opening(subject);
    expect(donorCommitment(Buffer.from(opening!.salt, 'hex'), subject)).toBe(
      (party as { commitment: string }).commitment,
    );
    const a = await accounts();
    const key = uniqueId('don');
    const entry = await ledger.post({
      kind: 'contribution.donation',
      businessRef: key,
      idempotencyKey: key,
      metadata: { party },
      postings: [
        { account: a.bank, direction: 'debit', amount: 2500n, currency: 'EUR' },
        { account: a.project, direction: 'credit', amount: 2500n, currency: 'EUR' },
      ],
    });
    const row = await leafRow(entry.id);
    expect(row.leaf_data).toContain((party as { commitment: string }).commitment);
    expect(row.leaf_data).not.toContain(subject);

    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    await http(app).post('/transparency/donor-erasures').set(donor.auth).send({ subject }).expect(403);
    const adminUser = await createUserWithToken(app, [{ role: 'admin' }]);
    const res = await http(app)
      .post('/transparency/donor-erasures')
      .set(adminUser.auth)
      .set('Idempotency-Key', uniqueId('ik'))
      .send({ subject })
      .expect(200);
    expect(res.body).toEqual({ subject, erased: 1, salts: 1, donations: 0 });
    expect(await commitments.opening(subject)).toBeNull();
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'donor.erased' AND target_id = $1`,
      [subject],
    );
    expect(n).toBe(1);
    // the leaf is untouched and still proves its inclusion
    const cp = await checkpoints.signLatest();
    const after = await leafRow(entry.id);
    expect(after.leaf_data).toBe(row.leaf_data);
    const proof = (
      await http(app).get(`/log/proof/inclusion?index=${after.i}&size=${cp.treeSize}`).expect(200)
    ).body;
    expect(
      verifyInclusion(
        Number(after.i),
        cp.treeSize,
        leafHash(after.leaf_data),
        proof.proof.map(fromB64),
        cp.root,
      ),
    ).toBe(true);
  });

  it('erasing a subject that never existed says so: 0 erased, and the audit records 0', async () => {
    const adminUser = await createUserWithToken(app, [{ role: 'admin' }]);
    const subject = `donor:${uniqueId('ghost')}`;
    const res = await http(app)
      .post('/transparency/donor-erasures')
      .set(adminUser.auth)
      .send({ subject })
      .expect(200);
    expect(res.body).toEqual({ subject, erased: 0, salts: 0, donations: 0 });
    const [audit] = await db.query(
      `SELECT details FROM audit_events WHERE action = 'donor.erased' AND target_id = $1`,
      [subject],
    );
    expect(audit.details).toEqual({ salts: 0, donations: 0 });
  });

  it('the worker signs checkpoints (the repeatable job), consistent with the previous one', async () => {
    const worker: INestApplicationContext = await createTestWorker();
    const queue = worker.get<Queue>(getQueueToken(QueueName.Transparency));
    const events = new QueueEvents(QueueName.Transparency, {
      connection: queue.opts.connection,
      prefix: queue.opts.prefix,
    });
    try {
      await events.waitUntilReady();
      await give(await accounts(), 77n);
      const [{ size }] = await db.query('SELECT size::int AS size FROM transparency_log_head');
      const job = await queue.add('checkpoint', {}, { jobId: uniqueId('cp') });
      const result = (await job.waitUntilFinished(events)) as { treeSize: number };
      expect(result.treeSize).toBeGreaterThanOrEqual(size);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toContain('transparency-checkpoint');
      const latest = await checkpoints.latest();
      expect(latest!.treeSize).toBeGreaterThanOrEqual(size);
    } finally {
      await events.close();
      await worker.close();
    }
  });
});
