import { NestExpressApplication } from '@nestjs/platform-express';
import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { XsdValidator } from '@app/billing';
import { sharedPath } from '@app/config';
import { formatCreditorReference } from '@app/contributions';
import { LedgerService } from '@app/ledger';
import { WebSessionService } from '@app/web-session';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { WebSessions } from '../apps/api/src/web/web-sessions.service';
import { checkA11y, describeWithBrowser, launchBrowser, openPage, screenshot } from './support/browser';
import { camt053, euros } from './support/camt';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

jest.setTimeout(180_000);

const FUND_IBAN = 'FR7630006000011234567890189';
const CII_XSD = sharedPath(
  'en16931',
  'cii',
  'uncefact',
  'data',
  'standard',
  'CrossIndustryInvoice_100pD16B.xsd',
);

/**
 * The whole loop in a browser: a declaration → the buyer's payment request page, its XML
 * (XSD-valid) and Factur-X PDF (PDF/A-3 with the XML attached) downloaded → a camt.053 built with
 * that reference uploaded → the receipt booked once, split in the public ledger → the same
 * statement again books nothing → the treasurer's reconciliation page. axe on every page, fr/en.
 */
describeWithBrowser('billing pages in a browser')('payment request and reconciliation pages', () => {
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.FUND_ACCOUNT_NAME = 'Fonds Librery';
    process.env.FUND_IBAN = FUND_IBAN;
    process.env.FUND_BIC = 'AGRIFRPPXXX';
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app.close();
    process.env = env;
  });

  async function signedIn(userId: string, locale = 'fr-FR') {
    const session = await app.get(WebSessionService).signIn(null, userId, 'email-link');
    const opened = await openPage(browser, { locale });
    await opened.page.context().addCookies([
      {
        name: app.get(WebSessions).cookieName,
        value: session.id,
        url: base,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    return opened;
  }

  it('declaration → payment request downloaded and valid → statement uploaded → booked once, split in public; pages pass axe', async () => {
    const db = app.get(DataSource);
    const treasurer = await createUserWithToken(app, [{ role: 'treasurer' }]);
    // A SIRET of the same SIREN with a random NIC, its Luhn key computed.
    const luhn = (body: string) => {
      for (let d = 0; d <= 9; d++) {
        const digits = body + d;
        let sum = 0;
        for (let i = 0; i < digits.length; i++) {
          let x = Number(digits[digits.length - 1 - i]);
          if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
          sum += x;
        }
        if (sum % 10 === 0) return digits;
      }
      throw new Error('unreachable');
    };
    const created = await http(app)
      .post('/organisations')
      .set(treasurer.auth)
      .send({
        siret: luhn('130025265' + String(Math.floor(Math.random() * 1e4)).padStart(4, '0')),
        name: 'Ville de Navigateur',
      })
      .expect(201);
    const organisationId: string = created.body.id;
    const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: organisationId }]);
    const slug = uniqueId('pg')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [project] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, $1, 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    const declared = await http(app)
      .post(`/organisations/${organisationId}/declarations`)
      .set(buyer.auth)
      .send({
        projectTitle: 'Portail',
        budgetExclVat: '3000000',
        fiscalYear: 2026,
        serviceCode: 'DSI',
        directions: [{ projectId: project.id, weight: 1 }],
      })
      .expect(201);
    const [request] = (
      await http(app).get(`/obligations/${declared.body.id}/payment-requests`).set(buyer.auth).expect(200)
    ).body;

    // The buyer's page, in French then English; the documents downloaded from it.
    const { page, errors, close } = await signedIn(buyer.userId);
    await page.goto(`${base}/paiement/${request.id}`);
    expect(await page.locator('h1').innerText()).toContain(request.number);
    expect(await page.locator('.reference').innerText()).toBe(
      formatCreditorReference(request.creditorReference),
    );
    await checkA11y(page, 'payment request (fr)');
    await screenshot(page, 'payment-request-fr');
    const pdfHref = await page.locator('a[href$="facture.pdf"]').getAttribute('href');
    const xmlHref = await page.locator('a[href$="facture.xml"]').getAttribute('href');
    const xml = await (await page.request.get(`${base}${xmlHref}`)).text();
    expect(await app.get(XsdValidator).validate(CII_XSD, xml)).toEqual({ valid: true, errors: [] });
    const pdfBytes = await (await page.request.get(`${base}${pdfHref}`)).body();
    const pdf = await PDFDocument.load(pdfBytes, { updateMetadata: false });
    const spec = pdf.catalog.lookup(PDFName.of('AF'), PDFArray).lookup(0, PDFDict);
    const embedded = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F')) as PDFRawStream;
    expect(Buffer.from(decodePDFRawStream(embedded).decode()).toString('utf8')).toBe(xml);
    const xmp = Buffer.from(
      (pdf.catalog.lookup(PDFName.of('Metadata')) as PDFRawStream).getContents(),
    ).toString('utf8');
    expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    await page.goto(`${base}/payment-request/${request.id}?lang=en`);
    expect(await page.locator('h1').innerText()).toContain('Payment request');
    await checkA11y(page, 'payment request (en)');
    await screenshot(page, 'payment-request-en');
    expect(errors).toEqual([]);
    await close();

    // Another buyer: the 403 page.
    const stranger = await createUserWithToken(app, [
      { role: 'buyer', scopeId: '00000000-0000-4000-8000-000000000000' },
    ]);
    const other = await signedIn(stranger.userId);
    const refused = await other.page.goto(`${base}/paiement/${request.id}`);
    expect(refused?.status()).toBe(403);
    await other.close();

    // The bank's statement with the reference: booked once, the split in the public ledger; again: nothing.
    const tag = uniqueId('w')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-12);
    const statement = camt053({
      iban: FUND_IBAN,
      id: `WEB-${tag}`,
      opening: '0.00',
      entries: [
        {
          ref: `${tag}-1`,
          amount: euros(BigInt(request.amount)),
          dir: 'CRDT',
          rf: request.creditorReference,
          debtor: 'DRFIP',
        },
        { ref: `${tag}-2`, amount: '12.34', dir: 'CRDT', ustrd: `facture ${request.number}` },
      ],
    });
    const upload = () =>
      http(app)
        .post('/bank-statements')
        .set(treasurer.auth)
        .set('content-type', 'application/xml')
        .send(statement);
    expect((await upload().expect(201)).body).toMatchObject({ receiptsBooked: 1, linesNew: 2 });
    expect((await upload().expect(201)).body).toMatchObject({ receiptsBooked: 0, linesNew: 0 });
    const receipts = (await db.query(
      'SELECT count(*)::int AS n FROM bank_receipts WHERE declaration_id = $1',
      [declared.body.id],
    )) as {
      n: number;
    }[];
    expect(receipts[0].n).toBe(1);
    const entry = await app
      .get(LedgerService)
      .findByIdempotencyKey(`contribution:receipt:camt:${FUND_IBAN}:${tag}-1`);
    const published = await http(app).get(`/public/entries/${entry!.id}`).expect(200);
    expect(JSON.stringify(published.body)).toContain(`liability:project:${project.id}:directed:eur`);

    // The treasurer's reconciliation page, fr and en.
    const t = await signedIn(treasurer.userId);
    await t.page.goto(`${base}/tresorerie`);
    expect(await t.page.locator('h1').innerText()).toContain('rapprochement');
    expect(await t.page.locator('body').innerText()).toContain(`${tag}-2`);
    await checkA11y(t.page, 'treasury (fr)');
    await screenshot(t.page, 'treasury-reconciliation-fr');
    await t.page.goto(`${base}/treasury?lang=en`);
    await checkA11y(t.page, 'treasury (en)');
    await screenshot(t.page, 'treasury-reconciliation-en');
    expect(t.errors).toEqual([]);
    await t.close();
    // The buyer may not see the treasury.
    const b = await signedIn(buyer.userId);
    expect((await b.page.goto(`${base}/tresorerie`))?.status()).toBe(403);
    await b.close();
  });
});
