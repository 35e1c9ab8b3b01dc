import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createServer } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { IdentityService, SYSTEM_PRINCIPAL } from '@app/identity';
import { OidcTestProvider, startOidcTestProvider } from '@app/testing';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { createTestApp, createTestWorker, createUserWithToken, http } from './support/create-test-app';
import { extractLink, SmtpCapture, startSmtpCapture } from './support/smtp';

// Seven browser journeys, each page checked by axe: slow on a busy machine.
jest.setTimeout(180_000);

const run = Date.now().toString(36);
const SIRET = `${Date.now()}`.slice(-9).padStart(9, '1') + '00017';
const agent = {
  sub: `agent-${run}`,
  email: `agent.${run}@ville.test`,
  password: 'mot de passe de test',
  given_name: 'Camille',
  usual_name: 'Martin',
  siret: SIRET,
  organization_label: 'Ville de Test',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Sign-in in Chromium against the real app, worker, SMTP server and OpenID Connect provider
 * (oidc-provider as ProConnect): an email link captured by the SMTP server, ProConnect end to end,
 * sign-out at the provider, refusals. Every page checked by axe and screenshotted.
 */
describeWithBrowser('sign-in in the browser')('sign-in in the browser', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let browser: Browser;
  let smtp: SmtpCapture;
  let idp: OidcTestProvider;
  let base: string;
  let db: DataSource;
  const saved = { ...process.env };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    smtp = await startSmtpCapture();
    idp = await startOidcTestProvider({
      accounts: [agent],
      clients: [
        {
          client_id: 'librery-test',
          client_secret: 'librery-test-secret-long-enough',
          redirect_uris: [`${base}/auth/proconnect/callback`],
          post_logout_redirect_uris: [`${base}/sign-out/done`],
        },
      ],
    });
    Object.assign(process.env, {
      PUBLIC_BASE_URL: base,
      SMTP_URL: smtp.url,
      MAIL_POLL_MS: '200',
      PROCONNECT_ISSUER: idp.issuer,
      PROCONNECT_CLIENT_ID: 'librery-test',
      PROCONNECT_CLIENT_SECRET: 'librery-test-secret-long-enough',
      OIDC_ALLOW_HTTP: 'true',
    });
    app = await createTestApp();
    await app.listen(port, '127.0.0.1');
    worker = await createTestWorker();
    browser = await launchBrowser();
    db = app.get(DataSource);
    await db.query(
      `INSERT INTO organisations (siret, siren, name) VALUES ($1, $2, 'Ville de Test') ON CONFLICT DO NOTHING`,
      [SIRET, SIRET.slice(0, 9)],
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await app?.close();
    await idp?.stop();
    await smtp?.close();
    process.env = saved;
  });

  const newDonor = async () => {
    const email = `donneur.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
    const user = await app.get(IdentityService).createUser(SYSTEM_PRINCIPAL, {
      email,
      displayName: 'Dominique Leroy',
      roles: [{ role: 'donor', scopeId: '' }],
    });
    return { email, userId: user.id };
  };
  const auditsOf = async (userId: string, action: string) =>
    Number(
      (
        await db.query(`SELECT count(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, [
          action,
          userId,
        ])
      )[0].count,
    );
  const askLink = async (page: Page, email: string) => {
    await page.goto(`${base}/connexion?lang=fr`);
    await page.fill('#f-email', email);
    await submit(page);
  };
  /** Clicks and waits for the page it leads to. */
  const submit = async (page: Page, selector = 'main button[type=submit]') => {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  };
  const poll = async (what: string, read: () => string) => {
    for (let i = 0; i < 100 && !read(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!read()) throw new Error(`timed out waiting for ${what}`);
  };

  it('signs in with an email link received by mail, once, then signs out', async () => {
    const { email, userId } = await newDonor();
    const { page, errors, close } = await openPage(browser);
    await page.goto(`${base}/connexion`);
    expect(await page.locator('h1').innerText()).toBe('Se connecter');
    await checkA11y(page, 'sign-in');
    await screenshot(page, 'sign-in');

    const since = smtp.messages.length;
    await page.fill('#f-email', email);
    await submit(page);
    expect(new URL(page.url()).pathname).toBe('/connexion/verifiez');
    expect(await page.locator('h1').innerText()).toBe('Consultez votre messagerie');
    await checkA11y(page, 'sign-in-check-mail');
    await screenshot(page, 'sign-in-check-mail');

    const mail = await smtp.waitForMail(email, { since });
    expect(mail.subject).toBe('Votre lien de connexion à la Librery');
    const link = extractLink(mail, `${base}/connexion/lien/`);
    await page.goto(link);
    expect(await page.locator('h1').innerText()).toBe('Confirmer la connexion');
    await checkA11y(page, 'sign-in-link-confirm');
    await screenshot(page, 'sign-in-link-confirm');
    await submit(page);
    expect(new URL(page.url()).pathname).toBe('/compte');
    expect(await page.locator('main').innerText()).toContain('Dominique Leroy');
    expect(await page.locator('main').innerText()).toContain('donateur');
    expect(await page.locator('header').innerText()).toContain('Dominique Leroy');
    await checkA11y(page, 'account');
    await screenshot(page, 'account');
    expect(await auditsOf(userId, 'session.sign_in')).toBe(1);

    // The same link again: refused, and it says why.
    const reused = await page.goto(link);
    expect(reused?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toBe('Ce lien a déjà servi');
    await checkA11y(page, 'sign-in-link-used');
    await screenshot(page, 'sign-in-link-used');

    await submit(page, 'header form.signed-in button');
    expect(new URL(page.url()).pathname).toBe('/deconnexion/fin');
    expect(await page.locator('h1').innerText()).toBe('Vous êtes déconnecté');
    await checkA11y(page, 'signed-out');
    await screenshot(page, 'signed-out');
    expect(await auditsOf(userId, 'session.sign_out')).toBe(1);
    await page.goto(`${base}/compte`);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    // Only the refused link's own 410 (and no CSP violation or script error).
    expect(errors.filter((e) => !/status of 410/.test(e))).toEqual([]);
    await close();
  });

  it('refuses an expired link and offers a new one; answers an unknown address the same, without mail', async () => {
    const { email, userId } = await newDonor();
    const { page, close } = await openPage(browser, { locale: 'en-GB' });
    const since = smtp.messages.length;
    await page.goto(`${base}/sign-in?lang=en`);
    await page.fill('#f-email', email);
    await submit(page);
    const link = extractLink(await smtp.waitForMail(email, { since }), `${base}/sign-in/link/`);
    await db.query(
      `UPDATE sign_in_links SET created_at = now() - interval '20 minutes', expires_at = now() - interval '5 minutes'
        WHERE user_id = $1`,
      [userId],
    );
    const expired = await page.goto(link);
    expect(expired?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toBe('This link has expired');
    await checkA11y(page, 'sign-in-link-expired');
    await screenshot(page, 'sign-in-link-expired');
    // Nothing signed in, and the page offers a new link right there.
    expect(await page.locator('header form.signed-in').count()).toBe(0);
    await page.fill('#f-email', email);
    await submit(page);
    expect(new URL(page.url()).pathname).toBe('/sign-in/check-your-email');
    await smtp.waitForMail(email, { since: since + 1 });

    const unknown = `inconnu.${run}@example.test`;
    await askLink(page, unknown);
    expect(new URL(page.url()).pathname).toBe('/connexion/verifiez');
    const queued = (await db.query('SELECT count(*) FROM mail_outbox WHERE recipient = $1', [unknown]))[0];
    expect(Number(queued.count)).toBe(0);

    await page.goto(`${base}/connexion?lang=fr`);
    await page.fill('#f-email', 'pas une adresse');
    await submit(page);
    expect(await page.locator('.error-summary').innerText()).toContain('Saisissez une adresse électronique');
    expect(await page.inputValue('#f-email')).toBe('pas une adresse');
    await checkA11y(page, 'sign-in-invalid-email');
    await close();
  });

  it('signs in through ProConnect end to end, asks an admin for the SIRET, and logs out at the provider', async () => {
    const { page, errors, close } = await openPage(browser, { locale: 'en-GB' });
    await page.goto(`${base}/sign-in?lang=en`);
    await page.locator('main a', { hasText: 'Sign in with ProConnect' }).click();
    await page.waitForURL(/\/interaction\//);
    expect(page.url().startsWith(idp.issuer)).toBe(true);
    await page.fill('#email', agent.email);
    await page.fill('#password', agent.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/account`);
    const main = await page.locator('main').innerText();
    expect(main).toContain('Camille Martin');
    expect(main).toContain('ProConnect');
    expect(main).toContain(`You asked to act for Ville de Test (SIRET ${SIRET})`);
    await checkA11y(page, 'account-proconnect');
    await screenshot(page, 'account-proconnect');
    const [user] = (await db.query('SELECT id FROM users WHERE email = $1', [agent.email])) as {
      id: string;
    }[];
    expect(await auditsOf(user.id, 'session.sign_in')).toBe(1);

    // The admin API lists the request; approving it grants the buyer role for the organisation.
    const admin = await createUserWithToken(app, [{ role: 'admin' }]);
    const listed = await http(app).get('/admin/organisation-access-requests').set(admin.auth).expect(200);
    const request = (listed.body as { id: string; userId: string; organisationId: string }[]).find(
      (r) => r.userId === user.id,
    )!;
    expect(request).toBeDefined();
    await http(app)
      .post(`/admin/organisation-access-requests/${request.id}/approve`)
      .set(admin.auth)
      .expect(200);
    expect((await app.get(IdentityService).getUser(user.id)).roles).toEqual([
      { role: 'buyer', scopeId: request.organisationId },
    ]);
    await page.reload();
    expect(await page.locator('main').innerText()).toContain('public buyer for Ville de Test');

    await submit(page, 'header form.signed-in button');
    await page.waitForURL(/\/session\/end/);
    expect(page.url().startsWith(`${idp.issuer}/session/end`)).toBe(true);
    await page.click('button[name=logout]');
    await page.waitForURL(/\/sign-out\/done/);
    expect(new URL(page.url()).pathname).toBe('/sign-out/done');
    expect(await page.locator('h1').innerText()).toBe('You are signed out');
    await checkA11y(page, 'signed-out-proconnect');
    await screenshot(page, 'signed-out-proconnect');
    expect(await auditsOf(user.id, 'session.sign_out')).toBe(1);
    // No CSP violation or script error (the provider's pages may miss a favicon).
    expect(errors.filter((e) => !/^Failed to load resource/.test(e))).toEqual([]);
    await close();
  });

  it("refuses a callback with another browser's state, and a replayed callback: nothing signed in", async () => {
    // Browser A signs in; its callback URL (code and state) is noted.
    const a = await openPage(browser);
    let callback = '';
    a.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/proconnect/callback') callback = request.url();
    });
    await a.page.goto(`${base}/auth/proconnect/start`);
    await a.page.waitForURL(/\/interaction\//);
    await a.page.fill('#email', agent.email);
    await a.page.fill('#password', agent.password);
    await a.page.click('button[type=submit]');
    await a.page.waitForURL(/\/compte/);
    await poll('the callback', () => callback);
    expect(callback).toContain('code=');
    await a.close();

    // Browser B has started its own sign-in (its state in its session) and receives A's answer,
    // as a forged link would bring it: the state does not match, nothing is signed in.
    const b = await openPage(browser);
    await b.page.goto(`${base}/auth/proconnect/start`);
    await b.page.waitForURL(/\/interaction\//);
    const refused = await b.page.goto(callback);
    expect(refused?.status()).toBe(400);
    expect(await b.page.locator('h1').innerText()).toBe('Connexion refusée');
    await checkA11y(b.page, 'sign-in-refused');
    await screenshot(b.page, 'sign-in-refused');
    // The same answer again (a replay): no sign-in is pending any more, refused again.
    const replayed = await b.page.goto(callback);
    expect(replayed?.status()).toBe(400);
    expect(await b.page.locator('header form.signed-in').count()).toBe(0);
    await b.page.goto(`${base}/compte`);
    expect(new URL(b.page.url()).pathname).toBe('/connexion');
    await b.close();
  });

  it('lists the outbox on the development mail page, and lets the sign-out form reach the provider (CSP)', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(`${base}/dev/mail`);
    expect(await page.locator('h1').innerText()).toBe('Courriels (développement)');
    expect(await page.locator('main').innerText()).toContain('Votre lien de connexion à la Librery');
    await checkA11y(page, 'dev-mail');
    await screenshot(page, 'dev-mail');
    await close();
    const res = await http(app).get('/connexion').set('Accept', 'text/html').expect(200);
    expect(res.headers['content-security-policy']).toContain(new URL(idp.issuer).origin);
  });
});

describe('sign-in pages in production', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('has no development mail page', async () => {
    Object.assign(process.env, { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:9' });
    const app = await createTestApp();
    try {
      await http(app).get('/dev/mail').set('Accept', 'text/html').expect(404);
    } finally {
      await app.close();
    }
  });
});
