import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (no downloaded browser). */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/**
 * `describe` when chromium is installed, else `describe.skip` with a warning naming what is missing
 * (a machine without a browser skips the browser tests loudly instead of failing them).
 */
export function describeWithBrowser(what: string): jest.Describe {
  if (!haveChromium) {
    console.warn(`SKIPPED: ${what} needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    return describe.skip;
  }
  return describe;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  /** console errors, page errors and CSP violations seen on this page */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (its own cookies). Our pages ship no script, so JavaScript on or off
 * they behave the same; axe needs it on (it runs in the page), so it is on unless
 * `javaScript: false` (use that to prove a journey works without it; `checkA11y` then fails).
 * Console errors (a CSP violation is one) are collected.
 */
export async function openPage(
  browser: Browser,
  options: { locale?: string; javaScript?: boolean; width?: number } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'fr-FR',
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
}

/**
 * Runs axe-core with the WCAG 2.0 and 2.1 A and AA rules and fails on ANY violation, printing
 * each one readably (rule, impact, help, the offending nodes).
 */
export async function checkA11y(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const report = results.violations.map((v) =>
    [
      `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}`,
      `  ${v.helpUrl}`,
      ...v.nodes
        .slice(0, 5)
        .map((n) => `    at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`),
    ].join('\n'),
  );
  if (report.length > 0)
    throw new Error(`axe found ${report.length} violation(s) on ${name}:\n${report.join('\n')}`);
  expect(results.violations).toEqual([]);
}

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
