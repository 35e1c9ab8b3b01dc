import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Command } from 'commander';
import { AddressInfo } from 'node:net';
import { registerTally } from '../apps/cli/src/commands/tally.command';
import { NestExpressApplication } from '@nestjs/platform-express';
import {
  ChainLink,
  hashCanonical,
  MotionsService,
  RoundsService,
  verifyChain,
  verifyPublished,
} from '@app/governance';
import { SYSTEM_PRINCIPAL } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { ProjectsService } from '@app/projects';
import { QueueName } from '@app/queue';
import {
  createTestApp,
  createTestWorker,
  createUserWithToken,
  http,
  uniqueId,
} from './support/create-test-app';

type User = { userId: string; auth: { Authorization: string } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('governance by college over HTTP, closed by the worker', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let admin: User;
  let outsider: User;
  const m: Record<string, User & { memberId: string }> = {};

  async function waitFor(path: string, state: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 240; i++) {
      const res = await http(app).get(path);
      if (res.body.state === state) return res.body;
      await sleep(250);
    }
    throw new Error(`${path} never reached ${state}`);
  }

  /** A project proposed by a fresh user, admitted unless told otherwise; returns its id. */
  async function project(admit = true): Promise<string> {
    const projects = app.get(ProjectsService);
    const owner = await createUserWithToken(app, []);
    const slug = uniqueId('gov')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const created = await projects.propose(
      { kind: 'user', userId: owner.userId, tokenId: null, grants: [] },
      {
        slug,
        name: `Project ${slug}`,
        repositoryUrl: `https://example.org/${slug}`,
        licence: 'MIT',
        opennessLevel: 'A',
      },
    );
    if (admit)
      await projects.changeStatus(SYSTEM_PRINCIPAL, created.id, 'admitted', 'admitted for a governance test');
    return created.id;
  }

  beforeAll(async () => {
    app = await createTestApp();
    worker = await createTestWorker();
    admin = await createUserWithToken(app, [{ role: 'admin' }]);
    outsider = await createUserWithToken(app, [{ role: 'donor' }]);
    const seats: [string, string][] = [
      ['c1', 'commoners'],
      ['c2', 'commoners'],
      ['c3', 'commoners'],
      ['c4', 'commoners'],
      ['p1', 'public'],
      ['v1', 'private'],
      ['s1', 'scientific'],
    ];
    for (const [name, college] of seats) {
      const user = await createUserWithToken(app, []);
      const res = await http(app)
        .post('/governance/members')
        .set(admin.auth)
        .send({ userId: user.userId, collegeId: college, termEnd: inSeconds(3600) })
        .expect(201);
      m[name] = { ...user, memberId: res.body.id };
    }
  });

  afterAll(async () => {
    for (const member of Object.values(m))
      await http(app).delete(`/governance/members/${member.memberId}`).set(admin.auth);
    await worker.close();
    await app.close();
  });

  it('refuses a second college for the same term, and appointments by non-admins', async () => {
    const res = await http(app)
      .post('/governance/members')
      .set(admin.auth)
      .send({ userId: m.c1.userId, collegeId: 'public', termEnd: inSeconds(600) })
      .expect(409);
    expect(res.body.code).toBe('governance.invalid_state');
    await http(app)
      .post('/governance/members')
      .set(m.c1.auth)
      .send({ userId: outsider.userId, collegeId: 'public', termEnd: inSeconds(600) })
      .expect(403);
    const colleges = await http(app).get('/governance/colleges').expect(200);
    expect(colleges.body.colleges.map((c: { id: string }) => c.id)).toEqual([
      'commoners',
      'public',
      'private',
      'scientific',
    ]);
  });

  it('runs a motion end to end: ballots, proxies, receipts, worker tally and public recomputation', async () => {
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ kind: 'ordinary', title: `Approve the annual report ${uniqueId()}`, closesAt: inSeconds(5) })
      .expect(201);
    const id = created.body.id as string;
    expect(created.body.state).toBe('draft');
    await http(app)
      .post(`/governance/motions/${id}/ballots`)
      .set(m.c1.auth)
      .send({ choice: 'for' })
      .expect(409); // not open yet
    await http(app).post(`/governance/motions/${id}/open`).set(admin.auth).expect(200);
    const url = `/governance/motions/${id}`;

    const r1 = await http(app).post(`${url}/ballots`).set(m.c1.auth).send({ choice: 'for' }).expect(201);
    expect(r1.body.receipt).toMatch(/^[0-9a-f]{64}$/);
    const r2a = await http(app).post(`${url}/ballots`).set(m.c2.auth).send({ choice: 'against' }).expect(201);
    const r2b = await http(app).post(`${url}/ballots`).set(m.c2.auth).send({ choice: 'for' }).expect(201);
    expect(r2b.body.previous).toBe(r2a.body.receipt);
    // c3 gives its vote to c1 (same college); c1 votes for it.
    const proxy = await http(app)
      .post(`${url}/proxies`)
      .set(m.c3.auth)
      .send({ holderUserId: m.c1.userId })
      .expect(201);
    expect(proxy.body.holderUserId).toBe(m.c1.userId);
    await http(app)
      .post(`${url}/ballots`)
      .set(m.c1.auth)
      .send({ choice: 'for', onBehalfOf: m.c3.userId })
      .expect(201);
    await http(app).post(`${url}/ballots`).set(m.p1.auth).send({ choice: 'against' }).expect(201);
    await http(app).post(`${url}/ballots`).set(m.v1.auth).send({ choice: 'for' }).expect(201);
    await http(app).post(`${url}/ballots`).set(m.s1.auth).send({ choice: 'abstain' }).expect(201);

    // Bad input.
    const stranger = await http(app)
      .post(`${url}/ballots`)
      .set(outsider.auth)
      .send({ choice: 'for' })
      .expect(403);
    expect(stranger.body.code).toBe('governance.not_allowed');
    await http(app)
      .post(`${url}/ballots`)
      .set(m.p1.auth)
      .send({ choice: 'for', onBehalfOf: m.c2.userId })
      .expect(403);
    await http(app)
      .post(`${url}/ballots`)
      .set(m.c2.auth)
      .send({ choice: 'for', onBehalfOf: m.c3.userId })
      .expect(403);
    const maybe = await http(app).post(`${url}/ballots`).set(m.c1.auth).send({ choice: 'maybe' }).expect(422);
    expect(maybe.body.code).toBe('governance.invalid_input');
    const cross = await http(app)
      .post(`${url}/proxies`)
      .set(m.v1.auth)
      .send({ holderUserId: m.p1.userId })
      .expect(422);
    expect(cross.body.code).toBe('governance.invalid_proxy');
    await http(app).post(`${url}/proxies`).set(m.c2.auth).send({ holderUserId: m.c3.userId }).expect(422); // c3 delegated: not transitive
    await http(app).get(`${url}/results`).expect(409); // not public before the close

    const tallied = await waitFor(url, 'tallied');
    // commoners 3/3 for (c2's last ballot, c3 by proxy), public 0/1, private 1/1, scientific only abstains → redistributed.
    expect(tallied.outcome).toBe('PASSED');
    const result = tallied.result as {
      S: string;
      perCollege: { id: string; p: string | null; participating: boolean }[];
    };
    expect(result.S).toBe('11/16');
    expect(result.perCollege.find((c) => c.id === 'scientific')).toMatchObject({
      p: null,
      participating: false,
    });
    expect(tallied.effectStatus).toBe('none');

    const late = await http(app)
      .post(`${url}/ballots`)
      .set(m.c1.auth)
      .send({ choice: 'against' })
      .expect(409);
    expect(late.body.code).toBe('governance.window_closed');

    const published = await http(app).get(`${url}/results`).expect(200);
    expect(published.body.ballots).toHaveLength(7);
    expect(published.body.ballots[0].voterUserId).toBeUndefined(); // pseudonymous by policy
    const links: ChainLink[] = published.body.ballots.map((b: ChainLink) => ({
      ballot: b.ballot,
      receipt: b.receipt,
    }));
    expect(verifyChain(published.body.chain.genesis, links, published.body.chain.head).ok).toBe(true);
    expect(hashCanonical(published.body.manifest)).toBe(published.body.chain.genesis);
    expect(verifyPublished(published.body)).toMatchObject({ matches: true, chain: { ok: true } });
    // A forged outcome is caught.
    const forged = JSON.parse(JSON.stringify(published.body));
    forged.audit.result.outcome = 'REJECTED';
    expect(verifyPublished(forged).matches).toBe(false);

    const superseded = await http(app).get(`${url}/receipts/${r2a.body.receipt}`).expect(200);
    expect(superseded.body).toMatchObject({ ok: true, height: 1, counted: false });
    const counted = await http(app).get(`${url}/receipts/${r2b.body.receipt}`).expect(200);
    expect(counted.body).toMatchObject({ ok: true, height: 2, counted: true });
    const unknown = await http(app)
      .get(`${url}/receipts/${'0'.repeat(64)}`)
      .expect(200);
    expect(unknown.body.ok).toBe(false);
  });

  it('caps proxies per holder, lets a principal revoke one, and refuses a proxy once the principal has voted', async () => {
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ kind: 'ordinary', title: `Proxies ${uniqueId()}`, closesAt: inSeconds(120) })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    await http(app).post(`${url}/proxies`).set(m.c2.auth).send({ holderUserId: m.c1.userId }).expect(201);
    const second = await http(app)
      .post(`${url}/proxies`)
      .set(m.c3.auth)
      .send({ holderUserId: m.c1.userId })
      .expect(201);
    const beyond = await http(app)
      .post(`${url}/proxies`)
      .set(m.c4.auth)
      .send({ holderUserId: m.c1.userId })
      .expect(422);
    expect(beyond.body.code).toBe('governance.invalid_proxy'); // the policy caps a holder at 2
    await http(app).post(`${url}/proxies`).set(m.c2.auth).send({ holderUserId: m.c4.userId }).expect(422); // one proxy per principal
    await http(app).delete(`/governance/proxies/${second.body.id}`).set(m.c4.auth).expect(404); // only the principal revokes
    await http(app).delete(`/governance/proxies/${second.body.id}`).set(m.c3.auth).expect(200);
    await http(app).post(`${url}/proxies`).set(m.c4.auth).send({ holderUserId: m.c1.userId }).expect(201);
    // c3 votes itself; a proxy from it is then pointless and refused.
    await http(app).post(`${url}/ballots`).set(m.c3.auth).send({ choice: 'against' }).expect(201);
    await http(app).post(`${url}/proxies`).set(m.c3.auth).send({ holderUserId: m.c2.userId }).expect(422);
  });

  it('refuses policy motions with college weights that do not sum to 10000 or leave the bounds', async () => {
    const base = { kind: 'policy', title: 'Reweight the colleges', closesAt: inSeconds(60) };
    const effect = (weights: number[]) => ({
      type: 'adopt-policy',
      effectiveAt: '2091-01-01T00:00:00Z',
      changes: {
        governance: {
          colleges: ['commoners', 'public', 'private', 'scientific'].map((id, i) => ({
            id,
            weightBp: weights[i],
          })),
        },
      },
    });
    const sum = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ ...base, effect: effect([4000, 2500, 1500, 1000]) })
      .expect(422);
    expect(sum.body.code).toBe('governance.invalid_weights');
    const bound = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ ...base, effect: effect([6000, 2000, 1000, 1000]) })
      .expect(422);
    expect(bound.body.code).toBe('governance.invalid_weights');
    await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ ...base, kind: 'ordinary', effect: effect([4000, 2500, 1500, 2000]) })
      .expect(422);
  });

  it('applies a passed policy motion once: a new policy version from its effective date', async () => {
    const effectiveAt = new Date(Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 1e9) * 1000).toISOString();
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'policy',
        title: 'Lower the levy',
        closesAt: inSeconds(4),
        effect: { type: 'adopt-policy', effectiveAt, changes: { levyRateBps: 150 } },
      })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    for (const name of ['c1', 'c2', 'c3', 'p1', 'v1', 's1']) {
      await http(app).post(`${url}/ballots`).set(m[name].auth).send({ choice: 'for' }).expect(201);
    }
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.outcome).toBe('PASSED');
    expect(tallied.effectStatus).toBe('applied');
    const version = (tallied.effectResult as { policyVersion: number }).policyVersion;
    const history = await http(app).get('/policies').expect(200);
    const adopted = history.body.find((p: { version: number }) => p.version === version);
    expect(adopted).toMatchObject({ levyRateBps: 150 });
    expect(new Date(adopted.effectiveAt).toISOString()).toBe(effectiveAt);
    expect(
      history.body.filter((p: { adoptedBy?: string }) => p.adoptedBy === `motion:${created.body.id}`),
    ).toHaveLength(1);
    // The current policy is untouched: the new version starts in the future.
    expect((await http(app).get('/policies/current').expect(200)).body.version).not.toBe(version);
  });

  it('runs a funding round: budget out of the pool, 100-point ballots, allocations booked once by the worker', async () => {
    const ledger = app.get(LedgerService);
    const pool = Accounts.pool();
    const bank = { ...Accounts.bank(), code: `asset:bank:test-${uniqueId('g')}`, hot: false };
    await ledger.ensureAccounts([pool, bank]);
    await ledger.post({
      kind: 'test.seed-pool',
      businessRef: uniqueId('seed'),
      idempotencyKey: uniqueId('seed'),
      postings: [
        { account: bank.code, direction: 'debit', amount: 500000n, currency: 'EUR' },
        { account: pool.code, direction: 'credit', amount: 500000n, currency: 'EUR' },
      ],
    });
    const [a, b, c] = [await project(), await project(), await project()];
    const proposedOnly = await project(false);
    const notAdmitted = await http(app)
      .post('/governance/rounds')
      .set(admin.auth)
      .send({ title: 'Too early', budget: '1000', candidates: [a, proposedOnly], closesAt: inSeconds(60) })
      .expect(201);
    const refused = await http(app)
      .post(`/governance/rounds/${notAdmitted.body.id}/open`)
      .set(admin.auth)
      .expect(422);
    expect(refused.body.code).toBe('governance.unknown_candidate');
    const created = await http(app)
      .post('/governance/rounds')
      .set(admin.auth)
      .send({
        title: 'Spring round',
        budget: '100000',
        candidates: [a, b, c],
        caps: { [c]: '10000' },
        closesAt: inSeconds(5),
      })
      .expect(201);
    const url = `/governance/rounds/${created.body.id}`;
    const opened = await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    expect(opened.body.openEntryId).toBeTruthy();
    expect((await ledger.balance(Accounts.round(created.body.id).code)).balance).toBe(100000n);
    await http(app).post(`${url}/open`).set(admin.auth).expect(409);

    for (const [points, code] of [
      [{ [a]: 50, [b]: 49 }, 'governance.ballot_total'],
      [{ [a]: 110, [b]: -10 }, 'governance.negative_points'],
      [{ [a]: 50, unknown: 50 }, 'governance.unknown_candidate'],
    ] as const) {
      const res = await http(app).post(`${url}/ballots`).set(m.c1.auth).send({ points }).expect(422);
      expect(res.body.code).toBe(code);
    }
    await http(app)
      .post(`${url}/ballots`)
      .set(outsider.auth)
      .send({ points: { [a]: 100 } })
      .expect(403);

    await http(app)
      .post(`${url}/ballots`)
      .set(m.c1.auth)
      .send({ points: { [a]: 100 } })
      .expect(201);
    await http(app)
      .post(`${url}/ballots`)
      .set(m.c2.auth)
      .send({ points: { [a]: 50, [b]: 50 } })
      .expect(201);
    await http(app)
      .post(`${url}/ballots`)
      .set(m.p1.auth)
      .send({ points: { [b]: 100 } })
      .expect(201);
    await http(app)
      .post(`${url}/ballots`)
      .set(m.v1.auth)
      .send({ points: { [c]: 100 } })
      .expect(201);
    await http(app).post(`${url}/ballots`).set(m.s1.auth).send({ points: {} }).expect(201); // abstains

    const tallied = await waitFor(url, 'tallied');
    const result = tallied.result as {
      cents: Record<string, string>;
      leftover: string;
      capped: string[];
      Q: Record<string, string>;
    };
    // commoners q: a 3/4, b 1/4; public b 1; private c 1; scientific abstains → W_P = 8000.
    expect(result.Q).toEqual({ [a]: '3/8', [b]: '7/16', [c]: '3/16' });
    expect(result.capped).toEqual([c]);
    expect(result.cents).toEqual({ [a]: '41538', [b]: '48462', [c]: '10000' });
    expect(result.leftover).toBe('0');
    for (const p of [a, b, c])
      expect((await ledger.balance(Accounts.projectAllocated(p).code)).balance).toBe(BigInt(result.cents[p]));
    expect((await ledger.balance(Accounts.round(created.body.id).code)).balance).toBe(0n);

    // Tallying again, even concurrently, books nothing more.
    const rounds = app.get(RoundsService);
    const again = await Promise.all([
      rounds.closeAndTally(created.body.id),
      rounds.closeAndTally(created.body.id),
    ]);
    expect(again.every((x) => !x.tallied && !x.closed)).toBe(true);
    expect((await ledger.balance(Accounts.projectAllocated(a).code)).balance).toBe(41538n);

    const published = await http(app).get(`${url}/results`).expect(200);
    expect(verifyPublished(published.body)).toMatchObject({ matches: true, chain: { ok: true } });
  });

  it('a passed motion opens a funding round in its tally transaction', async () => {
    const candidates = [await project(), await project()];
    const ledger = app.get(LedgerService);
    const bank = { ...Accounts.bank(), code: `asset:bank:test-${uniqueId('g')}`, hot: false };
    await ledger.ensureAccounts([Accounts.pool(), bank]);
    await ledger.post({
      kind: 'test.seed-pool',
      businessRef: uniqueId('seed'),
      idempotencyKey: uniqueId('seed'),
      postings: [
        { account: bank.code, direction: 'debit', amount: 20000n, currency: 'EUR' },
        { account: Accounts.pool().code, direction: 'credit', amount: 20000n, currency: 'EUR' },
      ],
    });
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        title: 'Open the autumn round',
        closesAt: inSeconds(4),
        effect: {
          type: 'open-funding-round',
          round: { title: 'Autumn round', budget: '20000', candidates, closesAt: inSeconds(3600) },
        },
      })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    for (const name of ['c1', 'p1', 'v1', 's1'])
      await http(app).post(`${url}/ballots`).set(m[name].auth).send({ choice: 'for' }).expect(201);
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.outcome).toBe('PASSED');
    expect(tallied.effectStatus).toBe('applied');
    const roundId = (tallied.effectResult as { roundId: string }).roundId;
    const round = await http(app).get(`/governance/rounds/${roundId}`).expect(200);
    expect(round.body).toMatchObject({
      state: 'open',
      budget: '20000',
      candidates,
      motionId: created.body.id,
    });
    expect((await ledger.balance(Accounts.round(roundId).code)).balance).toBe(20000n);
  });

  it('ranks options by Majority Judgment and by Schulze, weighted by college', async () => {
    const mj = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        method: 'majority-judgment',
        title: 'Name of the fund',
        options: { candidates: ['Librery', 'Commons'], grades: { min: 0, max: 5 } },
        closesAt: inSeconds(4),
      })
      .expect(201);
    const schulze = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        method: 'schulze',
        title: 'Priorities',
        options: { candidates: ['A', 'B', 'C'] },
        closesAt: inSeconds(4),
      })
      .expect(201);
    const mjUrl = `/governance/motions/${mj.body.id}`;
    const scUrl = `/governance/motions/${schulze.body.id}`;
    await http(app).post(`${mjUrl}/open`).set(admin.auth).expect(200);
    await http(app).post(`${scUrl}/open`).set(admin.auth).expect(200);
    // Grades: commoners prefer Commons, everyone else Librery.
    const grades: Record<string, Record<string, number>> = {
      c1: { Librery: 1, Commons: 5 },
      c2: { Librery: 2, Commons: 4 },
      p1: { Librery: 5, Commons: 0 },
      v1: { Librery: 4, Commons: 1 },
      s1: { Librery: 3, Commons: 2 },
    };
    for (const [name, choice] of Object.entries(grades))
      await http(app).post(`${mjUrl}/ballots`).set(m[name].auth).send({ choice }).expect(201);
    const incomplete = await http(app)
      .post(`${mjUrl}/ballots`)
      .set(m.c3.auth)
      .send({ choice: { Librery: 3 } })
      .expect(422);
    expect(incomplete.body.code).toBe('governance.invalid_input');
    const rankings: Record<string, string[][]> = {
      c1: [['C'], ['A'], ['B']],
      c2: [['C'], ['B', 'A']],
      p1: [['A'], ['B'], ['C']],
      v1: [['B'], ['A']],
    };
    for (const [name, choice] of Object.entries(rankings))
      await http(app).post(`${scUrl}/ballots`).set(m[name].auth).send({ choice }).expect(201);
    await http(app)
      .post(`${scUrl}/ballots`)
      .set(m.s1.auth)
      .send({ choice: [['A'], ['Z']] })
      .expect(422);

    const mjDone = await waitFor(mjUrl, 'tallied');
    expect(mjDone.outcome).toBe('RANKED');
    const mjResult = mjDone.result as { ranking: string[][]; multiplicities: Record<string, string> };
    // Replication 4/5/3/4 (w_c·L/n_c over their gcd), N = 20: Librery's lower median 3, Commons' 2.
    expect(mjResult.multiplicities).toEqual({ commoners: '4', public: '5', private: '3', scientific: '4' });
    expect(mjResult.ranking).toEqual([['Librery'], ['Commons']]);
    const scDone = await waitFor(scUrl, 'tallied');
    expect(scDone.outcome).toBe('RANKED');
    // d[C][A] = 4000 = d[A][C] and d[C][B] = 4000 = d[B][C]: ties; A beats B 4500 to 1500 → A and C unbeaten, then B.
    const scResult = scDone.result as { ranking: string[][]; d: Record<string, Record<string, string>> };
    expect(scResult.d.C.A).toBe('4000/1');
    expect(scResult.d.A.B).toBe('4500/1');
    expect(scResult.ranking).toEqual([['A', 'C'], ['B']]);
    // What `librery tally <results url>` runs: both published results recompute, with their ballot chains.
    for (const url of [mjUrl, scUrl]) {
      const results = await http(app).get(`${url}/results`).expect(200);
      const check = verifyPublished(results.body);
      expect(check.recomputation.differences).toEqual([]);
      expect(check.matches).toBe(true);
    }
  });

  it('a passed motion admits a project through the projects service, in the tally transaction', async () => {
    const id = await project(false);
    await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        title: 'Admit nothing',
        closesAt: inSeconds(60),
        effect: { type: 'admit-project', projectId: '00000000-0000-4000-8000-000000000000' },
      })
      .expect(422);
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        title: 'Admit the project',
        closesAt: inSeconds(4),
        effect: { type: 'admit-project', projectId: id },
      })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    for (const name of ['c1', 'p1', 'v1'])
      await http(app).post(`${url}/ballots`).set(m[name].auth).send({ choice: 'for' }).expect(201);
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.outcome).toBe('PASSED');
    expect(tallied.effectStatus).toBe('applied');
    expect((await app.get(ProjectsService).view(id)).status).toBe('admitted');
  });

  it('the repeatable sweep closes a vote whose closing job was lost (Redis carries work, not truth)', async () => {
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ kind: 'ordinary', title: 'Lost job', closesAt: inSeconds(2) })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    await http(app).post(`${url}/ballots`).set(m.c1.auth).send({ choice: 'for' }).expect(201);
    const queue = app.get<Queue>(getQueueToken(QueueName.Governance));
    await queue.remove(`close-motion-${created.body.id}`);
    expect(await queue.getJob(`close-motion-${created.body.id}`)).toBeUndefined();
    while (Date.now() < new Date(created.body.closesAt).getTime()) await sleep(100);
    await queue.add('sweep', {});
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.outcome).toBe('PASSED'); // commoners only: p = 1
  });

  it('refuses a round the pool cannot pay for (422), and records a motion effect the ledger refused without blocking the tally', async () => {
    const [x] = [await project()];
    const huge = '900000000000000'; // below MAX_INPUT_AMOUNT, far above any pool
    const round = await http(app)
      .post('/governance/rounds')
      .set(admin.auth)
      .send({ title: 'Too big', budget: huge, candidates: [x], closesAt: inSeconds(60) })
      .expect(201);
    const refused = await http(app)
      .post(`/governance/rounds/${round.body.id}/open`)
      .set(admin.auth)
      .expect(422);
    expect(refused.body.code).toBe('ledger.balance_limit_exceeded');
    expect((await http(app).get(`/governance/rounds/${round.body.id}`).expect(200)).body.state).toBe('draft');

    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'ordinary',
        title: 'Open a round too big for the pool',
        closesAt: inSeconds(4),
        effect: {
          type: 'open-funding-round',
          round: { title: 'Too big', budget: huge, candidates: [x], closesAt: inSeconds(3600) },
        },
      })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    for (const name of ['c1', 'p1', 'v1'])
      await http(app).post(`${url}/ballots`).set(m[name].auth).send({ choice: 'for' }).expect(201);
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.outcome).toBe('PASSED');
    expect(tallied.effectStatus).toBe('not_applied');
    expect(tallied.effectResult).toMatchObject({ code: 'ledger.balance_limit_exceeded' });
    const rounds = await http(app).get('/governance/rounds').expect(200);
    expect(rounds.body.some((r: { motionId: string | null }) => r.motionId === created.body.id)).toBe(false);
  });

  it('two processes racing to close and tally the same motion apply its effect exactly once', async () => {
    const effectiveAt = new Date(Date.UTC(2092, 0, 1) + Math.floor(Math.random() * 1e9) * 1000).toISOString();
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({
        kind: 'policy',
        title: 'Race',
        closesAt: inSeconds(2),
        effect: { type: 'adopt-policy', effectiveAt, changes: { claimDeadlineDays: 700 } },
      })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    for (const name of ['c1', 'c2', 'p1', 'v1', 's1'])
      await http(app).post(`${url}/ballots`).set(m[name].auth).send({ choice: 'for' }).expect(201);
    while (Date.now() < new Date(created.body.closesAt).getTime()) await sleep(50);
    // The API's and the worker's services (separate connection pools) plus the worker's own job.
    const results = await Promise.all([
      app.get(MotionsService).closeAndTally(created.body.id),
      worker.get(MotionsService).closeAndTally(created.body.id),
      app.get(MotionsService).closeAndTally(created.body.id),
      worker.get(MotionsService).closeAndTally(created.body.id),
    ]);
    expect(results.filter((r) => r.closed).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.tallied).length).toBeLessThanOrEqual(1);
    const tallied = await waitFor(url, 'tallied');
    expect(tallied.effectStatus).toBe('applied');
    const history = await http(app).get('/policies').expect(200);
    expect(
      history.body.filter(
        (p: { adoptedBy?: string; effectiveAt: string }) =>
          new Date(p.effectiveAt).toISOString() === effectiveAt,
      ),
    ).toHaveLength(1);
  });

  it('`librery tally <url>` recomputes a published result from the live API and re-hashes its ballot chain', async () => {
    const created = await http(app)
      .post('/governance/motions')
      .set(admin.auth)
      .send({ kind: 'ordinary', title: 'Recompute me', closesAt: inSeconds(2) })
      .expect(201);
    const url = `/governance/motions/${created.body.id}`;
    await http(app).post(`${url}/open`).set(admin.auth).expect(200);
    await http(app).post(`${url}/ballots`).set(m.c1.auth).send({ choice: 'for' }).expect(201);
    await http(app).post(`${url}/ballots`).set(m.p1.auth).send({ choice: 'against' }).expect(201);
    await waitFor(url, 'tallied');
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const chunks: string[] = [];
    const out = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((c: string | Uint8Array) => (chunks.push(c.toString()), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exitCode = process.exitCode;
    try {
      const program = new Command('librery').exitOverride();
      registerTally(program);
      await program.parseAsync(['node', 'librery', 'tally', `http://127.0.0.1:${port}${url}/results`]);
      expect(process.exitCode).toBe(exitCode);
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = exitCode;
    }
    const report = JSON.parse(chunks.join(''));
    expect(report).toMatchObject({
      matches: true,
      kind: 'motion',
      differences: [],
      chain: { ok: true, genesisMatchesManifest: true, length: 2 },
    });
    expect(report.result.S).toBe('8/13'); // commoners 1 (turnout 1/4 meets the quorum), public 0: 4000/6500
  });
});
