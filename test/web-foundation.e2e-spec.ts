import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/identity';
import { WebSessionService } from '@app/web-session';
import { WebSessions } from '../apps/api/src/web/web-sessions.service';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { createTestApp, createUserWithToken, http } from './support/create-test-app';

// Browser tests run slowly on a loaded machine (axe, screenshots).
jest.setTimeout(180_000);

describe('web foundation over HTTP', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('sends a strict Content-Security-Policy and the other security headers on pages', async () => {
    const res = await http(app).get('/').set('Accept', 'text/html').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/form-action 'self' https:\/\/checkout\.stripe\.com/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.text.startsWith('<!doctype html>')).toBe(true);
    expect(res.text).not.toMatch(/<script|<style| style="/);
  });

  it('keeps the JSON API and Swagger UI working', async () => {
    const api = await http(app).get('/public/totals').expect(200);
    expect(api.headers['content-type']).toMatch(/application\/json/);
    const docs = await http(app).get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    const missing = await http(app).get('/public/entries/999999999999').expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('serves the stylesheet as a static file', async () => {
    const css = await http(app).get('/assets/app.css').expect(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.text).toContain('.skip-link');
  });

  it('answers an unknown page with the 404 page for a browser, problem+json for an API client', async () => {
    const page = await http(app).get('/nowhere').set('Accept', 'text/html,*/*;q=0.8').expect(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Page introuvable');
    const api = await http(app).get('/nowhere').expect(404);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('refuses a form posted without the CSRF token or with another one: 403 page, nothing written', async () => {
    const { userId } = await createUserWithToken(app, []);
    const session = await app.get(WebSessionService).signIn(null, userId, 'email-link');
    const cookie = `${app.get(WebSessions).cookieName}=${session.id}`;
    const other = await app.get(WebSessionService).create();
    for (const body of ['', `_csrf=${encodeURIComponent(other.csrfToken)}`, '_csrf=x']) {
      const res = await http(app)
        .post('/deconnexion')
        .set('Cookie', cookie)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(body)
        .expect(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('Formulaire expiré ou invalide');
    }
    // still signed in, no sign-out recorded
    expect((await app.get(WebSessionService).load(session.id))?.user?.id).toBe(userId);
    const audit = await app.get(AuditService).forTarget('user', userId);
    expect(audit.map((a) => a.action)).not.toContain('session.sign_out');
    // without any session at all
    await http(app).post('/deconnexion').type('form').send(`_csrf=${session.csrfToken}`).expect(403);
    // the right token signs out
    await http(app)
      .post('/deconnexion')
      .set('Cookie', cookie)
      .type('form')
      .send(`_csrf=${encodeURIComponent(session.csrfToken)}`)
      .expect(303)
      .expect('Location', '/deconnexion/fin');
    expect(await app.get(WebSessionService).load(session.id)).toBeNull();
  });

  it('remembers the language chosen with ?lang= in a cookie', async () => {
    const res = await http(app).get('/accessibilite?lang=en').expect(200);
    expect(res.headers['content-language']).toBe('en');
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(setCookie.join(';')).toContain('librery_lang=en');
    const again = await http(app).get('/accessibilite').set('Cookie', 'librery_lang=en').expect(200);
    expect(again.text).toContain('<html lang="en">');
    const byHeader = await http(app)
      .get('/accessibilite')
      .set('Accept-Language', 'en-GB,en;q=0.9')
      .expect(200);
    expect(byHeader.text).toContain('<html lang="en">');
  });
});

describeWithBrowser('the web foundation in Chromium')('web foundation in Chromium', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const [lang, locale] of [
    ['fr', 'fr-FR'],
    ['en', 'en-GB'],
  ] as const) {
    it(`home and accessibility statement in ${lang}: axe finds nothing, the CSS loads, no console error`, async () => {
      const { page, errors, close } = await openPage(browser, { locale });
      await page.goto(`${base}/`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      // the stylesheet applied (header background), no CSP violation
      const bg = await page
        .locator('.site-header')
        .evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor as string);
      expect(bg).toBe('rgb(20, 33, 61)');
      await checkA11y(page, `home (${lang})`);
      await screenshot(page, `home-${lang}`);
      await page.click('footer a[href="/accessibilite"]');
      expect(await page.locator('h1').innerText()).toBe(
        lang === 'fr' ? 'Déclaration d’accessibilité' : 'Accessibility statement',
      );
      const text = await page.locator('main').innerText();
      for (const needle of lang === 'fr'
        ? [
            'article 47',
            'non conforme',
            'Défenseur des droits',
            'Environnement de test',
            'Dérogations',
            'Technologies',
          ]
        : [
            'article 47',
            'not compliant',
            'Défenseur des droits',
            'Test environment',
            'Exemptions',
            'Technologies',
          ])
        expect(text).toContain(needle);
      await checkA11y(page, `accessibility statement (${lang})`);
      await screenshot(page, `accessibility-${lang}`);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('is usable at 320 px: no horizontal scroll of the page; skip link first', async () => {
    const { page, close } = await openPage(browser, { width: 320 });
    await page.goto(`${base}/accessibilite`);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('#main');
    await checkA11y(page, 'accessibility statement at 320 px');
    await screenshot(page, 'accessibility-320px');
    await page.goto(`${base}/`);
    await screenshot(page, 'home-320px');
    await close();
  });

  it('shows the 404 page of the design, accessible', async () => {
    const { page, close } = await openPage(browser);
    const res = await page.goto(`${base}/nulle-part`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('Page introuvable');
    await checkA11y(page, '404 page');
    await screenshot(page, 'error-404-fr');
    await close();
  });

  it('signed in: the header names the user; a tampered token gets the 403 page and signs nobody out', async () => {
    const { userId } = await createUserWithToken(app, [{ role: 'donor' }]);
    await app.get(DataSource).query(`UPDATE users SET display_name = 'Ada Lovelace' WHERE id = $1`, [userId]);
    const session = await app.get(WebSessionService).signIn(null, userId, 'email-link');
    const { page, errors, close } = await openPage(browser);
    await page.context().addCookies([
      {
        name: app.get(WebSessions).cookieName,
        value: session.id,
        url: base,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    await page.goto(`${base}/accessibilite`);
    expect(await page.locator('.signed-in__name').innerText()).toContain('Ada Lovelace');
    await checkA11y(page, 'signed-in header');
    await page.locator('form.signed-in input[name="_csrf"]').evaluate((el: any) => {
      el.value = 'tampered';
    });
    await page.click('form.signed-in button[type="submit"]');
    expect(await page.locator('h1').innerText()).toBe('Formulaire expiré ou invalide');
    await checkA11y(page, '403 page');
    await screenshot(page, 'error-403-csrf-fr');
    await page.goto(`${base}/accessibilite`);
    expect(await page.locator('.signed-in__name').innerText()).toContain('Ada Lovelace');
    await page.click('form.signed-in button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe('/deconnexion/fin');
    expect(await page.locator('a.sign-in').count()).toBe(1);
    const actions = (await app.get(AuditService).forTarget('user', userId)).map((a) => a.action);
    expect(actions.filter((a) => a === 'session.sign_out')).toHaveLength(1);
    expect(errors.filter((e) => !e.includes('403'))).toEqual([]);
    await close();
  });
});
