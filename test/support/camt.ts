/** Builds camt.053.001.08 statements for tests, in the shape of the published samples. */
export interface TestEntry {
  ref: string;
  amount: string; // decimal, e.g. "1234.56"
  dir: 'CRDT' | 'DBIT';
  family?: string;
  subFamily?: string;
  batch?: { declared: number; details: number };
  rf?: string;
  ustrd?: string;
  debtor?: string;
  endToEndId?: string;
  date?: string;
}

const cents = (s: string) => BigInt(s.replace('.', ''));
const decimal = (c: bigint) => {
  const neg = c < 0n;
  const a = (neg ? -c : c).toString().padStart(3, '0');
  return `${a.slice(0, -2)}.${a.slice(-2)}`;
};

export function camt053(input: {
  iban: string;
  id: string;
  opening: string;
  entries: TestEntry[];
  currency?: string;
}): string {
  const ccy = input.currency ?? 'EUR';
  let balance = cents(input.opening);
  const entries = input.entries
    .map((e) => {
      balance += e.dir === 'CRDT' ? cents(e.amount) : -cents(e.amount);
      const date = e.date ?? '2026-11-30';
      const detail = (amount: string) => `
          <TxDtls>
            <Refs>${e.endToEndId ? `<EndToEndId>${e.endToEndId}</EndToEndId>` : '<EndToEndId>NOTPROVIDED</EndToEndId>'}</Refs>
            <Amt Ccy="${ccy}">${amount}</Amt>
            <CdtDbtInd>${e.dir}</CdtDbtInd>
            ${e.debtor ? `<RltdPties><Dbtr><Pty><Nm>${e.debtor}</Nm></Pty></Dbtr></RltdPties>` : ''}
            ${
              e.rf || e.ustrd
                ? `<RmtInf>${e.ustrd ? `<Ustrd>${e.ustrd}</Ustrd>` : ''}${
                    e.rf
                      ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>${e.rf}</Ref></CdtrRefInf></Strd>`
                      : ''
                  }</RmtInf>`
                : ''
            }
          </TxDtls>`;
      const details = e.batch
        ? `<Btch><NbOfTxs>${e.batch.declared}</NbOfTxs></Btch>${Array.from({ length: e.batch.details }, () =>
            detail(decimal(cents(e.amount) / BigInt(e.batch!.declared))),
          ).join('')}`
        : detail(e.amount);
      return `
      <Ntry>
        <Amt Ccy="${ccy}">${e.amount}</Amt>
        <CdtDbtInd>${e.dir}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>${date}</Dt></BookgDt>
        <ValDt><Dt>${date}</Dt></ValDt>
        <AcctSvcrRef>${e.ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${e.family ?? (e.dir === 'CRDT' ? 'RCDT' : 'ICDT')}</Cd><SubFmlyCd>${
          e.subFamily ?? 'ESCT'
        }</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>${details}</NtryDtls>
      </Ntry>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-${input.id}</MsgId><CreDtTm>2026-11-30T18:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${input.id}</Id>
      <CreDtTm>2026-11-30T18:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>${input.iban}</IBAN></Id><Ccy>${ccy}</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${input.opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-29</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${decimal(balance < 0n ? -balance : balance)}</Amt><CdtDbtInd>${
        balance < 0n ? 'DBIT' : 'CRDT'
      }</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>`;
}

export const euros = (c: bigint) => decimal(c);
