import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@app/config';
import { BankReceiptsService } from '@app/contributions';
import { DisbursementsError, PayoutsService } from '@app/disbursements';
import { AuditService, Principal, requireRole } from '@app/identity';
import { Accounts, LedgerService, translateLedgerError } from '@app/ledger';
import { PolicyService } from '@app/policy';
import { bankFeesAccount, suspenseAccount } from './billing-accounts';
import { BillingError, BillingErrorCode } from './billing.errors';
import { CamtReader } from './camt-reader';
import { Candidate, ObligationIndex, OpenObligation } from './line-matching';
import { FallbackKeys, linesOfEntry, StatementLine } from './statement-lines';
import { billingXsdPath, XsdValidator } from './xsd-validator';

/** The camt versions whose schema is shipped (libs/billing/xsd). */
export const CAMT_SCHEMAS = ['camt.053.001.02', 'camt.053.001.08', 'camt.054.001.04', 'camt.054.001.08'];

const CHUNK = 64 * 1024;
const INSERT_PAGE = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StatementImportView {
  readonly statementId: string;
  readonly messageName: string;
  readonly account: string;
  readonly entriesRead: number;
  readonly entriesNotBooked: number;
  readonly linesNew: number;
  readonly linesAlreadyImported: number;
  readonly states: Record<string, number>;
  readonly receiptsBooked: number;
  readonly closingBalance: bigint | null;
  readonly ledgerBankBalance: bigint;
  readonly difference: bigint | null;
}

export interface StatementLineView {
  readonly id: string;
  readonly statementId: string;
  readonly direction: 'credit' | 'debit';
  readonly amount: bigint;
  readonly currency: string;
  readonly bookingDate: string | null;
  readonly valueDate: string | null;
  readonly ageDays: number | null;
  readonly bankReference: string | null;
  readonly endToEndId: string | null;
  readonly structuredReference: string | null;
  readonly referenceValid: boolean | null;
  readonly unstructured: string | null;
  readonly partyName: string | null;
  readonly bankTransactionCode: string | null;
  readonly batchDeclared: number | null;
  readonly batchPresent: number | null;
  readonly charges: bigint;
  readonly state: string;
  readonly declarationId: string | null;
  readonly reason: string | null;
  readonly candidates: Candidate[];
  readonly receiptAmount: bigint;
  readonly suspenseAmount: bigint;
}

export interface SuspenseItemView {
  readonly id: string;
  readonly lineId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly reason: string;
  readonly state: 'open' | 'refunded' | 'allocated';
  readonly declarationId: string | null;
  readonly note: string | null;
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
}

export interface ReconciliationView {
  readonly states: Record<string, { count: number; amount: bigint; oldestDays: number | null }>;
  readonly suspense: { open: number; amount: bigint };
  readonly bank: {
    account: string;
    closingBalance: bigint;
    closingDate: string | null;
    statementId: string;
  } | null;
  readonly ledgerBankBalance: bigint;
  readonly difference: bigint | null;
}

interface LineRow {
  id: string;
  statement_id: string;
  account: string;
  line_key: string;
  direction: 'credit' | 'debit';
  amount: string;
  currency: string;
  booking_date: string | null;
  value_date: string | null;
  age_days: number | null;
  bank_reference: string | null;
  end_to_end_id: string | null;
  structured_reference: string | null;
  reference_valid: boolean | null;
  unstructured: string | null;
  party_name: string | null;
  bank_tx_code: string | null;
  batch_declared: number | null;
  batch_present: number | null;
  charges: string;
  state: string;
  declaration_id: string | null;
  match_reason: string | null;
  candidates: Candidate[];
  receipt_amount: string;
  suspense_amount: string;
  ledger_entry_key: string | null;
}

const LINE_COLUMNS = `l.id::text, l.statement_id::text, l.account, l.line_key, l.direction, l.amount::text, l.currency,
  to_char(l.booking_date, 'YYYY-MM-DD') AS booking_date, to_char(l.value_date, 'YYYY-MM-DD') AS value_date,
  (current_date - coalesce(l.value_date, l.booking_date, l.created_at::date)) AS age_days,
  l.bank_reference, l.end_to_end_id, l.structured_reference, l.reference_valid, l.unstructured, l.party_name, l.bank_tx_code,
  l.batch_declared, l.batch_present, l.charges::text, l.state, l.declaration_id::text, l.match_reason, l.candidates,
  l.receipt_amount::text, l.suspense_amount::text, l.ledger_entry_key`;

/**
 * Bank statements (camt.053, camt.054) imported for the fund's account: validated against the
 * schema of their version, streamed, each booked entry stored once per account and bank
 * reference, matched to obligations (exact on an ISO 11649 reference, proposed otherwise), and
 * every confirmed match booked through the receipts path; overpayments and credits for paid
 * obligations wait in the suspense account until a person refunds or allocates them; bank fees
 * are booked as their own entries; payouts named by their end-to-end id are confirmed.
 */
@Injectable()
export class BankStatementsService {
  private readonly logger = new Logger(BankStatementsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly policies: PolicyService,
    private readonly receipts: BankReceiptsService,
    private readonly ledger: LedgerService,
    private readonly payouts: PayoutsService,
    private readonly xsd: XsdValidator,
    private readonly audit: AuditService,
  ) {}

  /**
   * Imports one camt file. Refused whole, with the reason and nothing stored, when it is too
   * large, not camt, fails its schema, is for another account or currency, or its balances do not
   * reconcile. Entries already imported (same account and bank reference) are skipped.
   */
  async import(caller: Principal | undefined, file: Buffer): Promise<StatementImportView> {
    const actor = requireRole(caller, 'treasurer');
    const { messageName, lines, summary, closing, entriesNotBooked } = await this.read(file);
    const account = this.fundAccount();
    const currency = (await this.policies.current()).currency;

    const refs = [...new Set(lines.map((l) => l.structuredReference).filter((r): r is string => !!r))];
    const index = new ObligationIndex(await this.obligations(refs));
    const e2e = lines.filter((l) => l.direction === 'debit' && l.endToEndId).map((l) => l.endToEndId!);
    const payouts = new Map<string, string>();
    if (e2e.length > 0) {
      const rows = (await this.dataSource.query(
        'SELECT id::text, end_to_end_id FROM disbursement_payouts WHERE end_to_end_id = ANY($1)',
        [e2e],
      )) as { id: string; end_to_end_id: string }[];
      for (const r of rows) payouts.set(r.end_to_end_id, r.id);
    }
    const classified = lines.map((l) => ({ line: l, c: index.classify(l, payouts) }));

    const sha = createHash('sha256').update(file).digest('hex');
    const inserted = await this.dataSource.transaction(async (m) => {
      const [statement] = (await m.query(
        `INSERT INTO bank_statements (message_name, message_id, statement_id, account, currency, file_sha256, opening_balance,
           closing_balance, closing_date, entries_read, entries_new, balance_check, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12) RETURNING id::text`,
        [
          messageName,
          summary.messageId,
          summary.reports
            .map((r) => r.id)
            .join(', ')
            .slice(0, 500),
          account,
          currency,
          sha,
          closing?.opening?.toString() ?? null,
          closing?.closing?.toString() ?? null,
          closing?.date ?? null,
          summary.entries,
          closing ? 'reconciled' : 'no opening and closing balances',
          actor.userId,
        ],
      )) as { id: string }[];
      const fresh: { id: string; state: string; declaration_id: string | null }[] = [];
      for (let i = 0; i < classified.length; i += INSERT_PAGE) {
        const page = classified.slice(i, i + INSERT_PAGE);
        const col = <T>(f: (x: (typeof page)[number]) => T) => page.map(f);
        const rows = (await m.query(
          `INSERT INTO bank_statement_lines (statement_id, account, line_key, direction, amount, currency, booking_date, value_date,
             bank_reference, end_to_end_id, structured_reference, reference_valid, unstructured, party_name, party_iban, bank_tx_code,
             batch_declared, batch_present, charges, state, declaration_id, match_reason, candidates)
           SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::date[], $8::date[], $9::text[],
             $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[], $18::int[],
             $19::bigint[], $20::text[], $21::uuid[], $22::text[], $23::jsonb[])
           ON CONFLICT (account, line_key) DO NOTHING
           RETURNING id::text, state, declaration_id::text`,
          [
            statement.id,
            account,
            col((x) => x.line.key),
            col((x) => x.line.direction),
            col((x) => x.line.amount.toString()),
            col((x) => x.line.currency),
            col((x) => x.line.bookingDate),
            col((x) => x.line.valueDate),
            col((x) => x.line.bankReference),
            col((x) => x.line.endToEndId),
            col((x) => x.line.structuredReference?.slice(0, 140) ?? null),
            col((x) => x.line.referenceValid),
            col((x) => x.line.unstructured?.slice(0, 1000) ?? null),
            col((x) => x.line.partyName?.slice(0, 200) ?? null),
            col((x) => x.line.partyIban),
            col((x) => x.line.bankTransactionCode),
            col((x) => x.line.batchDeclared),
            col((x) => x.line.batchPresent),
            col((x) => x.line.charges.toString()),
            col((x) => x.c.state),
            col((x) => x.c.declarationId),
            col((x) => x.c.reason),
            col((x) => JSON.stringify(x.c.candidates)),
          ],
        )) as { id: string; state: string; declaration_id: string | null }[];
        fresh.push(...rows);
      }
      await m.query('UPDATE bank_statements SET entries_new = $2 WHERE id = $1', [
        statement.id,
        fresh.length,
      ]);
      await this.audit.record(
        actor,
        'bank.statement.imported',
        { type: 'bank_statement', id: statement.id },
        { messageName, sha256: sha, lines: lines.length, new: fresh.length },
        m,
      );
      return { statementId: statement.id, fresh };
    });

    // Then, each in its own transaction: the exact matches through the receipts path, the fees,
    // the payouts. Lines left `auto` by an interrupted import are picked up too.
    const receiptsBooked = await this.bookAutomatic(actor, account);
    for (const line of inserted.fresh) {
      if (line.state === 'fee') await this.bookFee(line.id);
      else if (line.state === 'payout') await this.closePayout(actor, line.id);
    }
    const states: Record<string, number> = {};
    const counts = (await this.dataSource.query(
      `SELECT state, count(*)::int AS n FROM bank_statement_lines WHERE id = ANY($1::uuid[]) GROUP BY state`,
      [inserted.fresh.map((f) => f.id)],
    )) as { state: string; n: number }[];
    for (const c of counts) states[c.state] = c.n;
    const ledgerBankBalance = await this.ledgerBank(currency);
    return {
      statementId: inserted.statementId,
      messageName,
      account,
      entriesRead: summary.entries,
      entriesNotBooked,
      linesNew: inserted.fresh.length,
      linesAlreadyImported: lines.length - inserted.fresh.length,
      states,
      receiptsBooked,
      closingBalance: closing?.closing ?? null,
      ledgerBankBalance,
      difference: closing ? closing.closing - ledgerBankBalance : null,
    };
  }

  /** Validates and reads a camt file into its statement lines (nothing stored). */
  async read(file: Buffer): Promise<{
    messageName: string;
    lines: StatementLine[];
    summary: ReturnType<CamtReader['end']>;
    closing: { opening: bigint; closing: bigint; date: string | null } | null;
    entriesNotBooked: number;
  }> {
    if (file.length > this.config.BANK_FILE_MAX_BYTES)
      throw new BillingError(
        BillingErrorCode.BankFileTooLarge,
        `the file is ${file.length} bytes; at most ${this.config.BANK_FILE_MAX_BYTES} are accepted`,
      );
    const account = this.fundAccount();
    const currency = (await this.policies.current()).currency;
    const head = file.subarray(0, 4096).toString('utf8');
    const ns = /urn:iso:std:iso:20022:tech:xsd:(camt\.05[34]\.001\.[0-9]{2})/.exec(head);
    if (!ns)
      throw new BillingError(BillingErrorCode.NotCamt, 'the file is not a camt.053 or camt.054 message');
    const messageName = ns[1];
    if (!CAMT_SCHEMAS.includes(messageName))
      throw new BillingError(
        BillingErrorCode.InvalidBankFile,
        `${messageName} is not supported; send one of ${CAMT_SCHEMAS.join(', ')}`,
      );
    const valid = await this.xsd.validate(billingXsdPath(`${messageName}.xsd`), file);
    if (!valid.valid)
      throw new BillingError(
        BillingErrorCode.InvalidBankFile,
        `the file fails the ${messageName} schema: ${valid.errors[0]}`,
        {
          errors: valid.errors.slice(0, 10),
        },
      );
    const reader = new CamtReader();
    const keys = new FallbackKeys();
    const lines: StatementLine[] = [];
    const movements = new Map<string, bigint>();
    let entriesNotBooked = 0;
    const take = () => {
      for (const e of reader.drain()) {
        const entryAccount = e.account.replace(/\s+/g, '').toUpperCase();
        if (entryAccount !== account)
          throw new BillingError(
            BillingErrorCode.WrongAccount,
            `the file is for account ${entryAccount}, not the fund’s account ${account}`,
          );
        if (e.currency !== currency)
          throw new BillingError(
            BillingErrorCode.WrongCurrency,
            `entry ${e.index + 1} is in ${e.currency}, not ${currency}`,
          );
        if (e.status !== 'BOOK') {
          entriesNotBooked += 1;
          continue;
        }
        movements.set(
          e.reportId,
          (movements.get(e.reportId) ?? 0n) + (e.direction === 'credit' ? e.amount : -e.amount),
        );
        lines.push(
          ...linesOfEntry(
            e,
            e.bankReference ?? (e.entryReference ? `ntry:${e.entryReference}` : keys.next(account, e)),
          ),
        );
      }
    };
    for (let i = 0; i < file.length; i += CHUNK) {
      reader.write(file.subarray(i, i + CHUNK));
      take();
    }
    const summary = reader.end();
    take();
    let closing: { opening: bigint; closing: bigint; date: string | null } | null = null;
    let firstOpening: bigint | null = null;
    for (const r of summary.reports) {
      const reportAccount = r.account.replace(/\s+/g, '').toUpperCase();
      if (reportAccount !== account)
        throw new BillingError(
          BillingErrorCode.WrongAccount,
          `the file is for account ${reportAccount}, not the fund’s account ${account}`,
        );
      if (r.currency && r.currency !== currency)
        throw new BillingError(
          BillingErrorCode.WrongCurrency,
          `the account is in ${r.currency}, not ${currency}`,
        );
      const signed = (type: string) => {
        const b = r.balances.find((x) => x.type === type && x.currency === currency);
        return b ? { amount: b.direction === 'debit' ? -b.amount : b.amount, date: b.date } : null;
      };
      const open = signed('OPBD') ?? signed('PRCD');
      const close = signed('CLBD');
      if (open && close) {
        const movement = movements.get(r.id) ?? 0n;
        if (open.amount + movement !== close.amount)
          throw new BillingError(
            BillingErrorCode.InvalidBankFile,
            `statement ${r.id} does not reconcile: opening ${open.amount} + entries ${movement} ≠ closing ${close.amount}`,
          );
        firstOpening ??= open.amount;
        closing = { opening: firstOpening, closing: close.amount, date: close.date };
      }
    }
    return { messageName, lines, summary, closing, entriesNotBooked };
  }

  /** Lines to look at: by state (all but matched ones by default), oldest first, with their age in days. */
  async lines(caller: Principal | undefined, states?: string[]): Promise<StatementLineView[]> {
    requireRole(caller, ['treasurer', 'admin']);
    const wanted =
      states && states.length > 0
        ? states
        : ['auto', 'unmatched', 'proposed', 'needs_split', 'suspense', 'debit'];
    const rows = (await this.dataSource.query(
      `SELECT ${LINE_COLUMNS} FROM bank_statement_lines l WHERE l.state = ANY($1) ORDER BY l.created_at, l.line_key LIMIT 2000`,
      [wanted],
    )) as LineRow[];
    return rows.map(toLineView);
  }

  async line(caller: Principal | undefined, id: string): Promise<StatementLineView> {
    requireRole(caller, ['treasurer', 'admin']);
    if (!UUID.test(id)) throw lineNotFound(id);
    const rows = (await this.dataSource.query(
      `SELECT ${LINE_COLUMNS} FROM bank_statement_lines l WHERE l.id = $1`,
      [id],
    )) as LineRow[];
    if (rows.length === 0) throw lineNotFound(id);
    return toLineView(rows[0]);
  }

  /**
   * A person confirms matches, one or many at once: each line is booked to its obligation through
   * the receipts path (partial when it is less than what is due); what exceeds the obligation
   * goes to the suspense account. Each confirmation stands alone (its own transaction): the
   * answer says, per line, what was booked or why not.
   */
  async confirm(
    caller: Principal | undefined,
    matches: unknown,
  ): Promise<
    { lineId: string; ok: boolean; line?: StatementLineView; error?: { code: string; message: string } }[]
  > {
    const actor = requireRole(caller, 'treasurer');
    if (
      !Array.isArray(matches) ||
      matches.length === 0 ||
      matches.length > 500 ||
      !matches.every(
        (x: { lineId?: unknown; declarationId?: unknown }) =>
          typeof x === 'object' &&
          x !== null &&
          typeof x.lineId === 'string' &&
          UUID.test(x.lineId) &&
          typeof x.declarationId === 'string' &&
          UUID.test(x.declarationId),
      )
    )
      throw new BillingError(
        BillingErrorCode.InvalidInput,
        'matches must be 1 to 500 {lineId, declarationId} pairs',
        {
          field: 'matches',
        },
      );
    const out = [];
    for (const { lineId, declarationId } of matches as { lineId: string; declarationId: string }[]) {
      try {
        await this.bookLine(actor, lineId, declarationId, 'confirmed by a person');
        out.push({ lineId, ok: true, line: await this.line(actor, lineId) });
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (typeof err.code !== 'string' || !err.code.includes('.')) throw e;
        out.push({ lineId, ok: false, error: { code: err.code, message: err.message ?? '' } });
      }
    }
    return out;
  }

  async suspense(caller: Principal | undefined, state?: string): Promise<SuspenseItemView[]> {
    requireRole(caller, ['treasurer', 'admin']);
    const rows = (await this.dataSource.query(
      `SELECT id::text, line_id::text, amount::text, currency, reason, state, declaration_id::text, note, created_at, resolved_at
         FROM bank_suspense_items WHERE ($1::text IS NULL OR state = $1) ORDER BY created_at LIMIT 1000`,
      [state ?? null],
    )) as {
      id: string;
      line_id: string;
      amount: string;
      currency: string;
      reason: string;
      state: SuspenseItemView['state'];
      declaration_id: string | null;
      note: string | null;
      created_at: Date;
      resolved_at: Date | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      lineId: r.line_id,
      amount: BigInt(r.amount),
      currency: r.currency,
      reason: r.reason,
      state: r.state,
      declarationId: r.declaration_id,
      note: r.note,
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
    }));
  }

  /**
   * Resolves money parked in suspense, once: `refund` (sent back to the payer: out of the bank
   * account) or `allocate` to an obligation (booked through the receipts path, the suspense
   * account paying instead of the bank; at most what is still due).
   */
  async resolveSuspense(
    caller: Principal | undefined,
    id: string,
    input: { action?: unknown; declarationId?: unknown; note?: unknown },
  ): Promise<SuspenseItemView> {
    const actor = requireRole(caller, 'treasurer');
    if (!UUID.test(id)) throw new BillingError(BillingErrorCode.SuspenseNotFound, `no suspense item ${id}`);
    const note = typeof input.note === 'string' ? input.note.trim().slice(0, 500) : null;
    const [item] = (await this.dataSource.query('SELECT currency FROM bank_suspense_items WHERE id = $1', [
      id,
    ])) as {
      currency: string;
    }[];
    if (!item) throw new BillingError(BillingErrorCode.SuspenseNotFound, `no suspense item ${id}`);
    const suspense = suspenseAccount(item.currency);
    if (input.action === 'allocate') {
      const declarationId = input.declarationId;
      if (typeof declarationId !== 'string' || !UUID.test(declarationId))
        throw new BillingError(
          BillingErrorCode.InvalidInput,
          'declarationId names the obligation to allocate to',
          {
            field: 'declarationId',
          },
        );
      await this.receipts.prepareFor(declarationId, suspense);
      await this.dataSource.transaction(async (m) => {
        const row = await this.lockOpenItem(m, id);
        const [d] = (await m.query(
          'SELECT (amount_due - amount_paid)::text AS outstanding, currency FROM levy_declarations WHERE id = $1 FOR UPDATE',
          [declarationId],
        )) as { outstanding: string; currency: string }[];
        if (!d)
          throw new BillingError(BillingErrorCode.InvalidInput, `no obligation ${declarationId}`, {
            field: 'declarationId',
          });
        if (BigInt(row.amount) > BigInt(d.outstanding) || d.currency !== row.currency)
          throw new BillingError(
            BillingErrorCode.SuspenseTooLarge,
            `the obligation has ${d.outstanding} outstanding; the item is ${row.amount}`,
            { field: 'declarationId', outstanding: d.outstanding },
          );
        await m.query(
          `UPDATE bank_suspense_items SET state = 'allocated', declaration_id = $2, resolution_key = $3, resolved_by = $4,
                  resolved_at = now(), note = $5 WHERE id = $1`,
          [id, declarationId, `contribution:receipt:suspense:${id}`, actor.userId, note],
        );
        await this.receipts.recordIn(m, actor, declarationId, {
          bankReference: `suspense:${id}`,
          amount: BigInt(row.amount),
          valueDate: new Date().toISOString().slice(0, 10),
          cash: suspense,
        });
      });
    } else if (input.action === 'refund') {
      const bank = Accounts.bank(item.currency);
      await this.ledger.ensureAccounts([bank, suspense]);
      try {
        await this.dataSource.transaction(async (m) => {
          const row = await this.lockOpenItem(m, id);
          await m.query(
            `UPDATE bank_suspense_items SET state = 'refunded', resolution_key = $2, resolved_by = $3, resolved_at = now(), note = $4
              WHERE id = $1`,
            [id, `bank-suspense-refund:${id}`, actor.userId, note],
          );
          await this.ledger.post(
            {
              kind: 'bank.suspense.refunded',
              businessRef: `bank-suspense:${id}`,
              idempotencyKey: `bank-suspense-refund:${id}`,
              description: 'money held in suspense refunded to the payer',
              metadata: { suspenseItemId: id },
              postings: [
                {
                  account: suspense.code,
                  direction: 'debit',
                  amount: BigInt(row.amount),
                  currency: row.currency,
                },
                {
                  account: bank.code,
                  direction: 'credit',
                  amount: BigInt(row.amount),
                  currency: row.currency,
                },
              ],
            },
            m,
          );
        });
      } catch (e) {
        throw translateLedgerError(e);
      }
    } else {
      throw new BillingError(BillingErrorCode.InvalidInput, 'action is refund or allocate', {
        field: 'action',
      });
    }
    await this.audit.record(
      actor,
      'bank.suspense.resolved',
      { type: 'bank_suspense_item', id },
      { action: input.action, note },
    );
    return (await this.suspense(actor)).find((s) => s.id === id)!;
  }

  /** The reconciliation at a glance: lines per state with their age, suspense, bank vs ledger balance. */
  async reconciliation(caller: Principal | undefined): Promise<ReconciliationView> {
    requireRole(caller, ['treasurer', 'admin']);
    const currency = (await this.policies.current()).currency;
    const rows = (await this.dataSource.query(
      `SELECT state, count(*)::int AS n, sum(amount)::text AS amount,
              max(current_date - coalesce(value_date, booking_date, created_at::date))::int AS oldest
         FROM bank_statement_lines GROUP BY state`,
    )) as { state: string; n: number; amount: string; oldest: number | null }[];
    const states: ReconciliationView['states'] = {};
    for (const r of rows) states[r.state] = { count: r.n, amount: BigInt(r.amount), oldestDays: r.oldest };
    const [s] = (await this.dataSource.query(
      `SELECT count(*)::int AS n, coalesce(sum(amount), 0)::text AS amount FROM bank_suspense_items WHERE state = 'open'`,
    )) as { n: number; amount: string }[];
    const [latest] = (await this.dataSource.query(
      `SELECT id::text, account, closing_balance::text, to_char(closing_date, 'YYYY-MM-DD') AS closing_date FROM bank_statements
        WHERE closing_balance IS NOT NULL ORDER BY closing_date DESC NULLS LAST, created_at DESC LIMIT 1`,
    )) as { id: string; account: string; closing_balance: string; closing_date: string | null }[];
    const ledgerBankBalance = await this.ledgerBank(currency);
    const bank = latest
      ? {
          account: latest.account,
          closingBalance: BigInt(latest.closing_balance),
          closingDate: latest.closing_date,
          statementId: latest.id,
        }
      : null;
    return {
      states,
      suspense: { open: s.n, amount: BigInt(s.amount) },
      bank,
      ledgerBankBalance,
      difference: bank ? bank.closingBalance - ledgerBankBalance : null,
    };
  }

  /** Books one credit line to one obligation (see `confirm`). */
  async bookLine(actor: Principal, lineId: string, declarationId: string, reason: string): Promise<void> {
    const [pre] = (await this.dataSource.query('SELECT currency FROM bank_statement_lines WHERE id = $1', [
      lineId,
    ])) as {
      currency: string;
    }[];
    if (!pre) throw lineNotFound(lineId);
    await this.receipts.prepareFor(declarationId);
    await this.ledger.ensureAccounts([suspenseAccount(pre.currency), Accounts.bank(pre.currency)]);
    try {
      await this.dataSource.transaction(async (m) => {
        const [line] = (await m.query(
          `SELECT ${LINE_COLUMNS} FROM bank_statement_lines l WHERE l.id = $1 FOR UPDATE`,
          [lineId],
        )) as LineRow[];
        if (line.direction !== 'credit')
          throw new BillingError(BillingErrorCode.LineNotConfirmable, 'a debit never books a receipt', {
            field: 'lineId',
          });
        if (!['auto', 'proposed', 'unmatched', 'needs_split'].includes(line.state))
          throw new BillingError(BillingErrorCode.LineNotConfirmable, `this line is already ${line.state}`, {
            field: 'lineId',
            state: line.state,
          });
        const [d] = (await m.query(
          'SELECT (amount_due - amount_paid)::text AS outstanding, currency FROM levy_declarations WHERE id = $1 FOR UPDATE',
          [declarationId],
        )) as { outstanding: string; currency: string }[];
        if (!d)
          throw new BillingError(BillingErrorCode.InvalidInput, `no obligation ${declarationId}`, {
            field: 'declarationId',
          });
        if (d.currency !== line.currency)
          throw new BillingError(
            BillingErrorCode.WrongCurrency,
            `the obligation is in ${d.currency}, the credit in ${line.currency}`,
          );
        const amount = BigInt(line.amount);
        const outstanding = BigInt(d.outstanding);
        const receipt = amount < outstanding ? amount : outstanding;
        const parked = amount - receipt;
        const valueDate = line.value_date ?? line.booking_date ?? new Date().toISOString().slice(0, 10);
        const suspenseKey = `bank-suspense:${lineId}`;
        await m.query(
          `UPDATE bank_statement_lines SET state = $2, declaration_id = $3, match_reason = $4, receipt_amount = $5, suspense_amount = $6,
                  ledger_entry_key = $7, resolved_by = $8, resolved_at = now() WHERE id = $1`,
          [
            lineId,
            receipt > 0n ? 'matched' : 'suspense',
            declarationId,
            line.state === 'auto' ? line.match_reason : reason,
            receipt.toString(),
            parked.toString(),
            receipt > 0n ? `contribution:receipt:camt:${line.account}:${line.line_key}` : suspenseKey,
            actor.userId,
          ],
        );
        if (parked > 0n)
          await m.query(
            `INSERT INTO bank_suspense_items (line_id, amount, currency, reason, declaration_id, ledger_key) VALUES ($1, $2, $3, $4, $5, $6)`,
            [
              lineId,
              parked.toString(),
              line.currency,
              receipt > 0n ? 'overpayment' : 'obligation_already_paid',
              declarationId,
              suspenseKey,
            ],
          );
        if (receipt > 0n)
          await this.receipts.recordIn(m, actor, declarationId, {
            bankReference: `camt:${line.account}:${line.line_key}`,
            amount: receipt,
            valueDate,
          });
        if (parked > 0n)
          await this.ledger.post(
            {
              kind: 'bank.suspense',
              businessRef: `bank-line:${lineId}`,
              idempotencyKey: suspenseKey,
              occurredAt: new Date(`${valueDate}T00:00:00Z`),
              description:
                receipt > 0n
                  ? 'overpayment held in suspense'
                  : 'credit for an obligation already paid, held in suspense',
              metadata: { lineId, declarationId },
              postings: [
                {
                  account: Accounts.bank(line.currency).code,
                  direction: 'debit',
                  amount: parked,
                  currency: line.currency,
                },
                {
                  account: suspenseAccount(line.currency).code,
                  direction: 'credit',
                  amount: parked,
                  currency: line.currency,
                },
              ],
            },
            m,
          );
        if (receipt === outstanding)
          await m.query(
            `UPDATE payment_requests SET chorus_status = 'paid', chorus_updated_at = now()
              WHERE declaration_id = $1 AND chorus_status = 'deposited'`,
            [declarationId],
          );
      });
    } catch (e) {
      throw translateLedgerError(e);
    }
  }

  private async bookAutomatic(actor: Principal, account: string): Promise<number> {
    const auto = (await this.dataSource.query(
      `SELECT id::text, declaration_id::text FROM bank_statement_lines WHERE account = $1 AND state = 'auto' ORDER BY created_at, line_key`,
      [account],
    )) as { id: string; declaration_id: string }[];
    let booked = 0;
    for (const line of auto) {
      try {
        await this.bookLine(actor, line.id, line.declaration_id, 'structured reference');
        booked += 1;
      } catch (e) {
        // Left for a person, with the reason.
        this.logger.warn({ err: e, lineId: line.id }, 'automatic match not booked');
        await this.dataSource.query(
          `UPDATE bank_statement_lines SET state = 'proposed', match_reason = $2,
                  candidates = jsonb_build_array(jsonb_build_object('declarationId', declaration_id, 'score', 100,
                    'reasons', jsonb_build_array('structured reference'))), declaration_id = NULL
            WHERE id = $1 AND state = 'auto'`,
          [line.id, `not booked automatically: ${(e as Error).message}`.slice(0, 500)],
        );
      }
    }
    return booked;
  }

  /** A bank fee: its own entry, expense against the bank account, once. */
  private async bookFee(lineId: string): Promise<void> {
    const [pre] = (await this.dataSource.query('SELECT currency FROM bank_statement_lines WHERE id = $1', [
      lineId,
    ])) as {
      currency: string;
    }[];
    await this.ledger.ensureAccounts([bankFeesAccount(pre.currency), Accounts.bank(pre.currency)]);
    try {
      await this.dataSource.transaction(async (m) => {
        const [line] = (await m.query(
          `SELECT amount::text, currency, to_char(coalesce(value_date, booking_date), 'YYYY-MM-DD') AS day, ledger_entry_key
             FROM bank_statement_lines WHERE id = $1 AND state = 'fee' FOR UPDATE`,
          [lineId],
        )) as { amount: string; currency: string; day: string | null; ledger_entry_key: string | null }[];
        if (!line || line.ledger_entry_key) return;
        const key = `bank-fee:${lineId}`;
        await m.query(
          'UPDATE bank_statement_lines SET ledger_entry_key = $2, resolved_at = now() WHERE id = $1',
          [lineId, key],
        );
        await this.ledger.post(
          {
            kind: 'bank.fee',
            businessRef: `bank-line:${lineId}`,
            idempotencyKey: key,
            occurredAt: line.day ? new Date(`${line.day}T00:00:00Z`) : undefined,
            description: 'bank charges from the statement',
            metadata: { lineId },
            postings: [
              {
                account: bankFeesAccount(line.currency).code,
                direction: 'debit',
                amount: BigInt(line.amount),
                currency: line.currency,
              },
              {
                account: Accounts.bank(line.currency).code,
                direction: 'credit',
                amount: BigInt(line.amount),
                currency: line.currency,
              },
            ],
          },
          m,
        );
      });
    } catch (e) {
      this.logger.warn({ err: e, lineId }, 'bank fee not booked');
      await this.dataSource.query(
        `UPDATE bank_statement_lines SET state = 'debit', match_reason = $2 WHERE id = $1 AND state = 'fee'`,
        [lineId, `fee not booked: ${(e as Error).message}`.slice(0, 500)],
      );
    }
  }

  /** A debit naming a payout by its end-to-end id: the payout is confirmed (posted) once. */
  private async closePayout(actor: Principal, lineId: string): Promise<void> {
    const [line] = (await this.dataSource.query(
      'SELECT match_reason FROM bank_statement_lines WHERE id = $1',
      [lineId],
    )) as {
      match_reason: string;
    }[];
    const payoutId = line.match_reason.slice('payout:'.length);
    let outcome = `payout ${payoutId} confirmed by the statement`;
    try {
      await this.payouts.confirmPayout(actor, payoutId);
    } catch (e) {
      if (!(e instanceof DisbursementsError)) throw e;
      outcome = `payout ${payoutId}: ${e.message}`;
    }
    await this.dataSource.query(
      'UPDATE bank_statement_lines SET resolved_at = now(), match_reason = $2 WHERE id = $1',
      [lineId, `payout:${payoutId} — ${outcome}`.slice(0, 500)],
    );
  }

  private async lockOpenItem(m: EntityManager, id: string): Promise<{ amount: string; currency: string }> {
    const [row] = (await m.query(
      'SELECT amount::text, currency, state FROM bank_suspense_items WHERE id = $1 FOR UPDATE',
      [id],
    )) as { amount: string; currency: string; state: string }[];
    if (!row) throw new BillingError(BillingErrorCode.SuspenseNotFound, `no suspense item ${id}`);
    if (row.state !== 'open')
      throw new BillingError(BillingErrorCode.SuspenseResolved, `this item is already ${row.state}`, {
        state: row.state,
      });
    return row;
  }

  private async obligations(references: string[]): Promise<OpenObligation[]> {
    const rows = (await this.dataSource.query(
      `SELECT d.id::text, o.name, r.number, d.creditor_reference, (d.amount_due - d.amount_paid)::text AS outstanding,
              to_char(d.due_date, 'YYYY-MM-DD') AS due_date
         FROM levy_declarations d
         JOIN organisations o ON o.id = d.organisation_id
         LEFT JOIN payment_requests r ON r.declaration_id = d.id AND r.kind = 'invoice' AND r.cancels_id IS NULL
        WHERE d.amount_paid < d.amount_due OR d.creditor_reference = ANY($1)`,
      [references.map((r) => r.replace(/\s+/g, '').toUpperCase())],
    )) as {
      id: string;
      name: string;
      number: string | null;
      creditor_reference: string | null;
      outstanding: string;
      due_date: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      organisationName: r.name,
      number: r.number,
      creditorReference: r.creditor_reference,
      outstanding: BigInt(r.outstanding),
      dueDate: r.due_date,
    }));
  }

  private fundAccount(): string {
    if (!this.config.FUND_IBAN)
      throw new BillingError(
        BillingErrorCode.FundNotConfigured,
        'the fund’s bank account (FUND_IBAN) is not configured',
      );
    return this.config.FUND_IBAN;
  }

  private async ledgerBank(currency: string): Promise<bigint> {
    const code = Accounts.bank(currency).code;
    return (await this.ledger.balances([code])).get(code)?.balance ?? 0n;
  }
}

function lineNotFound(id: string): BillingError {
  return new BillingError(BillingErrorCode.LineNotFound, `no statement line ${id}`);
}

function toLineView(r: LineRow): StatementLineView {
  return {
    id: r.id,
    statementId: r.statement_id,
    direction: r.direction,
    amount: BigInt(r.amount),
    currency: r.currency,
    bookingDate: r.booking_date,
    valueDate: r.value_date,
    ageDays: r.age_days,
    bankReference: r.bank_reference,
    endToEndId: r.end_to_end_id,
    structuredReference: r.structured_reference,
    referenceValid: r.reference_valid,
    unstructured: r.unstructured,
    partyName: r.party_name,
    bankTransactionCode: r.bank_tx_code,
    batchDeclared: r.batch_declared,
    batchPresent: r.batch_present,
    charges: BigInt(r.charges),
    state: r.state,
    declarationId: r.declaration_id,
    reason: r.match_reason,
    candidates: r.candidates,
    receiptAmount: BigInt(r.receipt_amount),
    suspenseAmount: BigInt(r.suspense_amount),
  };
}
