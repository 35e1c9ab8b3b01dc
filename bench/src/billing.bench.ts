import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { BankStatementsService, billingXsdPath, CamtReader, XsdValidator } from '@app/billing';
import { DeclarationsService, OrganisationsService } from '@app/contributions';
import { Principal } from '@app/identity';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { benchEnvironment, round } from './bench-database';

const ENTRIES = Number(process.env.BILLING_BENCH_ENTRIES ?? 10_000);
const OBLIGATIONS = Number(process.env.BILLING_BENCH_OBLIGATIONS ?? 200);
const RF_MATCHES = Number(process.env.BILLING_BENCH_RF_MATCHES ?? 100);
const REPETITIONS = 3;
const IBAN = 'FR7630006000011234567890189';
const TREASURER: Principal = { kind: 'cli', userId: null, tokenId: null, grants: [] };

/** A camt.053.001.08 statement of `n` credits: payment request numbers in the text, bad RF references, plain transfers. */
function statement(
  n: number,
  tag: string,
  numbers: string[],
  matched: { rf: string; amount: bigint }[] = [],
): Buffer {
  const parts: string[] = [];
  let total = 0n;
  const entry = (i: number, cents: bigint, remittance: string, debtor: string) => {
    total += cents;
    const amount = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
    return `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-30</Dt></BookgDt><ValDt><Dt>2026-11-30</Dt></ValDt><AcctSvcrRef>${tag}-${i}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>E2E-${tag}-${i}</EndToEndId></Refs><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>${debtor}</Nm></Pty></Dbtr></RltdPties><RmtInf>${remittance}</RmtInf></TxDtls></NtryDtls></Ntry>`;
  };
  for (let i = 0; i < n; i++) {
    const cents = BigInt(1000 + ((i * 7919) % 500000));
    if (i < matched.length) {
      parts.push(
        entry(
          i,
          matched[i].amount,
          `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${matched[i].rf}</Ref></CdtrRefInf></Strd>`,
          'DRFIP',
        ),
      );
    } else if (i % 3 === 0) {
      parts.push(
        entry(i, cents, `<Ustrd>MANDAT ${i} FACTURE ${numbers[i % numbers.length]}</Ustrd>`, 'TRESOR PUBLIC'),
      );
    } else if (i % 3 === 1) {
      parts.push(
        entry(
          i,
          cents,
          `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF98123456789012</Ref></CdtrRefInf></Strd>`,
          'PAYER',
        ),
      );
    } else {
      parts.push(entry(i, cents, `<Ustrd>VIREMENT ${i}</Ustrd>`, `COMMUNE ${i % 50}`));
    }
  }
  const closing = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>${tag}</MsgId><CreDtTm>2026-11-30T18:00:00</CreDtTm></GrpHdr><Stmt><Id>${tag}</Id><Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-29</Dt></Dt></Bal><Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>${parts.join('')}</Stmt></BkToCstmrStmt></Document>`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Importing a camt.053 of ENTRIES credits (schema validation, streamed reading, matching against
 * OBLIGATIONS open obligations, storing each line once) against reading the same file alone with
 * the streaming reader; the heap's peak during an import; and, apart, booking RF_MATCHES exact
 * matches through the receipts path.
 */
export async function run(): Promise<Record<string, number>> {
  const env = await benchEnvironment('billing');
  Object.assign(process.env, {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `librery-bench-billing-${process.pid}`,
    FUND_ACCOUNT_NAME: 'Fonds Librery',
    FUND_IBAN: IBAN,
    BANK_FILE_MAX_BYTES: String(200 * 1024 * 1024),
  });
  let app: NestExpressApplication | undefined;
  try {
    app = await createApiApp();
    await app.init();
    const db = app.get(DataSource);
    const org = await app
      .get(OrganisationsService)
      .create(TREASURER, { siret: '13002526500013', name: 'Commune de Bench' });
    const declarations = app.get(DeclarationsService);
    const numbers: string[] = [];
    const open: { rf: string; amount: bigint }[] = [];
    for (let i = 0; i < OBLIGATIONS; i++) {
      const o = await declarations.declare(TREASURER, org.id, {
        projectTitle: `Projet ${i}`,
        budgetExclVat: String(1_000_000 + i * 100),
        fiscalYear: 2026,
        directions: [],
      });
      open.push({ rf: o.creditorReference!, amount: o.amountDue });
    }
    for (const r of (await db.query('SELECT number FROM payment_requests ORDER BY seq')) as {
      number: string;
    }[])
      numbers.push(r.number);

    const parse = (file: Buffer) => {
      const start = performance.now();
      const reader = new CamtReader();
      let n = 0;
      for (let i = 0; i < file.length; i += 64 * 1024) {
        reader.write(file.subarray(i, i + 64 * 1024));
        n += reader.drain().length;
      }
      reader.end();
      n += reader.drain().length;
      if (n !== ENTRIES) throw new Error(`read ${n} entries`);
      return performance.now() - start;
    };
    const service = app.get(BankStatementsService);
    const files = Array.from({ length: REPETITIONS + 1 }, (_, i) => statement(ENTRIES, `B${i}`, numbers));
    // Warm-up (schema compiled once, JIT).
    parse(files[0]);
    await service.import(TREASURER, files[0]);
    const parses: number[] = [];
    const imports: number[] = [];
    let peakHeap = 0;
    const baseHeap = process.memoryUsage().heapUsed;
    for (let r = 1; r <= REPETITIONS; r++) {
      parses.push(parse(files[r]));
      global.gc?.();
      const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
      const start = performance.now();
      const result = await service.import(TREASURER, files[r]);
      imports.push(performance.now() - start);
      clearInterval(sampler);
      if (result.linesNew !== ENTRIES) throw new Error(`stored ${result.linesNew} lines`);
    }
    if (process.env.BILLING_BENCH_PHASES) {
      const xsd = app.get(XsdValidator);
      const t0 = performance.now();
      await xsd.validate(billingXsdPath('camt.053.001.08.xsd'), files[1]);
      const t1 = performance.now();
      await service.read(files[1]);
      const t2 = performance.now();
      console.log(`phases: xsd ${round(t1 - t0, 0)} ms, read (xsd + parse + lines) ${round(t2 - t1, 0)} ms`);
    }
    const p = median(parses);
    const i = median(imports);

    // Exact matches booked through the receipts path, apart.
    const matched = statement(RF_MATCHES, 'RF', numbers, open.slice(0, RF_MATCHES));
    const startRf = performance.now();
    const rf = await service.import(TREASURER, matched);
    const rfMs = performance.now() - startRf;
    if (rf.receiptsBooked !== Math.min(RF_MATCHES, OBLIGATIONS))
      throw new Error(`booked ${rf.receiptsBooked}`);
    const ratio = i / p;
    console.log(
      `billing: import of ${ENTRIES} entries with matching ${round(i, 1)} ms vs parse alone ${round(p, 1)} ms: ${round(ratio, 2)}× (target ≤ 3×); heap peak +${round((peakHeap - baseHeap) / 1048576, 1)} MiB for a ${round(files[1].length / 1048576, 1)} MiB file; ${RF_MATCHES} RF matches booked in ${round(rfMs, 0)} ms`,
    );
    return {
      billing_statement_entries: ENTRIES,
      billing_statement_bytes: files[1].length,
      billing_parse_ms: round(p, 1),
      billing_import_with_matching_ms: round(i, 1),
      billing_import_ratio: round(ratio, 3),
      billing_import_heap_peak_mib: round((peakHeap - baseHeap) / 1048576, 1),
      billing_rf_receipts_booked: rf.receiptsBooked,
      billing_rf_receipt_ms_each: round(rfMs / Math.max(1, rf.receiptsBooked), 2),
    };
  } finally {
    await app?.close();
    await env.stop();
  }
}
