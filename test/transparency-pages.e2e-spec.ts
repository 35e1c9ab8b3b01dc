import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Accounts, LedgerService } from '@app/ledger';
import { CheckpointService, DonorCommitmentsService } from '@app/transparency';
import { checkA11y, describeWithBrowser, launchBrowser, screenshot } from './support/browser';
import { createTestApp, http, uniqueId } from './support/create-test-app';

// Browser tests run slowly on a loaded machine (axe, screenshots).
jest.setTimeout(180_000);

describeWithBrowser('the public pages browser test')('public pages in headless Chromium', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;
  let projectId: string;
  let roundId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const ledger = app.get(LedgerService);
    projectId = uniqueId('proj').toLowerCase();
    const directed = Accounts.projectDirected(projectId);
    const allocated = Accounts.projectAllocated(projectId);
    await ledger.ensureAccounts([
      Accounts.bank(),
      Accounts.pool(),
      Accounts.operatingIncome(),
      directed,
      allocated,
    ]);
    const donor = await app.get(DonorCommitmentsService).partyFor(`donor:${uniqueId('d')}`);
    const give = (amount: bigint, party: unknown) => {
      const key = uniqueId('c');
      return ledger.post({
        kind: 'contribution.levy',
        businessRef: key,
        idempotencyKey: key,
        metadata: { party },
        postings: [
          { account: Accounts.bank().code, direction: 'debit', amount, currency: 'EUR' },
          { account: directed.code, direction: 'credit', amount: amount / 2n, currency: 'EUR' },
          {
            account: Accounts.pool().code,
            direction: 'credit',
            amount: amount - amount / 2n,
            currency: 'EUR',
          },
        ],
      });
    };
    await give(250000n, { type: 'public_body', id: 'org-browser', name: 'Ville <de> Test & Co' });
    await give(12345n, donor);
    const key = uniqueId('alloc');
    await ledger.post({
      kind: 'governance.round.allocation',
      businessRef: key,
      idempotencyKey: key,
      postings: [
        { account: Accounts.pool().code, direction: 'debit', amount: 1000n, currency: 'EUR' },
        { account: allocated.code, direction: 'credit', amount: 1000n, currency: 'EUR' },
      ],
    });
    await app.get(CheckpointService).signLatest();
    const audit = {
      kind: 'funding-round',
      algorithm: 'test',
      inputs: {},
      result: {
        Q: { [projectId]: '2/3', other: '1/3' },
        eligible: [projectId, 'other'],
        capped: [],
        exact: {},
        cents: { [projectId]: '66667', other: '33333' },
        leftover: '0',
        perCollege: {
          commoners: { n: 3, participating: true, q: { [projectId]: '1/1' } },
          public: { n: 0, participating: false, q: null },
        },
      },
    };
    const [row] = (await app.get(DataSource).query(
      `INSERT INTO governance_rounds (title, state, currency, budget, candidates, opens_at, closes_at, open_entry_id, genesis_hash,
                                      tally_entry_id, audit, ballot_count)
       VALUES ('Printemps 2026', 'tallied', 'EUR', 100000, $1, now() - interval '2 days', now() - interval '1 day', '1', 'g', '2', $2, 3)
       RETURNING id::text`,
      [JSON.stringify([projectId, 'other']), JSON.stringify(audit)],
    )) as { id: string }[];
    roundId = row.id;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(path: string, locale = 'fr-FR'): Promise<Page> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${path}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    const res = await page.goto(`${base}${path}`);
    expect(res?.status()).toBe(200);
    return page;
  }

  async function accessible(page: Page, name: string): Promise<void> {
    await checkA11y(page, name);
    await screenshot(page, name);
    const lang = await page.getAttribute('html', 'lang');
    expect(['fr', 'en']).toContain(lang);
    expect(await page.locator('h1').count()).toBe(1);
    const tables = page.locator('table');
    for (let i = 0; i < (await tables.count()); i++) {
      expect((await tables.nth(i).locator('caption').innerText()).length).toBeGreaterThan(0);
      const headers = tables.nth(i).locator('th');
      for (let j = 0; j < (await headers.count()); j++)
        expect(await headers.nth(j).getAttribute('scope')).toMatch(/^(col|row)$/);
    }
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('#main');
  }

  it('/ shows totals, the Sankey picture of the flows and how to verify, in French by default', async () => {
    const page = await open('/');
    await accessible(page, 'home-totals-fr');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.locator('h1').innerText()).toBe('Où va l’argent');
    expect(await page.locator('svg[role="img"] path').count()).toBeGreaterThan(2);
    expect(await page.locator('svg title').first().textContent()).toContain('Flux');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Organismes publics');
    expect(text).toContain('npx librery verify');
    await page.context().close();
  });

  it('/ in English, by Accept-Language and by ?lang=en', async () => {
    const page = await open('/', 'en-GB');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').innerText()).toBe('Where the money goes');
    await page.goto(`${base}/?lang=fr`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.locator('a[hreflang="en"]').first().click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.context().close();
  });

  it('/ledger lists entries with proof links and filters without JavaScript', async () => {
    const page = await open('/ledger');
    await accessible(page, 'ledger-fr');
    expect(await page.locator('main table tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('a[href^="/log/proof/inclusion?index="]').count()).toBeGreaterThan(0);
    await page.fill('#f-project', projectId);
    await page.click('form.filters button[type="submit"]');
    expect(page.url()).toContain(`project=${projectId}`);
    expect(await page.locator('main table tbody tr').count()).toBe(3);
    const html = await page.content();
    expect(html).toContain('Ville &lt;de&gt; Test &amp; Co');
    expect(html).toMatch(/donor-[0-9a-f]{12}/);
    const proofHref = await page.locator('a[href^="/log/proof/inclusion"]').first().getAttribute('href');
    const proof = await http(app)
      .get(proofHref as string)
      .expect(200);
    expect(proof.body.proof).toBeInstanceOf(Array);
    await page.context().close();
  });

  it('/projects/<slug> shows what the project received, from whom and what was paid out', async () => {
    const page = await open(`/projects/${projectId}`);
    await accessible(page, 'project-fr');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Reçu par parts dirigées');
    expect(text).toMatch(/1\s?250,00\s€/);
    expect(text).toContain('Ville <de> Test & Co');
    expect(text).toContain('Réserve commune (comité)');
    await page.context().close();
    const missing = await browser.newPage();
    expect((await missing.goto(`${base}/projects/nobody-here`))?.status()).toBe(404);
    await missing.close();
  });

  it('/rounds/<id> shows the result per college', async () => {
    const page = await open(`/rounds/${roundId}?lang=en`);
    await accessible(page, 'round-en');
    expect(await page.locator('h1').innerText()).toContain('Printemps 2026');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Result per college');
    expect(text).toContain('commoners');
    expect(text).toContain('66.67 %');
    expect(text).toContain('€666.67');
    await page.context().close();
  });

  it('logged no console errors on any page', () => {
    expect(errors).toEqual([]);
  });
});
