import { createServer } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { formatAmountInput } from '@app/money';
import { GivingService } from '@app/payments';
import { IdentityService } from '@app/identity';
import { FakeStripe } from '@app/testing';
import { WebSessionService } from '@app/web-session';
import { SmtpCapture, startSmtpCapture } from './support/smtp';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { createTestApp, createTestWorker, createUserWithToken, uniqueId } from './support/create-test-app';

// Chromium and axe on a busy machine: a page takes seconds; the journey visits a dozen.
jest.setTimeout(300_000);

const shots: Record<string, string> = {};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Every page visited: axe with zero violations, and a screenshot kept as a test artefact. */
async function visited(page: Page, name: string): Promise<void> {
  await checkA11y(page, name);
  shots[name] = await screenshot(page, name);
}

/**
 * The donor's journey in Chromium, without an account: amount typed the French way, two projects
 * chosen by name, the split shown before paying, paid on the fake Stripe's hosted page, the
 * webhooks booked by a real worker, the statement key shown once, the entry in the public ledger.
 */
describeWithBrowser('giving in the browser (/donner)')('giving in the browser (/donner, /give)', () => {
  let fake: FakeStripe;
  let smtp: SmtpCapture;
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let browser: Browser;
  let db: DataSource;
  let base: string;
  const tag = uniqueId('x')
    .replace(/[^a-z0-9]/g, '')
    .slice(-6);
  const names = { a: `Cartes libres ${tag}`, b: `Géodonnées ouvertes ${tag}` };
  const slugs: Record<'a' | 'b', string> = { a: '', b: '' };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    smtp = await startSmtpCapture();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    for (const [k, v] of Object.entries({
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.apiBase,
      PUBLIC_BASE_URL: base,
      SMTP_URL: smtp.url,
      MAIL_POLL_MS: '200',
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await createTestApp();
    await app.listen(port, '127.0.0.1');
    fake.webhookUrl = `${base}/webhooks/stripe`;
    worker = await createTestWorker();
    db = app.get(DataSource);
    for (const key of ['a', 'b'] as const) {
      slugs[key] = `${key}-${tag}`;
      await db.query(
        `INSERT INTO projects (slug, name, description, repository_url, licence, openness_level, status)
         VALUES ($1, $2, 'Un projet de démonstration.', 'https://example.org/r', 'MIT', 'A', 'admitted')`,
        [slugs[key], names[key]],
      );
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
    await fake.stop();
    await smtp?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    console.log(
      `giving screenshots (axe: 0 violations on each):\n${Object.entries(shots)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
  });

  const count = async (table: string): Promise<number> =>
    Number(((await db.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0].n);

  async function waitForBooking(intentId: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const rows = (await db.query('SELECT 1 FROM contributions WHERE donation_intent_id = $1', [
        intentId,
      ])) as unknown[];
      if (rows.length > 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the worker did not book the gift in time');
  }

  it('gives through the whole journey: amount, projects by name, split, Stripe, booking, key, ledger', async () => {
    const { page, errors, close } = await openPage(browser, { locale: 'fr-FR' });
    try {
      await page.goto(`${base}/donner?lang=fr`);
      await visited(page, 'giving-1-amount');
      await page.getByLabel('Montant en euros').fill('1 234,56');
      await page.getByLabel('Chaque mois').check();
      await page.getByLabel('Une fois').check();
      await page.getByRole('button', { name: 'Continuer' }).click();

      await page.waitForURL(/\/donner\/projets/);
      await visited(page, 'giving-2-projects');
      await page.getByLabel('Chercher un projet').fill(`cartes libres ${tag}`);
      await page.getByRole('button', { name: 'Chercher' }).click();
      await page.getByRole('button', { name: `Ajouter ${names.a}` }).waitFor();
      await visited(page, 'giving-2-projects-results');
      await page.getByRole('button', { name: `Ajouter ${names.a}` }).click();
      await page.getByLabel('Chercher un projet').fill(`géodonnées ${tag}`);
      await page.getByRole('button', { name: 'Chercher' }).click();
      await page.getByRole('button', { name: `Ajouter ${names.b}` }).click();
      await page.getByLabel(`Poids de ${names.a}`).fill('3');
      await visited(page, 'giving-2-projects-chosen');
      await page.getByRole('button', { name: 'Continuer' }).click();

      await page.waitForURL(/\/donner\/recapitulatif/);
      await visited(page, 'giving-3-summary');
      // The split shown is the allocator's, for the same input, as the service computes it.
      const preview = await app.get(GivingService).preview({
        amount: 123456n,
        frequency: 'one_time',
        committee: false,
        projects: [
          { slug: slugs.a, weight: 3n },
          { slug: slugs.b, weight: 1n },
        ],
      });
      const table = await page.locator('table').first().innerText();
      const euros = (cents: bigint) => formatAmountInput(cents, 'fr');
      for (const d of preview.directed) {
        expect(table).toContain(`Dirigé vers ${d.project.name}`);
        expect(normalise(table)).toContain(normalise(`${euros(d.amount)} €`));
      }
      expect(normalise(table)).toContain(normalise(`${euros(preview.split.pool)} €`));
      expect(preview.directed.map((d) => d.amount)).toEqual([
        preview.directed[0].amount,
        preview.split.directedShare - preview.directed[0].amount,
      ]);
      expect(preview.directed[0].amount).toBeGreaterThan(preview.directed[1].amount);

      await page.getByLabel('Sous un nom public').check();
      await page.getByLabel(/Nom public/).fill('Ada Lovelace');
      await page.getByLabel(/Adresse électronique/).fill('ada@example.org');
      const intentsBefore = await count('donation_intents');
      await page.getByRole('button', { name: 'Payer avec Stripe' }).click();

      await page.waitForURL(new RegExp(`^${fake.apiBase}/c/pay/`));
      expect(await page.locator('#amount').innerText()).toBe('€1,234.56');
      await visited(page, 'giving-4-stripe-checkout');
      expect(await count('donation_intents')).toBe(intentsBefore + 1);
      await page.getByRole('button', { name: 'Pay' }).click();

      await page.waitForURL(/\/donner\/merci\?session=cs_/);
      const key = await page.locator('#statement-key').innerText();
      expect(key).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
      await page.getByText('Elle vous a aussi été envoyée à ada@example.org.').waitFor();
      await visited(page, 'giving-5-thanks');
      // The same key, mailed through the outbox by the worker over SMTP.
      const mail = await smtp.waitForMail('ada@example.org');
      expect(mail.subject).toBe('Votre clé de relevé de la Librery');
      expect(mail.text).toContain(`Votre clé de relevé : ${key}`);
      const sessionId = new URL(page.url()).searchParams.get('session')!;
      const [intent] = (await db.query(
        'SELECT id::text, pseudonym, public_name FROM donation_intents WHERE stripe_session_id = $1',
        [sessionId],
      )) as { id: string; pseudonym: string; public_name: string }[];
      expect(intent.public_name).toBe('Ada Lovelace');
      await waitForBooking(intent.id);

      // Once booked: the split as booked and the ledger link; the key is never shown again.
      await page.reload();
      await page.getByText('Votre don est inscrit au grand livre public.').waitFor();
      expect(await page.locator('#statement-key').count()).toBe(0);
      await page.getByText('La clé de relevé de ce don a déjà été affichée.').waitFor();
      await visited(page, 'giving-6-thanks-booked');
      await page.getByRole('link', { name: 'Voir l’écriture dans le grand livre public' }).click();
      await page.waitForURL(/\/ledger\?/);
      await page.getByText('Ada Lovelace').first().waitFor();
      await visited(page, 'giving-7-ledger');

      // The donor's statement, opened with the key.
      await page.goto(`${base}/donner/releve?lang=fr`);
      await page.getByLabel('Clé de relevé').fill(key);
      await page.getByRole('button', { name: 'Afficher le relevé' }).click();
      await page.getByRole('table').waitFor();
      expect(normalise(await page.getByRole('table').innerText())).toContain(normalise('1 234,56 €'));
      await visited(page, 'giving-8-statement');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the form again with the values kept and errors beside the fields, writing nothing', async () => {
    const { page, close } = await openPage(browser, { locale: 'fr-FR' });
    try {
      await page.goto(`${base}/donner?lang=fr`);
      await page.getByLabel('Montant en euros').fill('12,345');
      const response = page.waitForResponse((r) => r.url().includes('/donner/projets'));
      await page.getByRole('button', { name: 'Continuer' }).click();
      expect((await response).status()).toBe(400);
      await page.getByRole('heading', { name: 'Il y a un problème' }).waitFor();
      expect(await page.getByLabel('Montant en euros').inputValue()).toBe('12,345');
      expect(await page.locator('#f-amount-error').innerText()).toContain('au plus deux décimales');
      expect(await page.getByRole('link', { name: /au plus deux décimales/ }).getAttribute('href')).toBe(
        '#f-amount',
      );
      await visited(page, 'giving-error-amount');

      // A public name asked for but left empty, and a bad address: the summary again, nothing written.
      await page.goto(`${base}/donner/recapitulatif?lang=fr&amount=20&frequency=yearly&spread=committee`);
      await page.getByLabel('Sous un nom public').check();
      await page.getByLabel(/Adresse électronique/).fill('pas-une-adresse');
      const before = [await count('donation_intents'), await count('giving_checkouts')];
      await page.getByRole('button', { name: 'Payer avec Stripe' }).click();
      await page.getByRole('heading', { name: 'Il y a un problème' }).waitFor();
      expect(await page.getByLabel(/Adresse électronique/).inputValue()).toBe('pas-une-adresse');
      expect(await page.getByLabel('Sous un nom public').isChecked()).toBe(true);
      await visited(page, 'giving-error-summary');
      expect([await count('donation_intents'), await count('giving_checkouts')]).toEqual(before);

      // A tampered CSRF token: the 403 page, nothing written.
      await page.locator('input[name="_csrf"]').evaluate((el: { value: string }) => {
        el.value = 'tampered';
      });
      await page.getByLabel('Anonymement (sous un pseudonyme stable)').check();
      await page.getByLabel(/Adresse électronique/).fill('');
      const refused = page.waitForResponse((r) => r.url().includes('/donner/paiement'));
      await page.getByRole('button', { name: 'Payer avec Stripe' }).click();
      expect((await refused).status()).toBe(403);
      await visited(page, 'giving-error-csrf');
      expect([await count('donation_intents'), await count('giving_checkouts')]).toEqual(before);
    } finally {
      await close();
    }
  });

  it('comes back from a cancelled payment to the summary with the values kept (in English at /give)', async () => {
    const { page, close } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(
        `${base}/give/summary?lang=en&amount=1%2C500.00&frequency=monthly&p=${slugs.b}&w_${slugs.b}=2&spread=projects`,
      );
      await visited(page, 'giving-3-summary-en');
      await page.getByLabel('Under a public name').check();
      await page.getByLabel(/Public name/).fill('Grace');
      await page.getByRole('button', { name: 'Pay with Stripe' }).click();
      await page.waitForURL(new RegExp(`^${fake.apiBase}/c/pay/`));
      expect(await page.locator('#amount').innerText()).toBe('€1,500.00 per month');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/give\/cancelled\//);
      await page.getByText('Payment cancelled').waitFor();
      expect(await page.getByLabel(/Public name/).inputValue()).toBe('Grace');
      expect(await page.getByLabel('Under a public name').isChecked()).toBe(true);
      expect(await page.locator('table').first().innerText()).toContain(`Directed to ${names.b}`);
      await visited(page, 'giving-cancelled');
    } finally {
      await close();
    }
  });

  it('shows a signed-in donor their gifts and their statement', async () => {
    const donor = await createUserWithToken(app, [{ role: 'donor' }]);
    const principal = await app.get(IdentityService).authenticate(donor.token);
    const started = await app.get(GivingService).startCheckout(principal, {
      formKey: `signed-in-${tag}-0123456789`,
      language: 'fr',
      choice: { amount: 4200n, frequency: 'monthly', committee: true, projects: [] },
      identity: { publicName: null, email: null },
      paths: { thanks: '/donner/merci', cancelled: '/donner/annulation' },
    });
    await fake.deliver(fake.completeCheckout(started.url.split('/').pop()!));
    const [intent] = (await db.query('SELECT id::text FROM donation_intents WHERE donor_user_id = $1', [
      donor.userId,
    ])) as { id: string }[];
    await waitForBooking(intent.id);
    const session = await app.get(WebSessionService).signIn(null, donor.userId, 'test');
    const { page, close } = await openPage(browser, { locale: 'fr-FR' });
    try {
      await page.context().addCookies([{ name: 'librery_session', value: session.id, url: base }]);
      await page.goto(`${base}/donner/mes-dons?lang=fr`);
      const gifts = page.getByRole('table', { name: 'Mes dons' });
      await gifts.waitFor();
      expect(normalise(await gifts.innerText())).toContain(normalise('42,00 €'));
      expect(await gifts.innerText()).toContain('par mois');
      expect(await gifts.innerText()).toContain('Inscrit (1)');
      const statement = page.getByRole('table', { name: /Dons de 20/ });
      expect(normalise(await statement.innerText())).toContain(normalise('42,00 €'));
      await visited(page, 'giving-my-gifts');
    } finally {
      await close();
    }
  });

  it('tells a visitor who is not signed in how to see their gifts', async () => {
    const { page, close } = await openPage(browser, { locale: 'fr-FR' });
    try {
      await page.goto(`${base}/donner/mes-dons?lang=fr`);
      await page.getByText('Connectez-vous pour voir vos dons.').waitFor();
      await visited(page, 'giving-my-gifts-signed-out');
    } finally {
      await close();
    }
  });
});

/** Spaces of any kind (Intl prints narrow no-break spaces) as one plain space. */
function normalise(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ');
}
