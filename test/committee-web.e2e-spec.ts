import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { MotionsService, RoundsService } from '@app/governance';
import { SYSTEM_PRINCIPAL } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { ProjectsService } from '@app/projects';
import { WebSessionService } from '@app/web-session';
import { WebSessions } from '../apps/api/src/web/web-sessions.service';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

jest.setTimeout(300_000);

type User = { userId: string; auth: { Authorization: string } };
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithBrowser('the committee member journey')('committee member in Chromium', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;
  let admin: User;
  const m: Record<string, User & { memberId: string }> = {};
  let outsider: User;
  let projects: { a: string; b: string };
  let motionId: string;
  let roundId: string;
  let shortMotionId: string;
  let shortRoundId: string;
  let shortCloses: number;

  async function project(name: string): Promise<string> {
    const owner = await createUserWithToken(app, []);
    const slug = uniqueId('cw')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const created = await app
      .get(ProjectsService)
      .propose(
        { kind: 'user', userId: owner.userId, tokenId: null, grants: [] },
        { slug, name, repositoryUrl: `https://example.org/${slug}`, licence: 'MIT', opennessLevel: 'A' },
      );
    await app
      .get(ProjectsService)
      .changeStatus(SYSTEM_PRINCIPAL, created.id, 'admitted', 'for the committee test');
    return created.id;
  }

  /** A browser session signed in as `userId` (the web session service, as a sign-in link does). */
  async function signedIn(userId: string, options: { locale?: string; javaScript?: boolean } = {}) {
    const session = await app.get(WebSessionService).signIn(null, userId, 'email-link');
    const opened = await openPage(browser, options);
    await opened.page
      .context()
      .addCookies([{ name: app.get(WebSessions).cookieName, value: session.id, url: base }]);
    return { ...opened, cookie: `${app.get(WebSessions).cookieName}=${session.id}` };
  }

  async function ballotCount(voteId: string): Promise<number> {
    const rows = (await app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM governance_ballots WHERE vote_id = $1', [voteId])) as {
      n: number;
    }[];
    return rows[0].n;
  }

  const hidden = (html: string, name: string) =>
    new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchBrowser();
    admin = await createUserWithToken(app, [{ role: 'admin' }]);
    outsider = await createUserWithToken(app, [{ role: 'donor' }]);
    for (const [name, college] of [
      ['c1', 'commoners'],
      ['c2', 'commoners'],
      ['p1', 'public'],
    ] as const) {
      const user = await createUserWithToken(app, []);
      const res = await http(app)
        .post('/governance/members')
        .set(admin.auth)
        .send({ userId: user.userId, collegeId: college, termEnd: inSeconds(3600) })
        .expect(201);
      m[name] = { ...user, memberId: res.body.id };
    }
    // the pool a round's budget comes out of
    const ledger = app.get(LedgerService);
    const bank = { ...Accounts.bank(), code: `asset:bank:test-${uniqueId('cw')}`, hot: false };
    await ledger.ensureAccounts([Accounts.pool(), bank]);
    await ledger.post({
      kind: 'test.seed-pool',
      businessRef: uniqueId('seed'),
      idempotencyKey: uniqueId('seed'),
      postings: [
        { account: bank.code, direction: 'debit', amount: 100000n, currency: 'EUR' },
        { account: Accounts.pool().code, direction: 'credit', amount: 100000n, currency: 'EUR' },
      ],
    });
    projects = { a: await project('Alpha library'), b: await project('Beta toolkit') };

    const motion = async (title: string, closesIn: number) => {
      const res = await http(app)
        .post('/governance/motions')
        .set(admin.auth)
        .send({ kind: 'ordinary', title, closesAt: inSeconds(closesIn) })
        .expect(201);
      await http(app).post(`/governance/motions/${res.body.id}/open`).set(admin.auth).expect(200);
      return res.body.id as string;
    };
    const round = async (title: string, closesIn: number) => {
      const res = await http(app)
        .post('/governance/rounds')
        .set(admin.auth)
        .send({ title, budget: '10000', candidates: [projects.a, projects.b], closesAt: inSeconds(closesIn) })
        .expect(201);
      await http(app).post(`/governance/rounds/${res.body.id}/open`).set(admin.auth).expect(200);
      return res.body.id as string;
    };
    motionId = await motion('Approve the annual report', 1800);
    roundId = await round('Winter round', 1800);
    // a motion and a round that close soon, voted through the API, to show results at the end
    shortCloses = Date.now() + 20_000;
    shortMotionId = await motion('Adopt the code of conduct', 20);
    shortRoundId = await round('Autumn round', 20);
    for (const [who, choice] of [
      ['c1', 'for'],
      ['c2', 'against'],
      ['p1', 'for'],
    ] as const)
      await http(app)
        .post(`/governance/motions/${shortMotionId}/ballots`)
        .set(m[who].auth)
        .send({ choice })
        .expect(201);
    await http(app)
      .post(`/governance/rounds/${shortRoundId}/ballots`)
      .set(m.c1.auth)
      .send({ points: { [projects.a]: 75, [projects.b]: 25 } })
      .expect(201);
    await http(app)
      .post(`/governance/rounds/${shortRoundId}/ballots`)
      .set(m.p1.auth)
      .send({ points: { [projects.b]: 100 } })
      .expect(201);
    // c2 gives c1 a proxy for the winter round: c1 sees it received and may vote for c2
    await http(app)
      .post(`/governance/rounds/${roundId}/proxies`)
      .set(m.c2.auth)
      .send({ holderUserId: m.c1.userId })
      .expect(201);
  });

  afterAll(async () => {
    for (const member of Object.values(m))
      await http(app).delete(`/governance/members/${member.memberId}`).set(admin.auth);
    await browser?.close();
    await app?.close();
  });

  async function fillPoints(page: Page, a: string, b: string) {
    await page.fill('#f-p_0', a);
    await page.fill('#f-p_1', b);
  }

  it('a member sees the committee, gives and revokes a proxy, votes on a motion and fills a round ballot, and sees the receipts', async () => {
    const { page, errors, close } = await signedIn(m.c1.userId);
    await page.goto(`${base}/comite`);
    expect(await page.locator('h1').innerText()).toBe('Mon comité');
    const main = await page.locator('main').innerText();
    expect(main).toContain('commoners');
    expect(main).toContain('Approve the annual report');
    expect(main).toContain('Winter round');
    expect(main).toMatch(/heure de Paris/);
    // the proxy received from c2 for the winter round
    expect(await page.locator('table', { hasText: 'Procurations reçues' }).innerText()).toContain(
      'Winter round',
    );
    await checkA11y(page, 'committee home (fr)');
    await screenshot(page, 'committee-home-fr');

    // give a proxy to c2 for the motion, see it, revoke it
    await page.click('a:text("Approve the annual report")');
    await page.selectOption('#f-holder', m.c2.userId);
    await page.click('button:text("Donner la procuration")');
    expect(await page.locator('.notice--success').innerText()).toContain('La procuration est donnée');
    await page.goto(`${base}/comite`);
    expect(await page.locator('table', { hasText: 'Procurations données' }).innerText()).toContain(
      'Approve the annual report',
    );
    await page.click('table:has-text("Procurations données") button:text("Révoquer")');
    expect(await page.locator('.notice--success').innerText()).toContain('révoquée');
    expect(await page.locator('main').innerText()).not.toContain('Procurations données\nVote');

    // vote on the motion
    await page.click('a:text("Approve the annual report")');
    await checkA11y(page, 'committee motion (fr)');
    await screenshot(page, 'committee-motion-fr');
    await page.click('button:text("Voter")');
    expect(page.url()).toContain('/comite/motions/'); // no choice: the form again
    expect(await page.locator('#f-choice-error').innerText()).toContain(
      'Choisissez pour, contre ou abstention',
    );
    await page.check('#f-choice'); // "Pour"
    await page.click('button:text("Voter")');
    expect(page.url()).toMatch(/\/comite\/recus\/[0-9a-f]{64}$/);
    expect(await page.locator('h1').innerText()).toBe('Votre reçu');
    await checkA11y(page, 'committee receipt (fr)');
    await screenshot(page, 'committee-receipt-fr');
    expect(await ballotCount(motionId)).toBe(1);

    // the round ballot: 90 points is refused by the service, values kept, nothing written
    await page.goto(`${base}/comite/tours/${roundId}`);
    await fillPoints(page, '60', '30');
    await page.click('button:text("Déposer le bulletin")');
    expect(await page.locator('#f-points-error').innerText()).toContain('Le total fait 90 points');
    expect(await page.locator('.error-summary').innerText()).toContain('Le total fait 90 points');
    expect(await page.inputValue('#f-p_0')).toBe('60');
    expect(await page.inputValue('#f-p_1')).toBe('30');
    expect(await page.title()).toMatch(/^Erreur/);
    await checkA11y(page, 'committee round ballot with an error (fr)');
    await screenshot(page, 'committee-round-error-fr');
    expect(await ballotCount(roundId)).toBe(0);
    await fillPoints(page, '70', '30');
    await page.click('button:text("Déposer le bulletin")');
    expect(page.url()).toMatch(/\/comite\/recus\/[0-9a-f]{64}$/);
    const first = page.url().split('/').pop()!;
    // change it before the close: the last ballot counts
    await page.goto(`${base}/comite/tours/${roundId}`);
    expect(await page.locator('table', { hasText: 'Vos bulletins' }).innerText()).toContain(first);
    await checkA11y(page, 'committee round (fr)');
    await screenshot(page, 'committee-round-fr');
    await fillPoints(page, '50', '50');
    await page.click('button:text("Déposer le bulletin")');
    const second = page.url().split('/').pop()!;
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
    // and c2's ballot through the proxy c2 gave
    await page.goto(`${base}/comite/tours/${roundId}`);
    await page.selectOption('#f-onBehalfOf', m.c2.userId);
    await fillPoints(page, '100', '0');
    await page.click('button:text("Déposer le bulletin")');
    expect(await page.locator('main').innerText()).toContain('(par procuration)');
    expect(await ballotCount(roundId)).toBe(3);

    // the receipt check, from the receipt page: the first ballot no longer counts
    await page.goto(`${base}/comite/recus/${second}`);
    await page.click('a:text("Vérifier ce reçu")');
    expect(await page.locator('main').innerText()).toContain('oui : c’est le dernier bulletin de ce votant');
    await page.goto(`${base}/recus?recu=${first}`);
    expect(await page.locator('main').innerText()).toContain(
      'non : un bulletin plus récent du même votant le remplace',
    );

    // the same in English
    await page.goto(`${base}/comite?lang=en`);
    expect(await page.locator('h1').innerText()).toBe('My committee');
    await checkA11y(page, 'committee home (en)');
    await screenshot(page, 'committee-home-en');
    await page.goto(`${base}/comite/tours/${roundId}`);
    await checkA11y(page, 'committee round (en)');
    await screenshot(page, 'committee-round-en');
    // the only console messages: the two forms answered 400 on purpose (no choice, 90 points)
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    expect(errors).toHaveLength(2);
    await close();

    // without JavaScript the server says what is wrong
    const noJs = await signedIn(m.c1.userId, { javaScript: false });
    await noJs.page.goto(`${base}/comite/tours/${roundId}`);
    await noJs.page.fill('#f-p_0', '10');
    await noJs.page.fill('#f-p_1', 'ten');
    await noJs.page.click('button:text("Déposer le bulletin")');
    expect(await noJs.page.locator('#f-p_1-error').innerText()).toContain('nombre entier');
    expect(await noJs.page.inputValue('#f-p_1')).toBe('ten');
    await noJs.close();
    expect(await ballotCount(roundId)).toBe(3);

    // a public visitor checks the receipt: no sign-in
    const visitor = await openPage(browser, { locale: 'en-GB' });
    await visitor.page.goto(`${base}/recus`);
    await visitor.page.fill('#f-recu', 'not a receipt');
    await visitor.page.click('button:text("Check")');
    expect(await visitor.page.locator('#f-recu-error').innerText()).toContain('64 hexadecimal');
    await visitor.page.fill('#f-recu', second);
    await visitor.page.click('button:text("Check")');
    const verdict = await visitor.page.locator('main').innerText();
    expect(verdict).toContain('This receipt is in the chain');
    expect(verdict).toContain('Winter round');
    expect(verdict).toContain('intact');
    await checkA11y(visitor.page, 'receipt check (en)');
    await screenshot(visitor.page, 'receipt-check-en');
    await visitor.page.goto(`${base}/recus?recu=${'0'.repeat(64)}&lang=fr`);
    expect(await visitor.page.locator('main').innerText()).toContain('Ce reçu ne figure dans aucun vote');
    await checkA11y(visitor.page, 'receipt check, unknown (fr)');
    await screenshot(visitor.page, 'receipt-check-unknown-fr');
    // the one console message: the invalid receipt answered 400 on purpose
    expect(visitor.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await visitor.close();
  });

  it('a double submit of a ballot form books once', async () => {
    const session = await app.get(WebSessionService).signIn(null, m.c2.userId, 'email-link');
    const cookie = `${app.get(WebSessions).cookieName}=${session.id}`;
    const form = await http(app).get(`/comite/motions/${motionId}`).set('Cookie', cookie).expect(200);
    const body = new URLSearchParams({
      _csrf: hidden(form.text, '_csrf'),
      _idempotency: hidden(form.text, '_idempotency'),
      choice: 'against',
    }).toString();
    const before = await ballotCount(motionId);
    const [one, two] = await Promise.all(
      [0, 1].map(() =>
        http(app).post(`/comite/motions/${motionId}/vote`).set('Cookie', cookie).type('form').send(body),
      ),
    );
    const statuses = [one.status, two.status].sort();
    // both answered: the same receipt, or one still in progress (409); never two ballots
    expect(statuses[0]).toBe(303);
    const again = await http(app)
      .post(`/comite/motions/${motionId}/vote`)
      .set('Cookie', cookie)
      .type('form')
      .send(body)
      .expect(303);
    expect(again.headers.location).toBe(one.status === 303 ? one.headers.location : two.headers.location);
    expect(await ballotCount(motionId)).toBe(before + 1);
    // the same key with other values is refused, nothing written
    const other = body.replace('choice=against', 'choice=for');
    await http(app)
      .post(`/comite/motions/${motionId}/vote`)
      .set('Cookie', cookie)
      .type('form')
      .send(other)
      .expect(409);
    expect(await ballotCount(motionId)).toBe(before + 1);
  });

  it('a non-member gets 403 pages and writes nothing', async () => {
    const { page, close, cookie } = await signedIn(outsider.userId);
    const res = await page.goto(`${base}/comite`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('Accès refusé');
    await checkA11y(page, 'committee forbidden (fr)');
    await screenshot(page, 'committee-forbidden-fr');
    await close();
    const session = await app.get(WebSessionService).load(cookie.split('=')[1]);
    const before = await ballotCount(motionId);
    await http(app)
      .post(`/comite/motions/${motionId}/vote`)
      .set('Cookie', cookie)
      .type('form')
      .send(`_csrf=${encodeURIComponent(session!.csrfToken)}&_idempotency=${uniqueId('k')}&choice=for`)
      .expect(403);
    expect(await ballotCount(motionId)).toBe(before);
    // signed out: 401 page
    await http(app).get('/comite').set('Accept', 'text/html').expect(401);
  });

  it('after the close: results per college and overall, the record and how to recompute them', async () => {
    await sleep(Math.max(0, shortCloses - Date.now() + 500));
    await app.get(MotionsService).closeAndTally(shortMotionId);
    await app.get(RoundsService).closeAndTally(shortRoundId);
    const { page, errors, close } = await signedIn(m.c1.userId);
    await page.goto(`${base}/comite/motions/${shortMotionId}`);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Résultats');
    expect(text).toMatch(/Adoptée|Rejetée|Pas de décision/);
    expect(text).toContain(`npx librery tally ${'http'}`);
    expect(text).toContain(`/governance/motions/${shortMotionId}/results`);
    expect(await page.locator('table', { hasText: 'Par collège' }).innerText()).toContain('commoners');
    await checkA11y(page, 'committee motion results (fr)');
    await screenshot(page, 'committee-motion-results-fr');
    await page.goto(`${base}/comite/tours/${shortRoundId}?lang=en`);
    const round = await page.locator('main').innerText();
    expect(round).toContain('Alpha library');
    expect(round).toContain('Left over');
    expect(round).toContain(`/governance/rounds/${shortRoundId}/results`);
    await checkA11y(page, 'committee round results (en)');
    await screenshot(page, 'committee-round-results-en');
    expect(errors).toEqual([]);
    await close();
  });
});
