import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@app/database';
import { assertCurrency, MAX_AMOUNT } from '@app/money';
import { LedgerHooks } from './ledger-hooks';
import { canonicalRequest, entryFields, requestHash } from './request-hash';
import { LedgerError, LedgerErrorCode } from './ledger.errors';
import {
  AccountBalance,
  AccountSpec,
  EntryFlow,
  NormalSide,
  PostedEntry,
  PostedPosting,
  PostEntryCommand,
} from './ledger.types';

const HOT_SHARDS = 16;

/** An account as the ledger knows it once created (accounts never change). */
export interface AccountRow {
  id: string;
  code: string;
  currency: string;
  normalSide: NormalSide;
}

interface EntryRow {
  id: string;
  kind: string;
  business_ref: string;
  idempotency_key: string;
  request_hash: Buffer;
  flow: EntryFlow;
  pending_entry_id: string | null;
  reverses_entry_id: string | null;
  policy_version: number | null;
  description: string | null;
  metadata: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
}

/**
 * The only way money moves. `post()` writes one balanced entry atomically: the database checks
 * balance per currency, limits, currencies and immutability; this service checks the command first
 * so that bad input fails with a clear code before anything is written.
 */
@Injectable()
export class LedgerService {
  private readonly accounts = new Map<string, AccountRow>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hooks: LedgerHooks,
  ) {}

  /** Creates the accounts that do not exist yet; an existing account must match its spec. */
  async ensureAccounts(
    specs: readonly AccountSpec[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const missing = specs.filter((s) => !this.accounts.has(s.code));
    if (missing.length === 0) return;
    for (const spec of missing) assertCurrency(spec.currency);
    // One statement: inserts the accounts that do not exist yet and reads back all of them.
    // Existing ones are filtered out before the insert (ON CONFLICT alone costs ~0.1 ms per
    // conflicting row); one created meanwhile by another transaction is neither inserted nor
    // visible here, and is read by a second query.
    const found = (await manager.query(
      `WITH wanted AS (
         SELECT * FROM unnest($1::text[], $2::char(3)[], $3::text[], $4::text[], $5::smallint[])
           AS w(code, currency, normal_side, balance_limit, shard_count)
       ), existing AS (
         SELECT a.id, a.code, a.currency, a.normal_side FROM ledger_accounts a JOIN wanted w ON w.code = a.code
       ), created AS (
         INSERT INTO ledger_accounts (code, currency, normal_side, balance_limit, shard_count)
         SELECT * FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.code = w.code)
         ON CONFLICT (code) DO NOTHING
         RETURNING id, code, currency, normal_side
       )
       SELECT id::text AS id, code, currency, normal_side AS "normalSide" FROM existing
       UNION ALL
       SELECT id::text, code, currency, normal_side FROM created`,
      [
        missing.map((s) => s.code),
        missing.map((s) => s.currency),
        missing.map((s) => s.normalSide),
        missing.map((s) => s.balanceLimit),
        missing.map((s) => (s.hot ? HOT_SHARDS : 1)),
      ],
    )) as AccountRow[];
    const rows = new Map(found.map((row) => [row.code, row]));
    this.remember(manager, found);
    const unseen = missing.filter((s) => !rows.has(s.code)).map((s) => s.code);
    if (unseen.length > 0) {
      for (const [code, row] of await this.loadAccounts(manager, unseen)) rows.set(code, row);
    }
    for (const spec of missing) {
      const row = rows.get(spec.code);
      if (!row || row.currency !== spec.currency || row.normalSide !== spec.normalSide) {
        throw new LedgerError(
          LedgerErrorCode.AccountConflict,
          `account ${spec.code} exists with another definition`,
        );
      }
    }
  }

  /** True when every account is known committed (posting to them needs no lookup or creation). */
  knowsAccounts(codes: readonly string[]): boolean {
    return codes.every((code) => this.accounts.has(code));
  }

  /**
   * Remembers accounts a caller read from committed data (a snapshot of another transaction, or
   * no transaction at all), so that posting to them needs no lookup. Never pass an account read
   * inside a transaction that may still roll back.
   */
  rememberCommittedAccounts(rows: readonly AccountRow[]): void {
    for (const row of rows) this.accounts.set(row.code, row);
  }

  /**
   * Posts one entry. Replaying the same idempotency key with the same content returns the entry
   * first recorded (`created: false`); with other content it is a conflict and nothing is written.
   * With `manager`, the entry joins the caller's transaction.
   */
  async post(command: PostEntryCommand, manager?: EntityManager): Promise<PostedEntry> {
    const requestHash = this.validate(command);
    try {
      if (manager) return await this.postIn(manager, command, requestHash);
      const seen = new Map<string, AccountRow>();
      const entry = await this.dataSource.transaction((m) => this.postIn(m, command, requestHash, seen));
      for (const [code, row] of seen) this.accounts.set(code, row);
      return entry;
    } catch (error) {
      throw translateLedgerError(error);
    }
  }

  /**
   * A transaction for business rows and the ledger entries they imply, committed together. What
   * the database refuses, including at COMMIT (limits, balance, the public log), keeps its ledger code.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      throw translateLedgerError(error);
    }
  }

  /** A new entry undoing `entryId` posting for posting; an entry is reversed at most once. */
  async reverse(
    entryId: string,
    options: {
      idempotencyKey: string;
      kind?: string;
      businessRef?: string;
      description?: string;
      metadata?: Record<string, unknown>;
    },
    manager?: EntityManager,
  ): Promise<PostedEntry> {
    const original = await this.getEntry(entryId, manager);
    if (original.flow !== 'posted') {
      throw new LedgerError(
        LedgerErrorCode.InvalidEntry,
        'only posted entries are reversed; void a pending one',
      );
    }
    return this.post(
      {
        kind: options.kind ?? `${original.kind}.reversal`.slice(0, 64),
        businessRef: options.businessRef ?? original.businessRef,
        idempotencyKey: options.idempotencyKey,
        reversesEntryId: original.id,
        description: options.description ?? `reversal of entry ${original.id}`,
        metadata: options.metadata,
        policyVersion: original.policyVersion ?? undefined,
        postings: original.postings.map((p) => ({
          account: p.account,
          currency: p.currency,
          amount: p.amount,
          direction: p.direction === 'debit' ? 'credit' : 'debit',
        })),
      },
      manager,
    );
  }

  /** Resolves a pending entry: `post_pending` makes its reservation final, `void_pending` releases it. */
  async resolvePending(
    pendingEntryId: string,
    flow: 'post_pending' | 'void_pending',
    options: {
      idempotencyKey: string;
      kind?: string;
      description?: string;
      metadata?: Record<string, unknown>;
    },
    manager?: EntityManager,
  ): Promise<PostedEntry> {
    const pending = await this.getEntry(pendingEntryId, manager);
    if (pending.flow !== 'pending')
      throw new LedgerError(LedgerErrorCode.NotPending, `entry ${pendingEntryId} is not pending`);
    return this.post(
      {
        kind: options.kind ?? `${pending.kind}.${flow === 'post_pending' ? 'posted' : 'voided'}`.slice(0, 64),
        businessRef: pending.businessRef,
        idempotencyKey: options.idempotencyKey,
        flow,
        pendingEntryId: pending.id,
        description: options.description,
        metadata: options.metadata,
        postings: pending.postings.map((p) => ({
          account: p.account,
          currency: p.currency,
          amount: p.amount,
          direction: p.direction,
        })),
      },
      manager,
    );
  }

  async getEntry(entryId: string, manager: EntityManager = this.dataSource.manager): Promise<PostedEntry> {
    if (!/^[0-9]{1,19}$/.test(entryId))
      throw new LedgerError(LedgerErrorCode.UnknownEntry, `no entry ${entryId}`);
    const rows = (await manager.query('SELECT * FROM ledger_entries WHERE id = $1', [entryId])) as EntryRow[];
    if (rows.length === 0) throw new LedgerError(LedgerErrorCode.UnknownEntry, `no entry ${entryId}`);
    return this.hydrate(manager, rows[0], false);
  }

  async findByIdempotencyKey(
    key: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PostedEntry | null> {
    const rows = (await manager.query('SELECT * FROM ledger_entries WHERE idempotency_key = $1', [
      key,
    ])) as EntryRow[];
    return rows.length === 0 ? null : this.hydrate(manager, rows[0], false);
  }

  /** Current balances (the sum of an account's balance shards). */
  async balances(
    codes: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, AccountBalance>> {
    const rows = (await manager.query(
      `SELECT a.code, a.currency, a.normal_side, a.balance_limit,
              sum(b.debits_posted) AS dp, sum(b.credits_posted) AS cp,
              sum(b.debits_pending) AS dpe, sum(b.credits_pending) AS cpe
         FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
        WHERE a.code = ANY($1) GROUP BY a.id`,
      [codes],
    )) as {
      code: string;
      currency: string;
      normal_side: NormalSide;
      dp: string;
      cp: string;
      dpe: string;
      cpe: string;
    }[];
    const result = new Map<string, AccountBalance>();
    for (const r of rows) {
      const [dp, cp, dpe, cpe] = [BigInt(r.dp), BigInt(r.cp), BigInt(r.dpe), BigInt(r.cpe)];
      const debitNormal = r.normal_side === 'debit';
      result.set(r.code, {
        account: r.code,
        currency: r.currency,
        normalSide: r.normal_side,
        debitsPosted: dp,
        creditsPosted: cp,
        debitsPending: dpe,
        creditsPending: cpe,
        balance: debitNormal ? dp - cp : cp - dp,
        available: debitNormal ? dp - cp - cpe : cp - dp - dpe,
      });
    }
    return result;
  }

  async balance(code: string, manager?: EntityManager): Promise<AccountBalance> {
    const found = (await this.balances([code], manager)).get(code);
    if (!found)
      throw new LedgerError(LedgerErrorCode.UnknownAccount, `no account ${code}`, { account: code });
    return found;
  }

  private async postIn(
    manager: EntityManager,
    command: PostEntryCommand,
    requestHash: Buffer,
    seen?: Map<string, AccountRow>,
  ): Promise<PostedEntry> {
    const codes = [...new Set(command.postings.map((p) => p.account))];
    const accounts = await this.loadAccounts(manager, codes, seen);
    for (const posting of command.postings) {
      const account = accounts.get(posting.account);
      if (!account) {
        throw new LedgerError(LedgerErrorCode.UnknownAccount, `no account ${posting.account}`, {
          account: posting.account,
        });
      }
      if (account.currency !== posting.currency) {
        throw new LedgerError(
          LedgerErrorCode.CurrencyMismatch,
          `account ${posting.account} holds ${account.currency}, not ${posting.currency}`,
          { account: posting.account },
        );
      }
    }
    // Postings in ascending account order: accounts are locked in one fixed order, no deadlock.
    const postings: PostedPosting[] = command.postings
      .map((p) => ({
        accountId: accounts.get(p.account)!.id,
        account: p.account,
        direction: p.direction,
        amount: p.amount,
        currency: p.currency,
      }))
      .sort(
        (a, b) =>
          compareIds(a.accountId, b.accountId) ||
          (a.direction === b.direction ? 0 : a.direction === 'credit' ? -1 : 1),
      );
    // The entry, its postings and the hooks' rows (its public log leaf) in one statement (one round
    // trip); nothing is written when the idempotency key is already taken. A hook can write with
    // the entry only when it knows the entry beforehand: here, when the command gives its time.
    const params: unknown[] = [
      command.kind,
      command.businessRef,
      command.idempotencyKey,
      requestHash,
      command.flow ?? 'posted',
      command.pendingEntryId ?? null,
      command.reversesEntryId ?? null,
      command.policyVersion ?? null,
      command.description ?? null,
      JSON.stringify(command.metadata ?? {}),
      command.occurredAt ?? null,
      // Array literals written here: every element is digits or letters (ids, amounts, checked
      // currencies, D/C), and the driver's generic quoting of thousands of elements is slow.
      `{${postings.map((p) => p.accountId).join(',')}}`,
      `{${postings.map((p) => p.currency).join(',')}}`,
      `{${postings.map((p) => (p.direction === 'debit' ? 'D' : 'C')).join(',')}}`,
      `{${postings.map((p) => p.amount.toString()).join(',')}}`,
    ];
    const withEntry = command.occurredAt
      ? this.hooks.writeWithEntry(
          {
            ...entryFields(command),
            idempotencyKey: command.idempotencyKey,
            occurredAt: command.occurredAt,
            postings,
          },
          params.length + 1,
        )
      : [];
    const hookCtes = withEntry.map((w, i) => (w ? `, hook_${i} AS (${w.sql})` : '')).join('');
    for (const w of withEntry) if (w) params.push(...w.params);
    const inserted = await queryPrepared<EntryRow>(
      manager,
      `WITH entry AS (
         INSERT INTO ledger_entries (kind, business_ref, idempotency_key, request_hash, flow, pending_entry_id,
                                     reverses_entry_id, policy_version, description, metadata, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11::timestamptz, now()))
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING *
       ), posted AS (
         INSERT INTO ledger_postings (entry_id, account_id, currency, direction, amount)
         SELECT entry.id, a, c, d, m
           FROM entry, unnest($12::bigint[], $13::char(3)[], $14::char(1)[], $15::bigint[]) WITH ORDINALITY AS t(a, c, d, m, n)
          ORDER BY n
         RETURNING 1
       )${hookCtes}
       SELECT entry.*, (SELECT count(*) FROM posted) AS posting_count FROM entry`,
      params,
    );
    if (inserted.length === 0) {
      const [existing] = (await manager.query('SELECT * FROM ledger_entries WHERE idempotency_key = $1', [
        command.idempotencyKey,
      ])) as EntryRow[];
      if (!existing || !Buffer.from(existing.request_hash).equals(requestHash)) {
        throw new LedgerError(
          LedgerErrorCode.IdempotencyConflict,
          `idempotency key ${command.idempotencyKey} was used for another entry`,
          { idempotencyKey: command.idempotencyKey },
        );
      }
      return this.hydrate(manager, existing, false);
    }
    const posted = this.toEntry(inserted[0], postings, true);
    await this.hooks.run(
      manager,
      posted,
      withEntry.map((w) => w !== null),
    );
    return posted;
  }

  private validate(command: PostEntryCommand): Buffer {
    const invalid = (message: string) => new LedgerError(LedgerErrorCode.InvalidEntry, message);
    if (!/^[a-z][a-z0-9_.:-]{0,63}$/.test(command.kind))
      throw invalid(`invalid entry kind "${command.kind}"`);
    if (!command.businessRef || command.businessRef.length > 200)
      throw invalid('a business reference of 1 to 200 characters is required');
    if (!command.idempotencyKey || command.idempotencyKey.length > 255)
      throw invalid('an idempotency key of 1 to 255 characters is required');
    if (
      (command.flow === 'post_pending' || command.flow === 'void_pending') !==
      (command.pendingEntryId !== undefined)
    ) {
      throw invalid('a post or void names the pending entry it resolves, and only they do');
    }
    if (command.postings.length < 2)
      throw new LedgerError(LedgerErrorCode.Unbalanced, 'an entry needs at least two postings');
    const sums = new Map<string, bigint>();
    for (const p of command.postings) {
      if (typeof p.amount !== 'bigint' || p.amount <= 0n || p.amount > MAX_AMOUNT) {
        throw invalid(`posting amounts must be positive bigint minor units (account ${p.account})`);
      }
      assertCurrency(p.currency);
      sums.set(p.currency, (sums.get(p.currency) ?? 0n) + (p.direction === 'debit' ? p.amount : -p.amount));
    }
    for (const [currency, sum] of sums) {
      if (sum !== 0n)
        throw new LedgerError(
          LedgerErrorCode.Unbalanced,
          `debits and credits differ by ${sum} in ${currency}`,
          { currency },
        );
    }
    const canonical = canonicalRequest(command);
    if (canonical === undefined) throw invalid('the entry cannot be serialised');
    return requestHash(canonical);
  }

  /**
   * Accounts never change once committed, so their ids are cached — but only once known to be
   * committed: an account read inside a transaction may vanish with its rollback.
   */
  private async loadAccounts(
    manager: EntityManager,
    codes: readonly string[],
    seen?: Map<string, AccountRow>,
  ): Promise<Map<string, AccountRow>> {
    const result = new Map<string, AccountRow>();
    const unknown = codes.filter((c) => {
      const cached = this.accounts.get(c);
      if (cached) result.set(c, cached);
      return !cached;
    });
    if (unknown.length > 0) {
      const rows = (await manager.query(
        'SELECT id::text AS id, code, currency, normal_side AS "normalSide" FROM ledger_accounts WHERE code = ANY($1)',
        [unknown],
      )) as AccountRow[];
      for (const row of rows) result.set(row.code, row);
      this.remember(manager, rows, seen);
    }
    return result;
  }

  /**
   * Accounts read through `manager`: cached when that read was outside any transaction (so
   * committed), else only noted in `seen`, to be cached once the caller's transaction commits.
   */
  private remember(
    manager: EntityManager,
    rows: readonly AccountRow[],
    seen?: Map<string, AccountRow>,
  ): void {
    if (!manager.queryRunner?.isTransactionActive) this.rememberCommittedAccounts(rows);
    else if (seen) for (const row of rows) seen.set(row.code, row);
  }

  private async hydrate(manager: EntityManager, row: EntryRow, created: boolean): Promise<PostedEntry> {
    const postings = (await manager.query(
      `SELECT p.account_id::text AS "accountId", a.code AS account, p.direction, p.amount, p.currency
         FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.entry_id = $1 ORDER BY p.id`,
      [row.id],
    )) as {
      accountId: string;
      account: string;
      direction: 'D' | 'C';
      amount: bigint | string;
      currency: string;
    }[];
    return this.toEntry(
      row,
      postings.map((p) => ({
        ...p,
        direction: p.direction === 'D' ? 'debit' : 'credit',
        amount: BigInt(p.amount),
      })),
      created,
    );
  }

  private toEntry(row: EntryRow, postings: PostedPosting[], created: boolean): PostedEntry {
    return {
      id: String(row.id),
      kind: row.kind,
      businessRef: row.business_ref,
      idempotencyKey: row.idempotency_key,
      flow: row.flow,
      pendingEntryId: row.pending_entry_id === null ? null : String(row.pending_entry_id),
      reversesEntryId: row.reverses_entry_id === null ? null : String(row.reverses_entry_id),
      policyVersion: row.policy_version,
      description: row.description,
      metadata: row.metadata,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      postings,
      created,
    };
  }
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Maps what the database refused to the ledger's own codes. */
export function translateLedgerError(error: unknown): unknown {
  if (error instanceof LedgerError) return error;
  const e = error as { code?: string; constraint?: string; detail?: string; message?: string };
  switch (e.code) {
    case 'LG001':
      return new LedgerError(LedgerErrorCode.BalanceLimitExceeded, `balance limit exceeded on ${e.detail}`, {
        account: e.detail,
      });
    case 'LG002':
      return new LedgerError(LedgerErrorCode.Unbalanced, e.message ?? 'unbalanced entry');
    case 'LG003':
      return new LedgerError(LedgerErrorCode.Immutable, e.message ?? 'ledger rows are immutable');
    case 'LG005':
      return new LedgerError(
        LedgerErrorCode.NotLogged,
        e.message ?? 'every ledger entry must be appended to the public log',
      );
    case 'LG004':
      return new LedgerError(LedgerErrorCode.NotPending, e.message ?? 'not a pending entry');
    case '23505':
      if (e.constraint === 'ledger_entries_reverses_entry_id_key') {
        return new LedgerError(LedgerErrorCode.AlreadyReversed, 'this entry has already been reversed');
      }
      if (e.constraint === 'ledger_entries_pending_entry_id_key') {
        return new LedgerError(
          LedgerErrorCode.PendingAlreadyResolved,
          'this pending entry is already posted or voided',
        );
      }
      return error;
    case '23503':
      if (
        e.constraint === 'ledger_entries_reverses_entry_fkey' ||
        e.constraint === 'ledger_entries_pending_entry_fkey'
      ) {
        return new LedgerError(LedgerErrorCode.UnknownEntry, 'the referenced entry does not exist');
      }
      if (e.constraint === 'ledger_postings_account_currency_fkey') {
        return new LedgerError(
          LedgerErrorCode.CurrencyMismatch,
          'a posting does not match the currency of its account',
        );
      }
      return error;
    default:
      return error;
  }
}
