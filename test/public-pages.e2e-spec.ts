import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser } from 'playwright-core';
import { Accounts, LedgerService } from '@app/ledger';
import { CheckpointService } from '@app/transparency';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

// Browser tests run slowly on a loaded machine (axe, screenshots).
jest.setTimeout(180_000);

describeWithBrowser('the readable public pages')('the public pages, readable, in Chromium', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;
  let project: { id: string; slug: string; name: string };

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const { auth } = await createUserWithToken(app, []);
    const slug = uniqueId('libre').toLowerCase();
    const created = await http(app).post('/projects').set(auth).send({
      slug,
      name: 'Grand Tableur Libre',
      description: 'Un tableur libre utilisé par les collectivités.',
      repositoryUrl: 'https://example.org/tableur.git',
      licence: 'MPL-2.0',
      opennessLevel: 'A',
    });
    expect(created.status).toBe(201);
    project = { id: created.body.id, slug, name: 'Grand Tableur Libre' };
    const ledger = app.get(LedgerService);
    const directed = Accounts.projectDirected(project.id);
    const payable = Accounts.payable(project.id);
    await ledger.ensureAccounts([Accounts.bank(), Accounts.pool(), directed, payable]);
    const post = (
      kind: string,
      postings: { account: string; direction: 'debit' | 'credit'; amount: bigint }[],
      extra = {},
    ) => {
      const key = uniqueId('k');
      return ledger.post({
        kind,
        businessRef: key,
        idempotencyKey: key,
        metadata: { party: { type: 'public_body', id: 'org-pages', name: 'Ville de Lecture' } },
        postings: postings.map((p) => ({ ...p, currency: 'EUR' })),
        ...extra,
      });
    };
    await post('contribution.levy', [
      { account: Accounts.bank().code, direction: 'debit', amount: 100000n },
      { account: directed.code, direction: 'credit', amount: 50000n },
      { account: Accounts.pool().code, direction: 'credit', amount: 50000n },
    ]);
    await post('disbursement.payable', [
      { account: directed.code, direction: 'debit', amount: 30000n },
      { account: payable.code, direction: 'credit', amount: 30000n },
    ]);
    const payout = (amount: bigint) =>
      post(
        'disbursement.payout',
        [
          { account: payable.code, direction: 'debit', amount },
          { account: Accounts.bank().code, direction: 'credit', amount },
        ],
        { flow: 'pending' },
      );
    const confirmed = await payout(10000n);
    await post(
      'disbursement.payout.posted',
      [
        { account: payable.code, direction: 'debit', amount: 10000n },
        { account: Accounts.bank().code, direction: 'credit', amount: 10000n },
      ],
      { flow: 'post_pending', pendingEntryId: confirmed.id },
    );
    await payout(5000n);
    await app.get(CheckpointService).signLatest();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const pages: { path: string; name: string; h1: Record<'fr' | 'en', RegExp> }[] = [
    { path: '/', name: 'home', h1: { fr: /Où va l’argent/, en: /Where the money goes/ } },
    { path: '/projects', name: 'projects', h1: { fr: /^Projets$/, en: /^Projects$/ } },
    { path: '/rounds', name: 'rounds', h1: { fr: /Tours de financement/, en: /Funding rounds/ } },
    { path: '/motions', name: 'motions', h1: { fr: /Motions du comité/, en: /Committee motions/ } },
    { path: '/ledger', name: 'ledger', h1: { fr: /Grand livre/, en: /Ledger/ } },
    { path: '/verifier', name: 'verify', h1: { fr: /Vérifier les comptes/, en: /Verify the books/ } },
    { path: '/open-data', name: 'open-data', h1: { fr: /Données ouvertes/, en: /Open data/ } },
    {
      path: '/dependances',
      name: 'dependencies',
      h1: { fr: /Ce dont dépend l’argent public/, en: /What public money depends on/ },
    },
    {
      path: '/projects/:slug',
      name: 'project',
      h1: { fr: /Grand Tableur Libre/, en: /Grand Tableur Libre/ },
    },
  ];

  for (const lang of ['fr', 'en'] as const) {
    for (const p of pages) {
      it(`${p.path} in ${lang}: axe finds nothing, screenshot kept, no console error`, async () => {
        await check(
          p.path === '/projects/:slug' ? `/projects/${project.slug}` : p.path,
          p.name,
          p.h1[lang],
          lang,
        );
      });
    }
  }

  async function check(path: string, name: string, h1: RegExp, lang: 'fr' | 'en'): Promise<void> {
    const { page, errors, close } = await openPage(browser, { locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
    const res = await page.goto(`${base}${path}`);
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.locator('h1').innerText()).toMatch(h1);
    await checkA11y(page, `${name} (${lang})`);
    await screenshot(page, `public-${name}-${lang}`);
    expect(errors).toEqual([]);
    await close();
  }

  it('the home page links every project and the ledger names projects instead of their UUIDs', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(`${base}/`);
    expect(await page.locator(`a[href="/projects/${project.slug}"]`).count()).toBeGreaterThan(0);
    await page.goto(`${base}/ledger?project=${project.slug}`);
    const text = await page.locator('main table').innerText();
    expect(text).toContain('Grand Tableur Libre — parts dirigées');
    expect(text).toContain('Versement à un projet');
    expect(text).toContain('confirmé par la banque');
    expect(text).toContain('en cours');
    expect(text).toContain('Compte bancaire du fonds');
    // the kind filter is a list with human labels
    await page.selectOption('#f-kind', 'disbursement');
    await page.click('form.filters button[type="submit"]');
    expect(page.url()).toContain('kind=disbursement');
    expect(await page.locator('main table tbody tr').count()).toBeGreaterThanOrEqual(3);
    await close();
  });

  it('the project page says what it is, how to claim it and shows each payout as one line with its state', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(`${base}/projects/${project.slug}`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('Un tableur libre utilisé par les collectivités.');
    expect(main).toContain('https://example.org/tableur.git');
    expect(main).toContain('MPL-2.0');
    expect(main).toContain('A — contributif');
    expect(main).toContain('Vous maintenez ce projet ?');
    expect(main).toContain('Versé à ce projet');
    const payouts = page.locator('table', {
      has: page.locator('caption', { hasText: 'Versements, un par ligne' }),
    });
    expect(await payouts.locator('tbody tr').count()).toBe(2);
    const rows = await payouts.locator('tbody').innerText();
    expect(rows).toContain('confirmé par la banque');
    expect(rows).toContain('en cours');
    expect(rows).toMatch(/100,00\s€/);
    expect(rows).toMatch(/50,00\s€/);
    await close();
  });

  it('keeps the JSON API on the shared paths', async () => {
    const list = await http(app).get('/projects').expect(200);
    expect(list.headers['content-type']).toMatch(/application\/json/);
    expect(list.body.items.some((p: { slug: string }) => p.slug === project.slug)).toBe(true);
    const pkg = await http(app).get('/open-data').expect(200);
    expect(pkg.body.name).toBe('librery-ledger');
    const forced = await http(app).get('/open-data?format=json').set('Accept', 'text/html').expect(200);
    expect(forced.headers['content-type']).toMatch(/application\/json/);
  });
});
