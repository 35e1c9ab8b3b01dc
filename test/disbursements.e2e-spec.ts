import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { sharedPath } from '@app/config';
import { tallyFundingRound } from '@app/governance';
import { Principal } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { PayoutsService } from '@app/disbursements';
import { ProjectsService, ProjectVerificationService } from '@app/projects';
import { FakeStripe } from '../libs/testing/src/fake-stripe';
import { validateAgainstXsd } from '../libs/disbursements/src/sepa/xsd-validation';
import { createTestApp, createTestWorker, createUserWithToken, http } from './support/create-test-app';

/**
 * The full cycle: contributions (bank and Stripe) credit directed balances; a funding round
 * (tallied by the governance code, booked as a ledger entry pool → allocated) credits allocated
 * balances; the treasurer runs a disbursement; the worker executes it; the SEPA batch gives a
 * pain.001 file valid against the ISO schema; the Stripe batch transfers through the fake
 * Stripe server; confirmations and failures resolve the two-phase payouts; invariants hold after.
 *
 * Projects come from the real catalogue (proposed, admitted, payout details set and verified by
 * the projects services); only their proof of control is written directly, as it needs the network.
 */
describe('disbursements: full cycle over HTTP and the worker', () => {
  let stripe: FakeStripe;
  let app: NestExpressApplication;
  let worker: INestApplicationContext | null = null;
  let ledger: LedgerService;
  let db: DataSource;
  let treasurer: { auth: { Authorization: string } };
  const env = { ...process.env };
  let admin: Principal;
  let sepaA: string, sepaC: string, stripeB: string, unverifiedD: string, smallE: string;

  type Destination =
    | { kind: 'sepa'; accountHolder: string; iban: string; bic?: string }
    | { kind: 'stripe'; stripeAccountId: string };
  /** A project in the catalogue: admitted, with payout details set and (unless `verified` is false) verified. */
  async function project(name: string, payout: Destination, verified = true): Promise<string> {
    const projects = app.get(ProjectsService);
    const verification = app.get(ProjectVerificationService);
    const slug = `disb-${randomUUID().slice(0, 8)}`;
    const created = await projects.propose(admin, {
      slug,
      name,
      repositoryUrl: `https://git.example.org/${slug}`,
      licence: 'MIT',
      opennessLevel: 'A',
    });
    await projects.changeStatus(admin, created.id, 'admitted', 'committee decision (test)');
    await db.query(
      `UPDATE projects SET control_verified_at = now(), control_method = 'well_known_token' WHERE id = $1`,
      [created.id],
    );
    const details = await verification.setPayoutDetails(admin, created.id, payout);
    if (verified) await verification.verifyPayoutDetails(admin, created.id, details.revision);
    return created.id;
  }

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    process.env.STRIPE_SECRET_KEY = stripe.secretKey;
    process.env.STRIPE_API_BASE = stripe.apiBase;
    // The fund's own account, debtor of its SEPA files unless the treasurer names another.
    process.env.FUND_ACCOUNT_NAME = 'Fonds Librery (configured)';
    process.env.FUND_IBAN = 'FR14 2004 1010 0505 0001 3M02 606';
    app = await createTestApp();
    ledger = app.get(LedgerService);
    db = app.get(DataSource);
    treasurer = await createUserWithToken(app, [{ role: 'treasurer' }]);
    const adminUser = await createUserWithToken(app, [{ role: 'admin' }]);
    admin = {
      kind: 'user',
      userId: adminUser.userId,
      tokenId: null,
      grants: [{ role: 'admin', scopeId: '' }],
    };
    sepaA = await project('Projet Élan', {
      kind: 'sepa',
      accountHolder: 'Association Élan',
      iban: 'FR1420041010050500013M02606',
      bic: 'PSSTFRPPXXX',
    });
    sepaC = await project('Crate', {
      kind: 'sepa',
      accountHolder: 'Crate e.V.',
      iban: 'DE89370400440532013000',
    });
    stripeB = await project('Bolt', { kind: 'stripe', stripeAccountId: 'acct_1BoltProject' });
    unverifiedD = await project(
      'Dune',
      { kind: 'sepa', accountHolder: 'Dune', iban: 'NL91ABNA0417164300' },
      false,
    );
    smallE = await project('Ember', { kind: 'sepa', accountHolder: 'Ember', iban: 'NL91ABNA0417164300' });
  });

  afterAll(async () => {
    await worker?.close();
    await app.close();
    await stripe.stop();
    process.env = env;
  });

  /** A contribution already split: cash in (bank or Stripe), directed shares to projects, the rest to the pool. */
  async function contribution(asset: 'bank' | 'stripe', directed: Record<string, bigint>, pool: bigint) {
    const total = Object.values(directed).reduce((s, a) => s + a, 0n) + pool;
    const key = randomUUID();
    const cash = asset === 'bank' ? Accounts.bank() : Accounts.stripe();
    await ledger.ensureAccounts([
      cash,
      Accounts.pool(),
      ...Object.keys(directed).map((p) => Accounts.projectDirected(p)),
    ]);
    return ledger.post({
      kind: 'contribution.booked',
      businessRef: `contribution:${key}`,
      idempotencyKey: `test-contribution:${key}`,
      postings: [
        { account: cash.code, direction: 'debit', amount: total, currency: 'EUR' },
        ...Object.entries(directed).map(([p, amount]) => ({
          account: Accounts.projectDirected(p).code,
          direction: 'credit' as const,
          amount,
          currency: 'EUR',
        })),
        { account: Accounts.pool().code, direction: 'credit', amount: pool, currency: 'EUR' },
      ],
    });
  }

  const balance = async (code: string) => (await ledger.balances([code])).get(code)?.balance ?? 0n;

  async function waitForRun(id: string) {
    for (let i = 0; i < 300; i++) {
      const res = await http(app).get(`/disbursements/runs/${id}`).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${id} did not finish`);
  }

  it('runs contributions → round → run → SEPA file + Stripe transfers → confirmations and failures, and the books balance', async () => {
    // Contributions: directed shares for A, B, C, D, E; pools for the round.
    const cA = await contribution('bank', { [sepaA]: 6000n, [unverifiedD]: 7000n }, 20000n);
    await contribution('stripe', { [stripeB]: 5500n, [smallE]: 300n }, 10000n);
    const cC = await contribution('bank', { [sepaC]: 5200n }, 5200n);

    // A round of 10,000 cents out of the pool, tallied by the governance code, booked pool → allocated.
    const round = tallyFundingRound({
      pool: '10000',
      projects: [
        { id: sepaA, cap: null },
        { id: stripeB, cap: null },
      ],
      threshold: null,
      colleges: [
        {
          id: 'commoners',
          weightBp: 6000,
          ballots: [
            { [sepaA]: 70, [stripeB]: 30 },
            { [sepaA]: 50, [stripeB]: 50 },
          ],
        },
        { id: 'public', weightBp: 4000, ballots: [{ [sepaA]: 100 }] },
      ],
    });
    const roundId = randomUUID();
    await ledger.ensureAccounts([Accounts.projectAllocated(sepaA), Accounts.projectAllocated(stripeB)]);
    const roundEntry = await ledger.post({
      kind: 'round.allocation',
      businessRef: `round:${roundId}`,
      idempotencyKey: `test-round:${roundId}`,
      postings: [
        {
          account: Accounts.pool().code,
          direction: 'debit',
          amount: 10000n - BigInt(round.leftover),
          currency: 'EUR',
        },
        {
          account: Accounts.projectAllocated(sepaA).code,
          direction: 'credit',
          amount: BigInt(round.cents[sepaA]),
          currency: 'EUR',
        },
        {
          account: Accounts.projectAllocated(stripeB).code,
          direction: 'credit',
          amount: BigInt(round.cents[stripeB]),
          currency: 'EUR',
        },
      ],
    });
    const allocA = BigInt(round.cents[sepaA]);
    const allocB = BigInt(round.cents[stripeB]);
    expect(allocA + allocB).toBe(10000n);

    // Bad input: a cut-off in the future → 422; no token → 401; a donor → 403.
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const r422 = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff: future })
      .expect(422);
    expect(r422.body.code).toBe('disbursements.cutoff_in_future');
    await http(app).post('/disbursements/runs').send({ cutoff: new Date().toISOString() }).expect(401);
    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    await http(app)
      .post('/disbursements/runs')
      .set(donor.auth)
      .send({ cutoff: new Date().toISOString() })
      .expect(403);
    await http(app).post('/disbursements/runs').set(treasurer.auth).send({ cutoff: 'yesterday' }).expect(400);

    // Start: 202; the same cut-off again: 200 with the same run; another cut-off while it is queued: 409.
    const cutoff = new Date().toISOString();
    const started = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff })
      .expect(202);
    const again = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff })
      .expect(200);
    expect(again.body.id).toBe(started.body.id);
    const busy = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff: new Date().toISOString() })
      .expect(409);
    expect(busy.body).toMatchObject({ code: 'disbursements.run_in_progress', runId: started.body.id });

    // The worker picks the run up.
    worker = await createTestWorker();
    const run = await waitForRun(started.body.id);
    expect(run).toMatchObject({
      status: 'completed',
      algorithm: 'disbursement-run-v2',
      policyVersion: expect.any(Number),
    });
    expect(run.inputs).toMatchObject({
      cutoff,
      minimumPayout: '5000',
      claimDeadlineDays: 730,
      allocationRule: 'hamilton-v1',
    });

    // A cut-off before this run: 422.
    const before = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff: new Date(Date.parse(cutoff) - 1000).toISOString() })
      .expect(422);
    expect(before.body.code).toBe('disbursements.cutoff_before_previous_run');

    // Payables and carry-overs.
    expect(await balance(Accounts.payable(sepaA).code)).toBe(6000n + allocA);
    expect(await balance(Accounts.payable(stripeB).code)).toBe(5500n + allocB);
    expect(await balance(Accounts.payable(sepaC).code)).toBe(5200n);
    expect(await balance(Accounts.projectDirected(unverifiedD).code)).toBe(7000n);
    expect(await balance(Accounts.projectDirected(smallE).code)).toBe(300n);
    const statementD = await http(app).get(`/disbursements/projects/${unverifiedD}/statement`).expect(200);
    expect(statementD.body.lines).toEqual([
      expect.objectContaining({
        outcome: 'carried_over',
        reason: 'no_verified_payout_details',
        carriedOver: '7000',
      }),
    ]);
    const statementE = await http(app).get(`/disbursements/projects/${smallE}/statement`).expect(200);
    expect(statementE.body.lines[0]).toMatchObject({
      outcome: 'carried_over',
      reason: 'below_minimum_payout',
    });

    const batches = await http(app)
      .get(`/disbursements/runs/${run.id}/batches`)
      .set(treasurer.auth)
      .expect(200);
    const sepa = batches.body.find((b: { rail: string }) => b.rail === 'sepa');
    const stripeBatch = batches.body.find((b: { rail: string }) => b.rail === 'stripe');
    type PayoutBody = { id: string; projectId: string; amount: string; status: string };
    const mine = (b: { payouts: PayoutBody[] }, p: string): PayoutBody =>
      b.payouts.find((x) => x.projectId === p)!;
    expect(mine(sepa, sepaA)).toMatchObject({ amount: String(6000n + allocA), status: 'planned' });
    expect(mine(sepa, sepaC)).toMatchObject({ amount: '5200' });
    expect(mine(stripeBatch, stripeB)).toMatchObject({ amount: String(5500n + allocB) });
    expect(
      sepa.payouts.some((p: { projectId: string }) => p.projectId === unverifiedD || p.projectId === smallE),
    ).toBe(false);

    // SEPA: the file is not there before submission; submitting reserves every payout (pending).
    await http(app).get(`/disbursements/batches/${sepa.id}/pain001`).set(treasurer.auth).expect(409);
    await http(app)
      .post(`/disbursements/payouts/${mine(sepa, sepaA).id}/confirm`)
      .set(treasurer.auth)
      .expect(409);
    const debtor = { name: 'Fonds Librery', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' };
    const submitted = await http(app)
      .post(`/disbursements/batches/${sepa.id}/submit`)
      .set(treasurer.auth)
      .send({ debtor, requestedExecutionDate: '2026-12-01' })
      .expect(200);
    expect(submitted.body.status).toBe('submitted');
    expect(submitted.body.payouts.every((p: { status: string }) => p.status === 'pending')).toBe(true);
    const file = await http(app)
      .get(`/disbursements/batches/${sepa.id}/pain001`)
      .set(treasurer.auth)
      .expect(200);
    expect(file.headers['content-type']).toMatch(/application\/xml/);
    const xml = file.text;
    expect(validateAgainstXsd(sharedPath('iso20022', 'pain.001.001.09.xsd'), [xml])).toEqual([
      { valid: true, errors: [] },
    ]);
    const nb = [...xml.matchAll(/<NbOfTxs>(\d+)<\/NbOfTxs>/g)].map((m) => m[1]);
    const sums = [...xml.matchAll(/<CtrlSum>(\d+)\.(\d\d)<\/CtrlSum>/g)].map(
      (m) => BigInt(m[1]) * 100n + BigInt(m[2]),
    );
    expect(nb).toEqual([String(sepa.payoutCount), String(sepa.payoutCount)]);
    expect(sums).toEqual([BigInt(sepa.total), BigInt(sepa.total)]);
    // The ledger's pending reservations of this batch equal the file exactly (invariant 12).
    const [reserved] = (await db.query(
      `SELECT count(*)::int AS n, sum(p.amount)::text AS total FROM disbursement_payouts d
         JOIN ledger_postings p ON p.entry_id = d.pending_entry_id AND p.direction = 'D' WHERE d.batch_id = $1`,
      [sepa.id],
    )) as { n: number; total: string }[];
    expect(reserved).toEqual({ n: sepa.payoutCount, total: sepa.total });
    expect(xml).toContain('<Nm>Association Elan</Nm>');
    // the debtor named in the request wins over the configured one
    expect(xml).toMatch(/<Dbtr>\s*<Nm>Fonds Librery<\/Nm>/);
    expect(xml).toMatch(/<DbtrAcct>\s*<Id>\s*<IBAN>FR7630006000011234567890189<\/IBAN>/);
    expect(app.get(PayoutsService).fundAccount()).toEqual({
      name: 'Fonds Librery (configured)',
      iban: 'FR1420041010050500013M02606',
      bic: null,
    });

    // Stripe: B's transfer goes through the fake Stripe; it is posted at once.
    const stripeDone = await http(app)
      .post(`/disbursements/batches/${stripeBatch.id}/submit`)
      .set(treasurer.auth)
      .send({})
      .expect(200);
    expect(mine(stripeDone.body, stripeB)).toMatchObject({
      status: 'paid',
      stripeTransferId: expect.stringMatching(/^tr_/),
    });
    const transferRequest = stripe.requests.find(
      (r: { path: string; body: Record<string, unknown> }) =>
        r.path === '/v1/transfers' && r.body.destination === 'acct_1BoltProject',
    );
    expect(transferRequest).toMatchObject({
      body: { amount: String(5500n + allocB), currency: 'eur' },
      idempotencyKey: `disbursement-payout:${mine(stripeBatch, stripeB).id}`,
    });
    expect(await balance(Accounts.payable(stripeB).code)).toBe(0n);

    // C fails: voided, its money back in C's directed balance; failing or confirming it again: 409.
    const payoutC = mine(sepa, sepaC).id;
    const failed = await http(app)
      .post(`/disbursements/payouts/${payoutC}/fail`)
      .set(treasurer.auth)
      .send({ reason: 'AC04 account closed' })
      .expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', failureReason: 'AC04 account closed' });
    await http(app)
      .post(`/disbursements/payouts/${payoutC}/fail`)
      .set(treasurer.auth)
      .send({ reason: 'again' })
      .expect(409);
    const confirmVoided = await http(app)
      .post(`/disbursements/payouts/${payoutC}/confirm`)
      .set(treasurer.auth)
      .expect(409);
    expect(confirmVoided.body.code).toBe('disbursements.payout_already_resolved');
    expect(await balance(Accounts.payable(sepaC).code)).toBe(0n);
    expect(await balance(Accounts.projectDirected(sepaC).code)).toBe(5200n);

    // A confirmed; twice: 409. The batch marked executed; twice: 409.
    const bankBefore = await balance(Accounts.bank().code);
    await http(app)
      .post(`/disbursements/payouts/${mine(sepa, sepaA).id}/confirm`)
      .set(treasurer.auth)
      .expect(200);
    await http(app)
      .post(`/disbursements/payouts/${mine(sepa, sepaA).id}/confirm`)
      .set(treasurer.auth)
      .expect(409);
    expect(await balance(Accounts.bank().code)).toBe(bankBefore - (6000n + allocA));
    expect(await balance(Accounts.payable(sepaA).code)).toBe(0n);
    await http(app).post(`/disbursements/batches/${sepa.id}/executed`).set(treasurer.auth).expect(200);
    const twice = await http(app)
      .post(`/disbursements/batches/${sepa.id}/executed`)
      .set(treasurer.auth)
      .expect(409);
    expect(twice.body.code).toBe('disbursements.batch_already_executed');

    // A's statement lists its sources: the contribution's directed share and the round's allocation.
    const statementA = await http(app).get(`/disbursements/projects/${sepaA}/statement`).expect(200);
    expect(statementA.body.lines).toEqual([
      expect.objectContaining({
        outcome: 'payable',
        payable: String(6000n + allocA),
        sources: [
          {
            balance: 'directed',
            entryId: cA.id,
            kind: 'contribution.booked',
            reference: cA.businessRef,
            amount: '6000',
          },
          {
            balance: 'allocated',
            entryId: roundEntry.id,
            kind: 'round.allocation',
            reference: `round:${roundId}`,
            amount: String(allocA),
          },
        ],
        payout: expect.objectContaining({ status: 'paid' }),
      }),
    ]);
    const statementC = await http(app).get(`/disbursements/projects/${sepaC}/statement`).expect(200);
    expect(statementC.body.lines[0].sources).toEqual([
      expect.objectContaining({ entryId: cC.id, amount: '5200' }),
    ]);
    expect(statementC.body.lines[0].payout).toMatchObject({ status: 'failed' });

    await checkInvariants([sepaA, sepaC, stripeB, unverifiedD, smallE], run.id);
  });

  it('a Stripe refusal voids the payout and returns the money to the project', async () => {
    const refused = await project('Refused', { kind: 'stripe', stripeAccountId: 'acct_1Refused0001' });
    await contribution('stripe', { [refused]: 8000n }, 1n);
    const started = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff: new Date().toISOString() })
      .expect(202);
    const run = await waitForRun(started.body.id);
    const batches = await http(app)
      .get(`/disbursements/runs/${run.id}/batches`)
      .set(treasurer.auth)
      .expect(200);
    const batch = batches.body.find(
      (b: { rail: string; payouts: { projectId: string }[] }) =>
        b.rail === 'stripe' && b.payouts.some((p) => p.projectId === refused),
    );
    stripe.failNext('POST', '/v1/transfers', 400, {
      type: 'invalid_request_error',
      code: 'account_invalid',
      message: 'No such destination',
    });
    const done = await http(app)
      .post(`/disbursements/batches/${batch.id}/submit`)
      .set(treasurer.auth)
      .send({})
      .expect(200);
    const payout = done.body.payouts.find((p: { projectId: string }) => p.projectId === refused);
    expect(payout).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('account_invalid'),
    });
    expect(await balance(Accounts.payable(refused).code)).toBe(0n);
    expect(await balance(Accounts.projectDirected(refused).code)).toBe(8000n);
    await http(app).post(`/disbursements/payouts/${payout.id}/confirm`).set(treasurer.auth).expect(409);
    await checkInvariants([refused], run.id);
  });

  /** Reference §8.1 invariants 3, 4, 8 and 12 after the cycle. */
  async function checkInvariants(projects: string[], runId: string) {
    // 3. Global trial balance, posted and pending, per currency.
    const trial = (await db.query(
      `SELECT a.currency, sum(b.debits_posted)::text AS dp, sum(b.credits_posted)::text AS cp,
              sum(b.debits_pending)::text AS dpe, sum(b.credits_pending)::text AS cpe
         FROM ledger_account_balances b JOIN ledger_accounts a ON a.id = b.account_id GROUP BY a.currency`,
    )) as { dp: string; cp: string; dpe: string; cpe: string }[];
    for (const t of trial) {
      expect(t.dp).toBe(t.cp);
      expect(t.dpe).toBe(t.cpe);
    }
    // 4. Cached balances = fold of postings, for every account these projects touch.
    const codes = projects.flatMap((p) => [
      Accounts.projectDirected(p).code,
      Accounts.projectAllocated(p).code,
      Accounts.payable(p).code,
    ]);
    const drift = (await db.query(
      `SELECT a.code FROM ledger_accounts a
         JOIN (SELECT account_id, sum(debits_posted) AS dp, sum(credits_posted) AS cp FROM ledger_account_balances GROUP BY 1) b ON b.account_id = a.id
         LEFT JOIN (SELECT p.account_id,
                           coalesce(sum(p.amount) FILTER (WHERE p.direction = 'D'), 0) AS dp,
                           coalesce(sum(p.amount) FILTER (WHERE p.direction = 'C'), 0) AS cp
                      FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
                     WHERE e.flow IN ('posted', 'post_pending') GROUP BY 1) f ON f.account_id = a.id
        WHERE a.code = ANY($1) AND (b.dp <> coalesce(f.dp, 0) OR b.cp <> coalesce(f.cp, 0))`,
      [codes],
    )) as { code: string }[];
    expect(drift).toEqual([]);
    // 8. Every submitted payout is resolved at most once; paid ones posted, failed ones voided and returned.
    const payouts = (await db.query(
      `SELECT d.status, d.pending_entry_id, d.resolution_entry_id, d.return_entry_id, e.flow,
              (SELECT count(*)::int FROM ledger_entries r WHERE r.pending_entry_id = d.pending_entry_id) AS resolutions
         FROM disbursement_payouts d LEFT JOIN ledger_entries e ON e.id = d.resolution_entry_id
        WHERE d.run_id = $1 AND d.project_id = ANY($2)`,
      [runId, projects],
    )) as { status: string; return_entry_id: string | null; flow: string | null; resolutions: number }[];
    for (const p of payouts) {
      if (p.status === 'paid')
        expect([p.flow, p.resolutions, p.return_entry_id]).toEqual(['post_pending', 1, null]);
      if (p.status === 'failed')
        expect([p.flow, p.resolutions, p.return_entry_id !== null]).toEqual(['void_pending', 1, true]);
    }
    // Project and payable accounts are never negative (limits) and carry no pending amounts once resolved.
    for (const [code, b] of await ledger.balances(codes)) {
      expect([code, b.balance >= 0n, b.debitsPending]).toEqual([code, true, 0n]);
    }
  }
});
