import { NestExpressApplication } from '@nestjs/platform-express';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFStream,
  PDFString,
} from 'pdf-lib';
import { DataSource } from 'typeorm';
import { XsdValidator } from '@app/billing';
import { sharedPath } from '@app/config';
import { formatCreditorReference, isValidCreditorReference } from '@app/contributions';
import { LedgerService } from '@app/ledger';
import { levy } from '@app/money';
import { camt053, euros } from './support/camt';
import { createTestApp, createUserWithToken, http, uniqueId } from './support/create-test-app';

type Auth = { Authorization: string };
const FUND_IBAN = 'FR7630006000011234567890189';
const CII_XSD = sharedPath(
  'en16931',
  'cii',
  'uncefact',
  'data',
  'standard',
  'CrossIndustryInvoice_100pD16B.xsd',
);

function randomSiret(): string {
  const luhnDigit = (body: string): string => {
    for (let d = 0; d <= 9; d++) {
      const digits = body + d;
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let x = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return String(d);
    }
    throw new Error('unreachable');
  };
  let head =
    String(1 + Math.floor(Math.random() * 8)) + String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
  if (head.startsWith('356')) head = '1' + head.slice(1);
  const siren = head + luhnDigit(head);
  const nicBody = siren + String(Math.floor(Math.random() * 1e4)).padStart(4, '0');
  return nicBody + luhnDigit(nicBody);
}

/** The embedded file, XMP and output intent of a Factur-X PDF, read back with pdf-lib. */
async function inspectPdf(bytes: Buffer) {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const catalog = pdf.catalog;
  const af = catalog.lookup(PDFName.of('AF'), PDFArray);
  const spec = af.lookup(0, PDFDict);
  const ef = spec.lookup(PDFName.of('EF'), PDFDict);
  const file = ef.lookup(PDFName.of('F')) as PDFRawStream;
  const names = catalog.lookup(PDFName.of('Names'), PDFDict).lookup(PDFName.of('EmbeddedFiles'), PDFDict);
  const metadata = catalog.lookup(PDFName.of('Metadata'), PDFStream) as PDFRawStream;
  const intents = catalog.lookup(PDFName.of('OutputIntents'), PDFArray);
  return {
    header: bytes.subarray(0, 8).toString('latin1'),
    fileName: spec.lookup(PDFName.of('F'))?.toString(),
    relationship: spec.lookup(PDFName.of('AFRelationship'))?.toString(),
    subtype: file.dict.lookup(PDFName.of('Subtype'))?.toString(),
    xml: Buffer.from(decodePDFRawStream(file).decode()).toString('utf8'),
    namesListed:
      (names.lookup(PDFName.of('Names'), PDFArray).lookup(0) as PDFString | PDFHexString).decodeText() ===
      'factur-x.xml',
    xmp: Buffer.from(metadata.getContents()).toString('utf8'),
    intent: intents.lookup(0, PDFDict).lookup(PDFName.of('S'))?.toString(),
    trailerId: pdf.context.trailerInfo.ID !== undefined,
    encrypted: pdf.isEncrypted,
  };
}

describe('levies paid for real: payment requests, bank statements, reconciliation', () => {
  let app: NestExpressApplication;
  let db: DataSource;
  let ledger: LedgerService;
  let treasurer: Auth;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.FUND_ACCOUNT_NAME = 'Fonds Librery';
    process.env.FUND_LEGAL_NAME = 'Association Fonds Librery';
    process.env.FUND_IBAN = FUND_IBAN;
    process.env.FUND_BIC = 'AGRIFRPPXXX';
    process.env.FUND_SIRET = '73282932000074';
    process.env.FUND_ADDRESS_LINE = '1 rue du Logiciel Libre';
    process.env.FUND_POSTCODE = '75001';
    process.env.FUND_CITY = 'Paris';
    process.env.BANK_FILE_MAX_BYTES = String(200 * 1024);
    app = await createTestApp();
    db = app.get(DataSource);
    ledger = app.get(LedgerService);
    treasurer = (await createUserWithToken(app, [{ role: 'treasurer' }])).auth;
  });

  afterAll(async () => {
    await app.close();
    process.env = env;
  });

  async function project(): Promise<string> {
    const slug = uniqueId('b')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60);
    const [row] = (await db.query(
      `INSERT INTO projects (slug, name, repository_url, licence, openness_level) VALUES ($1, $1, 'https://example.org/r', 'MIT', 'A') RETURNING id::text`,
      [slug],
    )) as { id: string }[];
    return row.id;
  }

  async function organisation(extra: Record<string, unknown> = {}, name = `Ville ${uniqueId('v')}`) {
    const res = await http(app)
      .post('/organisations')
      .set(treasurer)
      .send({ siret: randomSiret(), name, ...extra })
      .expect(201);
    const buyer = await createUserWithToken(app, [{ role: 'buyer', scopeId: res.body.id }]);
    return { id: res.body.id as string, siret: res.body.siret as string, name, buyer: buyer.auth };
  }

  async function declare(
    org: { id: string; buyer: Auth },
    budget: string,
    directions: { projectId: string; weight: number }[],
  ) {
    const res = await http(app)
      .post(`/organisations/${org.id}/declarations`)
      .set(org.buyer)
      .send({
        projectTitle: 'Portail citoyen',
        budgetExclVat: budget,
        fiscalYear: 2026,
        serviceCode: 'SERV-DSI',
        legalCommitment: '1300012345',
        directions,
      })
      .expect(201);
    const requests = await http(app)
      .get(`/obligations/${res.body.id}/payment-requests`)
      .set(org.buyer)
      .expect(200);
    return { obligation: res.body, request: requests.body[0] };
  }

  const upload = (xml: string, auth: Auth = treasurer) =>
    http(app).post('/bank-statements').set(auth).set('content-type', 'application/xml').send(xml);

  const receiptsOf = async (declarationId: string) =>
    (await db.query(
      'SELECT amount::text, bank_reference FROM bank_receipts WHERE declaration_id = $1 ORDER BY created_at',
      [declarationId],
    )) as { amount: string; bank_reference: string }[];

  it('issues a payment request per obligation, numbered gapless, with a valid RF reference, and refuses a buyer without a required service code', async () => {
    const org = await organisation();
    const p = await project();
    const a = await declare(org, '1000000', [{ projectId: p, weight: 1 }]);
    const b = await declare(org, '2000000', [{ projectId: p, weight: 1 }]);
    expect(a.request).toMatchObject({
      kind: 'invoice',
      amount: levy(1000000n, 200).toString(),
      creditorReference: a.obligation.creditorReference,
      buyer: { siret: org.siret, serviceCode: 'SERV-DSI', legalCommitment: '1300012345' },
      chorus: { status: 'to_deposit' },
    });
    expect(isValidCreditorReference(a.request.creditorReference)).toBe(true);
    const [, year, seqA] = /^LIB-(\d{4})-(\d{6})$/.exec(a.request.number)!;
    const [, , seqB] = /^LIB-(\d{4})-(\d{6})$/.exec(b.request.number)!;
    expect(Number(year)).toBe(new Date().getUTCFullYear());
    expect(Number(seqB)).toBeGreaterThan(Number(seqA));
    // Due after the policy's 30 days.
    const days = (Date.parse(a.obligation.dueDate) - Date.parse(a.request.issueDate)) / 86_400_000;
    expect(days).toBe(30);
    // Numbers of the year are gapless: 1 … n.
    const [gaps] = (await db.query(
      `SELECT count(*)::int AS n, max(seq) AS max, min(seq) AS min FROM payment_requests WHERE year = $1`,
      [Number(year)],
    )) as { n: number; max: number; min: number }[];
    expect(gaps).toEqual({ n: gaps.max, max: gaps.max, min: 1 });

    // Chorus Pro "service obligatoire": no service code → 422 naming the field, and no number used.
    const strict = await organisation({ serviceCodeRequired: true, legalCommitmentRequired: true });
    const refused = await http(app)
      .post(`/organisations/${strict.id}/declarations`)
      .set(strict.buyer)
      .send({
        projectTitle: 'X',
        budgetExclVat: '100000',
        fiscalYear: 2026,
        legalCommitment: '1',
        directions: [],
      })
      .expect(422);
    expect(refused.body).toMatchObject({ code: 'contributions.invalid_input', field: 'serviceCode' });
    const noEj = await http(app)
      .post(`/organisations/${strict.id}/declarations`)
      .set(strict.buyer)
      .send({
        projectTitle: 'X',
        budgetExclVat: '100000',
        fiscalYear: 2026,
        serviceCode: 'S1',
        directions: [],
      })
      .expect(422);
    expect(noEj.body.field).toBe('legalCommitment');
    const [after] = (await db.query(
      `SELECT count(*)::int AS n, max(seq) AS max FROM payment_requests WHERE year = $1`,
      [Number(year)],
    )) as { n: number; max: number }[];
    expect(after).toEqual({ n: gaps.n, max: gaps.max });
  });

  it('gives the buyer and the treasurer the CII XML (valid against the EN 16931 CII XSD) and the Factur-X PDF/A-3; nobody else', async () => {
    const org = await organisation();
    const other = await organisation();
    const p = await project();
    const { request } = await declare(org, '12345678', [{ projectId: p, weight: 1 }]);
    const xml = await http(app)
      .get(`/payment-requests/${request.id}/document.xml`)
      .set(org.buyer)
      .expect(200);
    expect(xml.headers['content-type']).toMatch(/application\/xml/);
    const valid = await app.get(XsdValidator).validate(CII_XSD, xml.text);
    expect(valid).toEqual({ valid: true, errors: [] });
    expect(xml.text).toContain('<ram:ID>urn:cen.eu:en16931:2017</ram:ID>');
    expect(xml.text).toContain(`<ram:GlobalID schemeID="0009">${org.siret}</ram:GlobalID>`);
    expect(xml.text).toContain('<ram:BuyerReference>SERV-DSI</ram:BuyerReference>');
    expect(xml.text).toMatch(/<ram:BuyerOrderReferencedDocument>\s*<ram:IssuerAssignedID>1300012345</);
    expect(xml.text).toContain(`<ram:PaymentReference>${request.creditorReference}</ram:PaymentReference>`);
    expect(xml.text).toContain(`<ram:IBANID>${FUND_IBAN}</ram:IBANID>`);
    expect(xml.text).toContain(
      `<ram:DuePayableAmount>${euros(BigInt(request.amount))}</ram:DuePayableAmount>`,
    );

    const pdf = await http(app)
      .get(`/payment-requests/${request.id}/document.pdf`)
      .set(treasurer)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const seen = await inspectPdf(pdf.body as Buffer);
    expect(seen).toMatchObject({
      header: '%PDF-1.7',
      fileName: '(factur-x.xml)',
      relationship: '/Data',
      subtype: '/text#2Fxml',
      xml: xml.text,
      namesListed: true,
      intent: '/GTS_PDFA1',
      trailerId: true,
      encrypted: false,
    });
    expect(seen.xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(seen.xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(seen.xmp).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    expect(seen.xmp).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(seen.xmp).toContain(
      '<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>',
    );

    await http(app).get(`/payment-requests/${request.id}/document.xml`).set(other.buyer).expect(403);
    await http(app).get(`/payment-requests/${request.id}/document.pdf`).set(other.buyer).expect(403);
    await http(app).get(`/payment-requests/${request.id}`).expect(401);
  });

  it('imports a camt.053: the RF credit is booked once through the receipt path with its split; re-uploading books nothing; the rest waits for a person', async () => {
    const org = await organisation({}, 'Commune de Reconciliation');
    const p = await project();
    const one = await declare(org, '5000000', [{ projectId: p, weight: 1 }]); // levy 1 000.00
    const two = await declare(org, '2500000', [{ projectId: p, weight: 1 }]); // levy 500.00
    const three = await declare(org, '1500000', [{ projectId: p, weight: 1 }]); // levy 300.00
    const due1 = BigInt(one.obligation.amountDue);
    const due2 = BigInt(two.obligation.amountDue);
    const tag = uniqueId('s')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-12);
    const statement = camt053({
      iban: FUND_IBAN,
      id: `STMT-${tag}`,
      opening: '0.00',
      entries: [
        {
          ref: `${tag}-01`,
          amount: euros(due1),
          dir: 'CRDT',
          rf: one.obligation.creditorReference,
          debtor: 'DRFIP PARIS',
        },
        { ref: `${tag}-02`, amount: '10.00', dir: 'CRDT', rf: 'RF98123456789012', debtor: 'PAYERS NAME2' },
        { ref: `${tag}-03`, amount: '300.00', dir: 'CRDT', batch: { declared: 3, details: 1 } },
        { ref: `${tag}-04`, amount: '4.50', dir: 'DBIT', family: 'CHRG', subFamily: 'CHRG' },
        {
          ref: `${tag}-05`,
          amount: '200.00',
          dir: 'CRDT',
          ustrd: `Mandat 4512 facture ${two.request.number}`,
          debtor: 'TRESOR PUBLIC',
        },
        { ref: `${tag}-06`, amount: '25.00', dir: 'DBIT' },
      ],
    });
    const first = await upload(statement).expect(201);
    expect(first.body).toMatchObject({
      messageName: 'camt.053.001.08',
      entriesRead: 6,
      linesNew: 6,
      linesAlreadyImported: 0,
      receiptsBooked: 1,
      states: { matched: 1, unmatched: 1, needs_split: 1, fee: 1, proposed: 1, debit: 1 },
    });
    // Booked once, through the receipt path: one receipt, one ledger entry with the split.
    const receipts = await receiptsOf(one.obligation.id);
    expect(receipts).toEqual([{ amount: due1.toString(), bank_reference: `camt:${FUND_IBAN}:${tag}-01` }]);
    const entry = await ledger.findByIdempotencyKey(`contribution:receipt:camt:${FUND_IBAN}:${tag}-01`);
    expect(entry?.kind).toBe('contribution.levy');
    const credits = entry!.postings.filter((x) => x.direction === 'credit');
    expect(credits.map((x) => x.account).sort()).toEqual(
      [`liability:pool:eur`, `liability:project:${p}:directed:eur`].sort(),
    );
    expect(credits.reduce((s, x) => s + x.amount, 0n)).toBe(due1);
    const obligation = await http(app).get(`/obligations/${one.obligation.id}`).set(org.buyer).expect(200);
    expect(obligation.body.status).toBe('paid');
    // The split is on the public ledger.
    const publicEntry = await http(app).get(`/public/entries/${entry!.id}`).expect(200);
    expect(JSON.stringify(publicEntry.body)).toContain(`liability:project:${p}:directed:eur`);

    // The same statement again: nothing new, nothing booked twice.
    const again = await upload(statement).expect(201);
    expect(again.body).toMatchObject({ linesNew: 0, linesAlreadyImported: 6, receiptsBooked: 0 });
    expect(await receiptsOf(one.obligation.id)).toHaveLength(1);

    // What waits for a person.
    const lines = await http(app)
      .get('/bank-statements/lines?state=unmatched,proposed,needs_split,fee,debit')
      .set(treasurer)
      .expect(200);
    const line = (ref: string) => lines.body.find((l: { bankReference: string }) => l.bankReference === ref);
    expect(line(`${tag}-02`)).toMatchObject({
      state: 'unmatched',
      referenceValid: false,
      reason: expect.stringContaining('fails the ISO 11649 check'),
    });
    expect(line(`${tag}-03`)).toMatchObject({ state: 'needs_split', batchDeclared: 3, batchPresent: 1 });
    expect(line(`${tag}-04`)).toMatchObject({ state: 'fee', direction: 'debit' });
    expect(line(`${tag}-06`)).toMatchObject({ state: 'debit' });
    const proposed = line(`${tag}-05`);
    expect(proposed).toMatchObject({ state: 'proposed', ageDays: expect.any(Number) });
    expect(proposed.candidates[0]).toMatchObject({
      declarationId: two.obligation.id,
      reasons: [`payment request ${two.request.number} in the remittance text`],
    });
    const fee = await ledger.findByIdempotencyKey(`bank-fee:${line(`${tag}-04`).id}`);
    expect(fee?.postings.map((x) => [x.account, x.direction, x.amount])).toEqual(
      expect.arrayContaining([
        ['expense:bank-fees:eur', 'debit', 450n],
        ['asset:bank:eur', 'credit', 450n],
      ]),
    );

    // A person confirms: the proposal (partial: 200.00 of 500.00) and a debit (refused: never a receipt).
    const confirmed = await http(app)
      .post('/bank-statements/matches')
      .set(treasurer)
      .send({
        matches: [
          { lineId: proposed.id, declarationId: two.obligation.id },
          { lineId: line(`${tag}-06`).id, declarationId: two.obligation.id },
        ],
      })
      .expect(200);
    expect(confirmed.body[0]).toMatchObject({
      ok: true,
      line: { state: 'matched', receiptAmount: '20000', suspenseAmount: '0' },
    });
    expect(confirmed.body[1]).toMatchObject({ ok: false, error: { code: 'billing.line_not_confirmable' } });
    const partly = await http(app).get(`/obligations/${two.obligation.id}`).set(org.buyer).expect(200);
    expect(partly.body).toMatchObject({
      status: 'partly_paid',
      amountPaid: '20000',
      outstanding: (due2 - 20000n).toString(),
    });
    // Confirming it again: 409 in the per-line answer, nothing booked.
    const twice = await http(app)
      .post('/bank-statements/matches')
      .set(treasurer)
      .send({ matches: [{ lineId: proposed.id, declarationId: two.obligation.id }] })
      .expect(200);
    expect(twice.body[0]).toMatchObject({ ok: false, error: { code: 'billing.line_not_confirmable' } });
    expect(await receiptsOf(two.obligation.id)).toHaveLength(1);

    // An overlapping statement: the first credit again (skipped), a second payment for the paid
    // obligation (suspense, not a second receipt), an overpayment of the second (partial + suspense).
    const overlap = camt053({
      iban: FUND_IBAN,
      id: `STMT2-${tag}`,
      opening: '0.00',
      entries: [
        { ref: `${tag}-01`, amount: euros(due1), dir: 'CRDT', rf: one.obligation.creditorReference },
        { ref: `${tag}-07`, amount: '50.00', dir: 'CRDT', rf: one.obligation.creditorReference },
        { ref: `${tag}-08`, amount: euros(due2), dir: 'CRDT', rf: two.obligation.creditorReference },
      ],
    });
    const second = await upload(overlap).expect(201);
    expect(second.body).toMatchObject({ linesNew: 2, linesAlreadyImported: 1 });
    expect(second.body.states).toEqual({ suspense: 1, matched: 1 });
    expect(await receiptsOf(one.obligation.id)).toHaveLength(1);
    const paid2 = await http(app).get(`/obligations/${two.obligation.id}`).set(org.buyer).expect(200);
    expect(paid2.body.status).toBe('paid');
    const suspense = await http(app).get('/bank-suspense?state=open').set(treasurer).expect(200);
    const mine = suspense.body.filter((s: { declarationId: string }) =>
      [one.obligation.id, two.obligation.id].includes(s.declarationId),
    );
    expect(mine.map((s: { amount: string; reason: string }) => [s.amount, s.reason]).sort()).toEqual(
      [
        ['20000', 'overpayment'],
        ['5000', 'obligation_already_paid'],
      ].sort(),
    );
    const suspenseBalance = (await ledger.balances(['liability:suspense:eur'])).get(
      'liability:suspense:eur',
    )!.balance;
    expect(suspenseBalance).toBeGreaterThanOrEqual(25000n);

    // Resolved by a person: one allocated to the third obligation (through the receipt path), one refunded; twice: 409.
    const over = mine.find((s: { reason: string }) => s.reason === 'overpayment');
    const already = mine.find((s: { reason: string }) => s.reason === 'obligation_already_paid');
    const allocated = await http(app)
      .post(`/bank-suspense/${over.id}/resolution`)
      .set(treasurer)
      .send({ action: 'allocate', declarationId: three.obligation.id })
      .expect(200);
    expect(allocated.body).toMatchObject({ state: 'allocated', declarationId: three.obligation.id });
    expect(await receiptsOf(three.obligation.id)).toEqual([
      { amount: '20000', bank_reference: `suspense:${over.id}` },
    ]);
    await http(app)
      .post(`/bank-suspense/${already.id}/resolution`)
      .set(treasurer)
      .send({ action: 'refund', note: 'virement retour' })
      .expect(200);
    const again2 = await http(app)
      .post(`/bank-suspense/${already.id}/resolution`)
      .set(treasurer)
      .send({ action: 'refund' })
      .expect(409);
    expect(again2.body.code).toBe('billing.suspense_resolved');

    // The reconciliation shows the bank's closing balance against the ledger's bank account.
    const rec = await http(app).get('/reconciliation').set(treasurer).expect(200);
    const bank = (await ledger.balances(['asset:bank:eur'])).get('asset:bank:eur')!.balance;
    expect(rec.body.ledgerBankBalance).toBe(bank.toString());
    expect(BigInt(rec.body.difference)).toBe(BigInt(rec.body.bank.closingBalance) - bank);
    expect(rec.body.states.needs_split.count).toBeGreaterThanOrEqual(1);
  });

  it('refuses a statement for another account or currency, not camt, failing its schema, unbalanced or too large: nothing stored', async () => {
    const count = async () =>
      ((await db.query('SELECT count(*)::int AS n FROM bank_statement_lines')) as { n: number }[])[0].n;
    const before = await count();
    const entry = { ref: uniqueId('x'), amount: '10.00', dir: 'CRDT' as const };
    const other = await upload(
      camt053({ iban: 'NL91ABNA0417164300', id: 'S-OTHER', opening: '0.00', entries: [entry] }),
    ).expect(422);
    expect(other.body).toMatchObject({ code: 'billing.wrong_account' });
    expect(other.body.detail).toContain('NL91ABNA0417164300');
    const chf = await upload(
      camt053({ iban: FUND_IBAN, id: 'S-CHF', opening: '0.00', currency: 'CHF', entries: [entry] }),
    ).expect(422);
    expect(chf.body.code).toBe('billing.wrong_currency');
    const notCamt = await upload('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>').expect(
      422,
    );
    expect(notCamt.body.code).toBe('billing.not_camt');
    await upload('hello').expect(422);
    const broken = camt053({ iban: FUND_IBAN, id: 'S-BAD', opening: '0.00', entries: [entry] }).replace(
      /<CdtDbtInd>CRDT<\/CdtDbtInd>\s*<Sts>/,
      '<Sts>',
    );
    const xsd = await upload(broken).expect(422);
    expect(xsd.body).toMatchObject({ code: 'billing.invalid_bank_file' });
    expect(xsd.body.detail).toContain('schema');
    const unbalanced = camt053({ iban: FUND_IBAN, id: 'S-UNB', opening: '0.00', entries: [entry] }).replace(
      /<Cd>CLBD<\/Cd><\/CdOrPrtry><\/Tp><Amt Ccy="EUR">10.00</,
      '<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">11.00<',
    );
    const unb = await upload(unbalanced).expect(422);
    expect(unb.body.detail).toContain('does not reconcile');
    const huge = camt053({ iban: FUND_IBAN, id: 'S-BIG', opening: '0.00', entries: [entry] }).replace(
      '<Stmt>',
      `<!-- ${'x'.repeat(210 * 1024)} --><Stmt>`,
    );
    await upload(huge).expect(413);
    const buyer = (await organisation()).buyer;
    await upload(
      camt053({ iban: FUND_IBAN, id: 'S-BUYER', opening: '0.00', entries: [entry] }),
      buyer,
    ).expect(403);
    expect(await count()).toBe(before);
  });

  it('exports the requests to deposit in Chorus Pro and follows their status; lists overdue obligations with interest', async () => {
    const org = await organisation();
    const p = await project();
    const { request, obligation } = await declare(org, '4000000', [{ projectId: p, weight: 1 }]);
    const manifest = await http(app)
      .post('/chorus-deposits')
      .set(treasurer)
      .send({ ids: [request.id] })
      .expect(201);
    expect(manifest.body).toMatchObject({
      format: 'Factur-X 1.0 EN 16931 (CII D16B)',
      invoices: [
        {
          number: request.number,
          buyerSiret: org.siret,
          serviceCode: 'SERV-DSI',
          legalCommitment: '1300012345',
          files: [
            { name: `${request.number}.pdf`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
            { name: `${request.number}-factur-x.xml`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          ],
        },
      ],
    });
    await http(app)
      .post('/chorus-deposits')
      .set(treasurer)
      .send({ ids: [request.id] })
      .expect(422);
    const rejected = await http(app)
      .post(`/payment-requests/${request.id}/chorus-status`)
      .set(treasurer)
      .send({ status: 'rejected', reason: 'G2.11 code service inconnu' })
      .expect(200);
    expect(rejected.body.chorus).toMatchObject({
      status: 'rejected',
      reason: 'G2.11 code service inconnu',
      depositId: manifest.body.depositId,
    });
    const noReason = await http(app)
      .post(`/payment-requests/${request.id}/chorus-status`)
      .set(treasurer)
      .send({ status: 'rejected' })
      .expect(422);
    expect(noReason.body.field).toBe('reason');
    await http(app)
      .post(`/payment-requests/${request.id}/chorus-status`)
      .set(treasurer)
      .send({ status: 'deposited' })
      .expect(200);
    const deposits = await http(app).get('/chorus-deposits').set(treasurer).expect(200);
    expect(deposits.body.some((d: { id: string }) => d.id === manifest.body.depositId)).toBe(true);

    // Overdue: due 45 days ago → interest at (ECB + 8 points) of the half-year after the due date, and 40 €.
    await db.query(`UPDATE levy_declarations SET due_date = DATE '2025-06-30' WHERE id = $1`, [
      obligation.id,
    ]);
    const overdue = await http(app).get('/overdue-obligations?asOf=2025-08-14').set(treasurer).expect(200);
    const mine = overdue.body.find((o: { declarationId: string }) => o.declarationId === obligation.id);
    const outstanding = BigInt(obligation.amountDue);
    const numerator = outstanding * 1015n * 45n;
    const expected = (numerator * 2n + 3_650_000n) / 7_300_000n;
    expect(mine).toMatchObject({
      paymentRequestNumber: request.number,
      dueDate: '2025-06-30',
      latePayment: {
        daysLate: 45,
        halfYear: '2025-H2',
        rateBps: 1015,
        interest: expected.toString(),
        indemnity: '4000',
        rule: 'fr-ccp-r2192-31-v1',
        charged: false,
      },
    });
    const buyerTry = await http(app).get('/overdue-obligations').set(org.buyer).expect(403);
    expect(buyerTry.body.status).toBe(403);
  });

  it('mails the buyers through the outbox: request issued, overdue notice, receipt acknowledged — each once', async () => {
    const org = await organisation();
    const p = await project();
    const { request, obligation } = await declare(org, '1000000', [{ projectId: p, weight: 1 }]);
    const [buyer] = (await db.query(
      `SELECT u.id::text, u.email FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.role = 'buyer' AND g.scope_id = $1`,
      [org.id],
    )) as { id: string; email: string }[];
    await db.query(`UPDATE levy_declarations SET due_date = current_date - 3 WHERE id = $1`, [obligation.id]);
    await db.query(`UPDATE payment_requests SET due_date = current_date - 3 WHERE id = $1`, [request.id]);
    const tag = uniqueId('m')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-12);
    await upload(
      camt053({
        iban: FUND_IBAN,
        id: `MAIL-${tag}`,
        opening: '0.00',
        entries: [{ ref: `${tag}-1`, amount: '50.00', dir: 'CRDT', ustrd: `facture ${request.number}` }],
      }),
    ).expect(201);
    const [line] = (await db.query(`SELECT id::text FROM bank_statement_lines WHERE line_key = $1`, [
      `${tag}-1`,
    ])) as {
      id: string;
    }[];
    await http(app)
      .post('/bank-statements/matches')
      .set(treasurer)
      .send({ matches: [{ lineId: line.id, declarationId: obligation.id }] })
      .expect(200);
    await http(app).post('/billing-reminders').set(treasurer).expect(200);
    const mails = (await db.query(
      `SELECT dedupe_key, recipient, subject, text_body FROM mail_outbox WHERE dedupe_key LIKE 'billing:%' AND recipient = $1 ORDER BY dedupe_key`,
      [buyer.email],
    )) as { dedupe_key: string; recipient: string; subject: string; text_body: string }[];
    expect(mails.map((m) => m.dedupe_key).sort()).toEqual(
      [
        `billing:issued:${request.id}:${buyer.id}`,
        `billing:overdue:${request.id}:${buyer.id}`,
        `billing:receipt:${line.id}:${buyer.id}`,
      ].sort(),
    );
    const issued = mails.find((m) => m.dedupe_key.startsWith('billing:issued'))!;
    expect(issued.subject).toBe(`Demande de paiement ${request.number} / Payment request ${request.number}`);
    expect(issued.text_body).toContain(formatCreditorReference(request.creditorReference));
    expect(issued.text_body).toContain(`/paiement/${request.id}`);
    expect(mails.find((m) => m.dedupe_key.startsWith('billing:receipt'))!.text_body).toContain('50.00 EUR');
    // Again: nothing more for this buyer.
    await http(app).post('/billing-reminders').set(treasurer).expect(200);
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM mail_outbox WHERE dedupe_key LIKE 'billing:%' AND recipient = $1`,
      [buyer.email],
    )) as { n: number }[];
    expect(n).toBe(3);
    await http(app).post('/billing-reminders').set(org.buyer).expect(403);
  });
});
