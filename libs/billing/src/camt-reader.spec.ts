import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedPath } from '@app/config';
import { BillingError, BillingErrorCode } from './billing.errors';
import { CamtReader, toMinorUnits } from './camt-reader';
import { CamtEntry } from './camt.types';
import { FallbackKeys, linesOfEntry } from './statement-lines';

interface ExpectedEntry {
  ref: string | null;
  dir: 'credit' | 'debit';
  amount: string;
  currency?: string;
  code: string;
  batch: number | null;
  details: number;
  splittable?: boolean;
  detailAmounts?: string[];
  detailUstrd?: string[];
  charges?: string;
  ustrd?: string;
  strd?: string[];
  rfValid?: boolean | null;
  endToEndId?: string;
  party?: string;
  bookingDate?: string;
  valueDate?: string;
}
interface ExpectedFile {
  message: string;
  messageId: string;
  reports: { id: string; account: string; currency: string | null; opening?: string; closing?: string }[];
  entries: ExpectedEntry[];
}

const expected = JSON.parse(
  readFileSync(join(repoRoot(), 'test', 'fixtures', 'bank-statements', 'expected-entries.json'), 'utf8'),
) as { files: Record<string, ExpectedFile> };

/** Reads a file in small chunks, as an upload arrives. */
function read(xml: Buffer, chunk = 997) {
  const sut = new CamtReader();
  const entries: CamtEntry[] = [];
  for (let i = 0; i < xml.length; i += chunk) {
    sut.write(xml.subarray(i, i + chunk));
    entries.push(...sut.drain());
  }
  const summary = sut.end();
  entries.push(...sut.drain());
  return { summary, entries };
}

describe('camt.053 / camt.054 reader', () => {
  describe.each(Object.entries(expected.files))('%s', (file, want) => {
    const xml = readFileSync(sharedPath('test-vectors', 'bank-statements', file));
    const { summary, entries } = read(xml);

    it('reads the message, its reports and their balances', () => {
      expect(summary.messageName).toBe(want.message);
      expect(summary.messageId).toBe(want.messageId);
      expect(summary.reports.map((r) => ({ id: r.id, account: r.account, currency: r.currency }))).toEqual(
        want.reports.map((r) => ({ id: r.id, account: r.account, currency: r.currency })),
      );
      want.reports.forEach((r, i) => {
        const balance = (type: string) => summary.reports[i].balances.find((b) => b.type === type);
        if (r.opening) expect(balance('OPBD')?.amount.toString()).toBe(r.opening);
        if (r.closing) expect(balance('CLBD')?.amount.toString()).toBe(r.closing);
      });
    });

    it('reads every entry with its amount, direction, references and remittance', () => {
      expect(entries).toHaveLength(want.entries.length);
      want.entries.forEach((w, i) => {
        const e = entries[i];
        expect(e.status).toBe('BOOK');
        expect(e.bankReference).toBe(w.ref);
        expect(e.direction).toBe(w.dir);
        expect(e.amount.toString()).toBe(w.amount);
        expect(e.currency).toBe(w.currency ?? 'EUR');
        expect(e.bankTransactionCode).toBe(w.code);
        expect(e.batchDeclared).toBe(w.batch);
        expect(e.details).toHaveLength(w.details);
        if (w.charges) expect(e.charges.toString()).toBe(w.charges);
        if (w.ustrd) expect(e.details[0].unstructured).toBe(w.ustrd);
        if (w.strd) expect(e.details[0].structuredReferences).toEqual(w.strd);
        if (w.endToEndId) expect(e.details[0].endToEndId).toBe(w.endToEndId);
        if (w.party) expect(e.details[0].partyName).toBe(w.party);
        if (w.bookingDate) expect(e.bookingDate).toBe(w.bookingDate);
        if (w.valueDate) expect(e.valueDate).toBe(w.valueDate);
        if (w.detailAmounts) expect(e.details.map((d) => d.amount?.toString())).toEqual(w.detailAmounts);
        if (w.detailUstrd) expect(e.details.map((d) => d.unstructured)).toEqual(w.detailUstrd);
      });
    });

    it('splits a batch only when every announced transaction is there and they add up', () => {
      const keys = new FallbackKeys();
      want.entries.forEach((w, i) => {
        const e = entries[i];
        const lines = linesOfEntry(e, e.bankReference ?? keys.next(e.account, e));
        const total = lines.reduce((s, l) => s + l.amount, 0n);
        expect(total).toBe(e.amount);
        if (w.splittable === true) {
          expect(lines).toHaveLength(w.details);
          expect(lines.every((l) => !l.needsSplit)).toBe(true);
        } else if (w.splittable === false) {
          expect(lines).toHaveLength(1);
          expect(lines[0].needsSplit).toBe(true);
        } else {
          expect(lines).toHaveLength(1);
          expect(lines[0].needsSplit).toBe(false);
        }
        if (w.rfValid !== undefined) expect(lines[0].referenceValid).toBe(w.rfValid);
      });
    });

    it('reconciles each statement: opening + credits − debits = closing', () => {
      for (const r of summary.reports) {
        const opening = r.balances.find((b) => b.type === 'OPBD' && b.currency === 'EUR');
        const closing = r.balances.find((b) => b.type === 'CLBD' && b.currency === 'EUR');
        if (!opening || !closing) continue;
        const movement = entries
          .filter((e) => e.reportId === r.id)
          .reduce((s, e) => s + (e.direction === 'credit' ? e.amount : -e.amount), 0n);
        expect(opening.amount + movement).toBe(closing.amount);
      }
    });
  });

  it('refuses what is not camt, or not XML, naming why', () => {
    expect(() =>
      read(Buffer.from('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>')),
    ).toThrow(/not a camt.053 or camt.054 message/);
    expect(() => read(Buffer.from('hello, world'))).toThrow(BillingError);
    try {
      read(Buffer.from('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'));
      throw new Error('accepted');
    } catch (e) {
      expect((e as BillingError).code).toBe(BillingErrorCode.NotCamt);
    }
  });

  it('reads amounts exactly in minor units, refusing more decimals than the currency has', () => {
    expect(toMinorUnits('1500.00', 'CHF')).toBe(150000n);
    expect(toMinorUnits('8.85', 'EUR')).toBe(885n);
    expect(toMinorUnits('2700', 'JPY')).toBe(2700n);
    expect(toMinorUnits('12.30000', 'EUR')).toBe(1230n);
    expect(toMinorUnits('99999999999999.99', 'EUR')).toBe(9999999999999999n);
    expect(() => toMinorUnits('1.005', 'EUR')).toThrow(/more decimals/);
    expect(() => toMinorUnits('-1.00', 'EUR')).toThrow(/not an amount/);
  });
});

describe('camt reader chunks', () => {
  it('keeps a UTF-8 character cut between two chunks whole', () => {
    const xml = readFileSync(
      sharedPath('test-vectors', 'bank-statements', 'ch-postfinance-camt.054.001.04-batch-ustrd.xml'),
    );
    // "SAMMELGUTSCHRIFT FÜR KONTO": cut inside the two bytes of Ü, and every byte alone.
    for (const chunk of [1, 2, 3, 7]) {
      const sut = new CamtReader();
      for (let i = 0; i < xml.length; i += chunk) sut.write(xml.subarray(i, i + chunk));
      sut.end();
      expect(sut.drain()[0].additionalInfo).toContain('SAMMELGUTSCHRIFT FÜR KONTO');
    }
  });
});
