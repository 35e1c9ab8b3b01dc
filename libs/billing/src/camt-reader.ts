import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, SaxesTagNS } from 'saxes';
import { BillingError, BillingErrorCode } from './billing.errors';
import {
  CamtBalance,
  CamtEntry,
  CamtMessageName,
  CamtReport,
  CamtSummary,
  CamtTransaction,
} from './camt.types';

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34]\.001\.[0-9]{2})$/;

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/**
 * A decimal amount of the file as integer minor units of its currency; more significant decimals
 * than the currency has are refused, never rounded.
 */
export function toMinorUnits(text: string, currency: string): bigint {
  const m = /^([0-9]{1,18})(?:\.([0-9]{1,5}))?$/.exec(text.trim());
  if (!m) throw new BillingError(BillingErrorCode.InvalidBankFile, `"${text}" is not an amount`);
  const exponent = EXPONENTS[currency] ?? 2;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent)
    throw new BillingError(
      BillingErrorCode.InvalidBankFile,
      `the amount ${text} ${currency} has more decimals than the currency allows`,
    );
  return BigInt(m[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
}

const dateOf = (v: string | undefined) => (v ? v.slice(0, 10) : null);

type Fields = Map<string, string[]>;
const first = (f: Fields, ...paths: string[]) => {
  for (const p of paths) {
    const v = f.get(p);
    if (v && v.length > 0) return v[0];
  }
  return undefined;
};

/**
 * Streams a camt.053 (BankToCustomerStatement) or camt.054 (BankToCustomerDebitCreditNotification)
 * message, versions 001.02 to 001.08: `write` chunks as they arrive and take the entries read so
 * far with `drain`; `close` returns the summary. Only what is needed is kept (one entry at a
 * time), so memory does not grow with the file. Version differences handled: `Sts` code or
 * `Sts/Cd`, `Dbtr/Nm` or `Dbtr/Pty/Nm`, `TxDtls/Amt` or `AmtDtls`, `Dt` or `DtTm`.
 */
export class CamtReader {
  private readonly parser = new SaxesParser({ xmlns: true });
  /** Keeps a UTF-8 character cut between two chunks whole. */
  private readonly decoder = new StringDecoder('utf8');
  private readonly stack: string[] = [];
  private messageName: CamtMessageName | null = null;
  private messageId = '';
  private readonly reports: CamtReport[] = [];
  private report: {
    id: string;
    account: string;
    currency: string | null;
    balances: CamtBalance[];
    entryCount: number;
  } | null = null;
  private balance: Fields | null = null;
  private balanceCurrency = '';
  private entry: Fields | null = null;
  private entryCurrency = '';
  private detail: Fields | null = null;
  private details: Fields[] = [];
  private detailCurrencies: (string | null)[] = [];
  private text = '';
  private index = 0;
  private ready: CamtEntry[] = [];
  private failure: Error | null = null;

  constructor() {
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', () => this.close1());
    this.parser.on('text', (t) => (this.text += t));
    this.parser.on('cdata', (t) => (this.text += t));
    this.parser.on('error', (e) => {
      this.failure ??= new BillingError(
        BillingErrorCode.NotCamt,
        `the file is not well-formed XML: ${e.message}`,
      );
    });
  }

  write(chunk: string | Uint8Array): void {
    if (this.failure) throw this.failure;
    try {
      this.parser.write(
        typeof chunk === 'string'
          ? chunk
          : this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
      );
    } catch (e) {
      this.failure ??=
        e instanceof BillingError
          ? e
          : new BillingError(
              BillingErrorCode.NotCamt,
              `the file is not well-formed XML: ${(e as Error).message}`,
            );
    }
    if (this.failure) throw this.failure;
  }

  /** The entries completed since the last call. */
  drain(): CamtEntry[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  end(): CamtSummary {
    if (!this.failure) {
      try {
        const rest = this.decoder.end();
        if (rest) this.parser.write(rest);
        this.parser.close();
      } catch (e) {
        this.failure ??= new BillingError(
          BillingErrorCode.NotCamt,
          `the file is not well-formed XML: ${(e as Error).message}`,
        );
      }
    }
    if (this.failure) throw this.failure;
    if (!this.messageName) throw new BillingError(BillingErrorCode.NotCamt, 'the file is empty');
    return {
      messageName: this.messageName,
      messageId: this.messageId,
      reports: this.reports,
      entries: this.index,
    };
  }

  private open(tag: SaxesTagNS): void {
    if (this.stack.length === 0) {
      const m = NAMESPACE.exec(tag.uri);
      if (tag.local !== 'Document' || !m) {
        throw (this.failure = new BillingError(
          BillingErrorCode.NotCamt,
          `not a camt.053 or camt.054 message (root ${tag.local} in namespace "${tag.uri}")`,
        ));
      }
      this.messageName = m[1] as CamtMessageName;
    }
    this.stack.push(tag.local);
    this.text = '';
    const depth = this.stack.length;
    if (depth === 3 && (tag.local === 'Stmt' || tag.local === 'Ntfctn' || tag.local === 'Rpt')) {
      this.report = { id: '', account: '', currency: null, balances: [], entryCount: 0 };
    } else if (this.report && depth === 4 && tag.local === 'Bal') {
      this.balance = new Map();
    } else if (this.report && depth === 4 && tag.local === 'Ntry') {
      this.entry = new Map();
      this.details = [];
      this.detailCurrencies = [];
      this.entryCurrency = '';
    } else if (this.entry && depth === 6 && tag.local === 'TxDtls' && this.stack[4] === 'NtryDtls') {
      this.detail = new Map();
      this.detailCurrencies.push(null);
    }
    const ccy = tag.attributes.Ccy;
    if (ccy) {
      const value = typeof ccy === 'string' ? ccy : ccy.value;
      if (this.detail && tag.local === 'Amt' && depth === 7)
        this.detailCurrencies[this.detailCurrencies.length - 1] = value;
      else if (this.entry && tag.local === 'Amt' && depth === 5) this.entryCurrency = value;
      else if (this.balance && tag.local === 'Amt' && depth === 5) this.balanceCurrency = value;
    }
  }

  private close1(): void {
    const depth = this.stack.length;
    const name = this.stack[depth - 1];
    const text = this.text.trim();
    this.text = '';
    if (this.detail && depth > 6) {
      push(this.detail, this.stack.slice(6).join('/'), text);
    } else if (this.detail && depth === 6) {
      this.details.push(this.detail);
      this.detail = null;
    } else if (this.entry && depth > 4) {
      push(this.entry, this.stack.slice(4).join('/'), text);
    } else if (this.entry && depth === 4) {
      this.finishEntry();
    } else if (this.balance && depth > 4) {
      push(this.balance, this.stack.slice(4).join('/'), text);
    } else if (this.balance && depth === 4) {
      this.finishBalance();
    } else if (this.report && depth === 3) {
      this.reports.push(this.report);
      this.report = null;
    } else if (this.report && depth > 3) {
      const path = this.stack.slice(3).join('/');
      if (path === 'Id') this.report.id = text;
      else if (path === 'Acct/Id/IBAN' || (path === 'Acct/Id/Othr/Id' && !this.report.account))
        this.report.account = text;
      else if (path === 'Acct/Ccy') this.report.currency = text;
    } else if (depth === 4 && this.stack[2] === 'GrpHdr' && name === 'MsgId') {
      this.messageId = text;
    }
    this.stack.pop();
  }

  private finishBalance(): void {
    const f = this.balance!;
    this.balance = null;
    const amount = first(f, 'Amt');
    if (!amount || !this.report) return;
    this.report.balances.push({
      type: first(f, 'Tp/CdOrPrtry/Cd', 'Tp/CdOrPrtry/Prtry') ?? '',
      amount: toMinorUnits(amount, this.balanceCurrency),
      currency: this.balanceCurrency,
      direction: first(f, 'CdtDbtInd') === 'DBIT' ? 'debit' : 'credit',
      date: dateOf(first(f, 'Dt/Dt', 'Dt/DtTm')),
    });
  }

  private finishEntry(): void {
    const f = this.entry!;
    this.entry = null;
    const report = this.report!;
    const currency = this.entryCurrency;
    const amountText = first(f, 'Amt');
    if (!amountText || !currency)
      throw (this.failure = new BillingError(
        BillingErrorCode.InvalidBankFile,
        `entry ${this.index + 1} has no amount`,
      ));
    const domain = first(f, 'BkTxCd/Domn/Cd');
    const family = first(f, 'BkTxCd/Domn/Fmly/Cd');
    const sub = first(f, 'BkTxCd/Domn/Fmly/SubFmlyCd');
    const code = domain
      ? [domain, family, sub].filter(Boolean).join('/')
      : (first(f, 'BkTxCd/Prtry/Cd') ?? null);
    let charges = 0n;
    for (const c of [...(f.get('Chrgs/Amt') ?? []), ...(f.get('Chrgs/Rcrd/Amt') ?? [])])
      charges += toMinorUnits(c, currency);
    // Charges of the transactions (v02 `TxDtls/Chrgs/Amt`, v08 `TxDtls/Chrgs/Rcrd/Amt`) when the entry states none.
    if (charges === 0n)
      for (const d of this.details)
        for (const c of [...(d.get('Chrgs/Amt') ?? []), ...(d.get('Chrgs/Rcrd/Amt') ?? [])])
          charges += toMinorUnits(c, currency);
    const batch = first(f, 'NtryDtls/Btch/NbOfTxs');
    const details: CamtTransaction[] = this.details.map((d, i) => {
      const direction = first(d, 'CdtDbtInd');
      const detailCurrency = this.detailCurrencies[i];
      const amount = first(d, 'Amt');
      const txAmount = first(d, 'AmtDtls/TxAmt/Amt');
      const instructed = first(d, 'AmtDtls/InstdAmt/Amt');
      let value: bigint | null = null;
      let valueCurrency: string | null = null;
      if (amount !== undefined) {
        value = toMinorUnits(amount, detailCurrency ?? currency);
        valueCurrency = detailCurrency ?? currency;
      } else if (txAmount !== undefined || instructed !== undefined) {
        // AmtDtls amounts carry their own Ccy, not tracked here: read in the entry's currency.
        value = toMinorUnits((txAmount ?? instructed)!, currency);
        valueCurrency = currency;
      }
      const credit = first(f, 'CdtDbtInd') === 'CRDT';
      const unstructured = d.get('RmtInf/Ustrd');
      return {
        amount: value,
        currency: valueCurrency,
        direction: direction === 'CRDT' ? 'credit' : direction === 'DBIT' ? 'debit' : null,
        bankReference: first(d, 'Refs/AcctSvcrRef') ?? null,
        endToEndId: first(d, 'Refs/EndToEndId') ?? null,
        structuredReferences: d.get('RmtInf/Strd/CdtrRefInf/Ref') ?? [],
        unstructured: unstructured && unstructured.length > 0 ? unstructured.join(' ') : null,
        partyName:
          (credit
            ? first(
                d,
                'RltdPties/Dbtr/Nm',
                'RltdPties/Dbtr/Pty/Nm',
                'RltdPties/UltmtDbtr/Nm',
                'RltdPties/UltmtDbtr/Pty/Nm',
              )
            : first(d, 'RltdPties/Cdtr/Nm', 'RltdPties/Cdtr/Pty/Nm')) ?? null,
        partyIban:
          (credit ? first(d, 'RltdPties/DbtrAcct/Id/IBAN') : first(d, 'RltdPties/CdtrAcct/Id/IBAN')) ?? null,
        returnReason: first(d, 'RtrInf/Rsn/Cd') ?? null,
      };
    });
    const entry: CamtEntry = {
      index: this.index++,
      reportId: report.id,
      account: report.account,
      amount: toMinorUnits(amountText, currency),
      currency,
      direction: first(f, 'CdtDbtInd') === 'DBIT' ? 'debit' : 'credit',
      reversal: first(f, 'RvslInd') === 'true',
      status: first(f, 'Sts/Cd', 'Sts', 'Sts/Prtry') ?? '',
      bookingDate: dateOf(first(f, 'BookgDt/Dt', 'BookgDt/DtTm')),
      valueDate: dateOf(first(f, 'ValDt/Dt', 'ValDt/DtTm')),
      bankReference: first(f, 'AcctSvcrRef') ?? null,
      entryReference: first(f, 'NtryRef') ?? null,
      bankTransactionCode: code,
      batchDeclared: batch ? Number(batch) : null,
      charges,
      details,
      additionalInfo: first(f, 'AddtlNtryInf') ?? null,
    };
    report.entryCount += 1;
    this.ready.push(entry);
  }
}

function push(fields: Fields, path: string, value: string): void {
  if (value === '') return;
  const list = fields.get(path);
  if (list) list.push(value);
  else fields.set(path, [value]);
}
