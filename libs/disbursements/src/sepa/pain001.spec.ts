import fc from 'fast-check';
import { sharedPath } from '@app/config';
import { DisbursementsError } from '../disbursements.errors';
import { buildPain001, SEPA_MAX_AMOUNT } from './pain001';
import { SepaBatch } from './pain001.types';
import { SEPA_TEXT, toSepaText } from './sepa-text';
import { validateAgainstXsd } from './xsd-validation';

const XSD = sharedPath('iso20022', 'pain.001.001.09.xsd');
const IBANS = [
  'DE89370400440532013000',
  'NL91ABNA0417164300',
  'FR1420041010050500013M02606',
  'GB82WEST12345698765432',
];

function batch(overrides: Partial<SepaBatch> = {}): SepaBatch {
  return {
    messageId: 'RUN-2026-11-01-B1',
    paymentInfoId: 'RUN-2026-11-01-B1-P',
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    requestedExecutionDate: '2026-11-23',
    currency: 'EUR',
    debtor: { name: 'Fonds Librery', iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPXXX' },
    payments: [
      {
        endToEndId: 'PO-1',
        amount: 123456n,
        creditor: { name: 'Projet Élan', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
        remittance: 'Librery payout run 1',
      },
      {
        endToEndId: 'PO-2',
        amount: 5n,
        creditor: { name: 'Straße & Søn', iban: 'NL91ABNA0417164300' },
        remittance: 'Librery payout run 1',
      },
    ],
    ...overrides,
  };
}

/** The figures the file declares, read back from the XML text. */
function header(xml: string): { nb: string[]; sums: string[]; amounts: string[] } {
  const all = (tag: string) =>
    [...xml.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
  return { nb: all('NbOfTxs'), sums: all('CtrlSum'), amounts: all('InstdAmt') };
}

const centsOf = (text: string): bigint => {
  const [units, fraction] = text.split('.');
  expect(fraction).toHaveLength(2);
  return BigInt(units) * 100n + BigInt(fraction);
};

describe('buildPain001 (pain.001.001.09)', () => {
  it('writes a file the ISO 20022 schema accepts, with header figures equal to the batch', () => {
    const sut = buildPain001(batch());
    expect(validateAgainstXsd(XSD, [sut.xml])).toEqual([{ valid: true, errors: [] }]);
    expect(sut.numberOfTransactions).toBe(2);
    expect(sut.controlSum).toBe(123461n);
    expect(sut.controlSumText).toBe('1234.61');
    expect(header(sut.xml)).toEqual({
      nb: ['2', '2'],
      sums: ['1234.61', '1234.61'],
      amounts: ['1234.56', '0.05'],
    });
    expect(sut.xml).toContain('<Nm>Projet Elan</Nm>');
    expect(sut.xml).toContain('<Nm>Strasse + Son</Nm>');
    expect(sut.xml).toContain('<BICFI>PSSTFRPPXXX</BICFI>');
  });

  it('says NOTPROVIDED for a debtor without BIC and omits the creditor agent', () => {
    const sut = buildPain001(batch({ debtor: { name: 'Fonds', iban: 'FR1420041010050500013M02606' } }));
    expect(sut.xml).toContain('<Id>NOTPROVIDED</Id>');
    expect(validateAgainstXsd(XSD, [sut.xml])[0].valid).toBe(true);
  });

  it('the schema check can fail: a tampered file is rejected', () => {
    const xml = buildPain001(batch()).xml.replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>XXX</PmtMtd>');
    expect(validateAgainstXsd(XSD, [xml])[0].valid).toBe(false);
  });

  it.each([
    ['a non-EUR currency', { currency: 'USD' }],
    ['no payments', { payments: [] }],
    ['a too long message id', { messageId: 'X'.repeat(36) }],
    ['an id with "//"', { paymentInfoId: 'A//B' }],
    ['a bad execution date', { requestedExecutionDate: '23/11/2026' }],
    ['an invalid debtor IBAN', { debtor: { name: 'F', iban: 'DE89370400440532013001' } }],
    ['a non-SEPA IBAN country', { debtor: { name: 'F', iban: 'BR1500000000000010932840814P2' } }],
    ['an invalid BIC', { debtor: { name: 'F', iban: 'DE89370400440532013000', bic: 'NOPE' } }],
  ] as const)('rejects %s', (_name, overrides) => {
    expect(() => buildPain001(batch(overrides as Partial<SepaBatch>))).toThrow(DisbursementsError);
  });

  it.each([
    ['a zero amount', 0n],
    ['an amount above 999,999,999.99', SEPA_MAX_AMOUNT + 1n],
  ])('rejects %s', (_name, amount) => {
    const b = batch();
    expect(() => buildPain001({ ...b, payments: [{ ...b.payments[0], amount }] })).toThrow(
      DisbursementsError,
    );
  });

  it('rejects duplicate EndToEndIds and a name with nothing left in the SEPA set', () => {
    const b = batch();
    expect(() => buildPain001({ ...b, payments: [b.payments[0], b.payments[0]] })).toThrow(
      DisbursementsError,
    );
    expect(() =>
      buildPain001({
        ...b,
        payments: [{ ...b.payments[0], creditor: { ...b.payments[0].creditor, name: '   ' } }],
      }),
    ).toThrow(DisbursementsError);
  });

  it('property: NbOfTxs and CtrlSum equal the batch, every amount is exact, and the schema accepts the file', () => {
    const paymentArb = fc.record({
      amount: fc.bigInt({ min: 1n, max: SEPA_MAX_AMOUNT }),
      name: fc.string({ unit: 'binary', minLength: 1, maxLength: 90 }),
      remittance: fc.string({ unit: 'grapheme', maxLength: 200 }),
      iban: fc.constantFrom(...IBANS),
      bic: fc.option(fc.constantFrom('COBADEFFXXX', 'ABNANL2A', 'DEUTDEFF500'), { nil: undefined }),
    });
    const files: string[] = [];
    fc.assert(
      fc.property(fc.array(paymentArb, { minLength: 1, maxLength: 40 }), (rows) => {
        const payments = rows.map((r, i) => ({
          endToEndId: `PO-${i + 1}`,
          amount: r.amount,
          creditor: { name: `P ${r.name}`, iban: r.iban, bic: r.bic },
          remittance: r.remittance,
        }));
        const sut = buildPain001(batch({ payments }));
        const expectedSum = rows.reduce((s, r) => s + r.amount, 0n);
        const h = header(sut.xml);
        expect(h.nb).toEqual([String(rows.length), String(rows.length)]);
        expect(h.sums.map(centsOf)).toEqual([expectedSum, expectedSum]);
        expect(h.amounts.map(centsOf)).toEqual(rows.map((r) => r.amount));
        expect(sut.controlSum).toBe(expectedSum);
        files.push(sut.xml);
      }),
      { numRuns: 60 },
    );
    const results = validateAgainstXsd(XSD, files);
    expect(results.filter((r) => !r.valid)).toEqual([]);
  });
});

describe('toSepaText', () => {
  it.each([
    ['Café Müller', 'Cafe Muller'],
    ['Łódź Œuvre Æsir', 'Lodz OEuvre AEsir'],
    ['Αθήνα', 'Athina'],
    ['Москва Щука', 'Moskva Shchuka'],
    ['Tom & Jerry <b>', 'Tom + Jerry (b)'],
    ['東京', '..'],
    ['  many   spaces\t\nhere ', 'many spaces here'],
  ])('%s → %s', (input, expected) => {
    expect(toSepaText(input, 70)).toBe(expected);
  });

  it('property: output is in the SEPA set and within the length limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 1, max: 140 }),
        (s, max) => {
          const out = toSepaText(s, max);
          expect(SEPA_TEXT.test(out)).toBe(true);
          expect(out.length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
