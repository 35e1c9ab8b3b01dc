import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@app/database';
import { AccountSpec, Accounts, LedgerService, PostingCommand, PROJECT_DEBITS_LOCK_KEY } from '@app/ledger';
import { PolicyService } from '@app/policy';
import { feeCoverAccount } from './contribution-accounts';
import {
  Direction,
  reversalSplit,
  SplitPart,
  splitGross,
  splitParts,
  SplitPolicy,
} from './contribution-split';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';

export interface BookContributionCommand {
  readonly source: 'bank_receipt' | 'stripe';
  /** The business key booked exactly once: `receipt:<bank ref>`, `stripe:pi:<id>`, `stripe:invoice:<id>`. */
  readonly sourceRef: string;
  readonly contributorKind: 'organisation' | 'donor';
  readonly organisationId?: string | null;
  readonly declarationId?: string | null;
  readonly donationIntentId?: string | null;
  readonly currency: string;
  readonly gross: bigint;
  readonly processorFee: bigint;
  /** Where the cash is: the bank account or the Stripe balance. */
  readonly cash: AccountSpec;
  readonly directions: readonly Direction[];
  readonly occurredAt: Date;
  readonly stripeChargeId?: string | null;
  /** Public metadata of the ledger entry (no personal data). */
  readonly metadata?: Record<string, unknown>;
  /** The policy to split under, when the caller already read the current one (else read here). */
  readonly policy?: SplitPolicy & { readonly currency?: string };
  /**
   * True when the caller already holds an exclusive lock that makes this source new (the bank
   * receipt's obligation row, with its reference checked unused): no advisory lock or lookup.
   */
  readonly sourceKnownNew?: boolean;
}

/** The caller's rows written with a contribution (see `ContributionBookingService.book`). */
export interface AlsoWrite {
  readonly ctes: string;
  readonly select: string;
  readonly params: unknown[];
}

export interface BookedContribution {
  readonly id: string;
  readonly sourceRef: string;
  readonly ledgerKey: string;
  /** The entry's id when it was posted by this call; null when the contribution already existed. */
  readonly ledgerEntryId: string | null;
  readonly policyVersion: number;
  readonly gross: bigint;
  readonly processorFee: bigint;
  readonly net: bigint;
  readonly parts: SplitPart[];
  readonly created: boolean;
  /** The rows of `alsoWrite`'s SELECT, when this call booked the contribution. */
  readonly alsoWritten?: unknown[];
}

export interface ReverseContributionCommand {
  readonly contributionId: string;
  /** `stripe:refund:<id>`, `stripe:dispute:<id>` */
  readonly sourceRef: string;
  readonly kind: 'refund' | 'dispute';
  readonly amount: bigint;
  readonly occurredAt: Date;
}

interface ContributionRow {
  id: string;
  source_ref: string;
  currency: string;
  gross: string;
  processor_fee: string;
  net: string;
  operating_fee: string;
  pool: string;
  directed: { projectId: string; amount: string }[];
  policy_version: number;
  ledger_key: string;
  source: string;
}

/** Every account a booking may credit: cash, fee, operating, pool, each directed project. */
function bookingAccounts(
  currency: string,
  cash: AccountSpec,
  directions: readonly Direction[],
): AccountSpec[] {
  return [
    cash,
    Accounts.operatingIncome(currency),
    Accounts.pool(currency),
    Accounts.processorFees(currency),
    feeCoverAccount(currency),
    ...directions.map((d) => Accounts.projectDirected(d.projectId, currency)),
  ];
}

/** The account a split part is booked to. */
export function partAccount(key: string, currency: string): AccountSpec {
  if (key === 'operating') return Accounts.operatingIncome(currency);
  if (key === 'pool') return Accounts.pool(currency);
  if (key.startsWith('project:')) return Accounts.projectDirected(key.slice('project:'.length), currency);
  throw new Error(`unknown split part ${key}`);
}

/**
 * Books contributions and their reversals in the ledger, exactly once per business key: one
 * entry per contribution (cash in, processor fee as its own posting, the net split into operating
 * fee, directed share per project and pool), and one per refund or dispute, taking back the parts
 * in proportion to what they still hold; what a project no longer holds (already paid out) is
 * charged to the pool by an explicit entry.
 */
@Injectable()
export class ContributionBookingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly policies: PolicyService,
  ) {}

  /**
   * Creates, outside any transaction, the accounts a booking will credit (cash, fee, operating,
   * pool, each directed project). Call it before opening the booking transaction, so that the
   * booking itself never needs a second connection.
   */
  async prepareAccounts(
    currency: string,
    cash: AccountSpec,
    directions: readonly Direction[],
  ): Promise<void> {
    await this.ledger.ensureAccounts(bookingAccounts(currency, cash, directions));
  }

  /** True when the ledger already knows every account a booking would credit (no preparation needed). */
  accountsReady(currency: string, cash: AccountSpec, directions: readonly Direction[]): boolean {
    return this.ledger.knowsAccounts(bookingAccounts(currency, cash, directions).map((a) => a.code));
  }

  /** Serialises work on one business key across processes until the transaction ends. */
  async lock(manager: EntityManager, key: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [key]);
  }

  async findBySourceRef(
    sourceRef: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<BookedContribution | null> {
    const rows = (await manager.query('SELECT * FROM contributions WHERE source_ref = $1', [
      sourceRef,
    ])) as ContributionRow[];
    return rows.length === 0 ? null : toBooked(rows[0], false);
  }

  /**
   * Books one contribution inside the caller's transaction; a second call with the same source
   * returns the first. `alsoWrite` adds the caller's own rows to the statement that inserts the
   * contribution row (one round trip for both): data-modifying CTEs that may read its id from the
   * CTE `contribution`, and the SELECT whose rows come back as `alsoWritten`; its parameters are
   * numbered from `first`. The ledger entry is posted after (the last write of the transaction).
   */
  async book(
    manager: EntityManager,
    command: BookContributionCommand,
    alsoWrite?: (first: number) => AlsoWrite,
  ): Promise<BookedContribution> {
    if (command.gross <= 0n || command.processorFee < 0n || command.processorFee > command.gross) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        'a contribution needs a positive gross amount and a fee within it',
      );
    }
    // Lock the business key, then look for a booking already made: two statements, so that the
    // lookup's snapshot is taken after the lock is held (a booking committed meanwhile is seen).
    if (!command.sourceKnownNew) {
      await this.lock(manager, command.sourceRef);
      const existing = await this.findBySourceRef(command.sourceRef, manager);
      if (existing) return existing;
    }
    const policy = command.policy ?? (await this.policies.current(new Date(), manager));
    const currency = command.currency;
    const split = splitGross(command.gross, command.processorFee, policy, command.directions);
    const net = split.net;
    const parts = splitParts(split);
    const specs: AccountSpec[] = [command.cash, ...parts.map((p) => partAccount(p.key, currency))];
    if (command.processorFee > 0n) specs.push(Accounts.processorFees(currency), feeCoverAccount(currency));
    // Accounts are created outside the booking transaction: the ledger caches account ids, and an
    // id cached from a transaction that later rolls back would poison every other booking.
    await this.ledger.ensureAccounts(specs);
    const postings: PostingCommand[] = [];
    if (net > 0n) postings.push({ account: command.cash.code, direction: 'debit', amount: net, currency });
    if (command.processorFee > 0n) {
      postings.push(
        {
          account: Accounts.processorFees(currency).code,
          direction: 'debit',
          amount: command.processorFee,
          currency,
        },
        {
          account: feeCoverAccount(currency).code,
          direction: 'credit',
          amount: command.processorFee,
          currency,
        },
      );
    }
    for (const p of parts) {
      if (p.amount > 0n)
        postings.push({
          account: partAccount(p.key, currency).code,
          direction: 'credit',
          amount: p.amount,
          currency,
        });
    }
    const id = randomUUID();
    const ledgerKey = `contribution:${command.sourceRef}`;
    const insert = `INSERT INTO contributions (id, source, source_ref, contributor_kind, organisation_id, declaration_id, donation_intent_id,
         currency, gross, processor_fee, net, operating_fee, directed_share, pool, directed, policy_version, allocation_rule,
         stripe_charge_id, ledger_key, occurred_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)`;
    const values = [
      id,
      command.source,
      command.sourceRef,
      command.contributorKind,
      command.organisationId ?? null,
      command.declarationId ?? null,
      command.donationIntentId ?? null,
      currency,
      command.gross.toString(),
      command.processorFee.toString(),
      net.toString(),
      split.operatingFee.toString(),
      split.directedShare.toString(),
      split.pool.toString(),
      JSON.stringify(split.directed.map((d) => ({ projectId: d.projectId, amount: d.amount.toString() }))),
      policy.version,
      split.rule,
      command.stripeChargeId ?? null,
      ledgerKey,
      command.occurredAt,
    ];
    const also = alsoWrite?.(values.length + 1);
    let alsoWritten: unknown[] = [];
    if (also) {
      alsoWritten = await queryPrepared(
        manager,
        `WITH contribution AS (${insert} RETURNING id), ${also.ctes} ${also.select}`,
        [...values, ...also.params],
      );
    } else {
      await manager.query(insert, values);
    }
    // The entry last: posting it appends to the transparency log, whose head stays locked until COMMIT.
    const entry = await this.ledger.post(
      {
        kind: command.source === 'bank_receipt' ? 'contribution.levy' : 'contribution.donation',
        businessRef: command.sourceRef,
        idempotencyKey: ledgerKey,
        occurredAt: command.occurredAt,
        policyVersion: policy.version,
        description:
          command.source === 'bank_receipt'
            ? 'levy received by bank transfer'
            : 'donation received through Stripe',
        metadata: {
          ...command.metadata,
          contributionId: id,
          gross: command.gross.toString(),
          processorFee: command.processorFee.toString(),
          net: net.toString(),
          allocationRule: split.rule,
          directed: split.directed.map((d) => ({ projectId: d.projectId, amount: d.amount.toString() })),
        },
        postings,
      },
      manager,
    );
    return {
      id,
      sourceRef: command.sourceRef,
      ledgerKey,
      ledgerEntryId: entry.id,
      policyVersion: policy.version,
      gross: command.gross,
      processorFee: command.processorFee,
      net,
      parts,
      created: true,
      alsoWritten,
    };
  }

  /**
   * Takes back part of a contribution (refund or dispute), once per source. The cash leaves the
   * account it came in; the parts give back in proportion to what they still hold; the share of
   * the processor's fee (not returned) and whatever a project no longer holds fall on the pool.
   */
  async reverse(
    manager: EntityManager,
    command: ReverseContributionCommand,
  ): Promise<{ id: string; created: boolean }> {
    const [row] = (await manager.query('SELECT * FROM contributions WHERE id = $1', [
      command.contributionId,
    ])) as ContributionRow[];
    if (!row)
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        `no contribution ${command.contributionId}`,
      );
    await this.lock(manager, row.source_ref);
    // Never while a disbursement run executes: it would move to payable money this takes back.
    await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [PROJECT_DEBITS_LOCK_KEY]);
    const existing = (await manager.query('SELECT id FROM contribution_reversals WHERE source_ref = $1', [
      command.sourceRef,
    ])) as { id: string }[];
    if (existing.length > 0) return { id: existing[0].id, created: false };
    const currency = row.currency;
    const gross = BigInt(row.gross);
    const fee = BigInt(row.processor_fee);
    const remaining = await this.remainingParts(manager, row);
    const reversedSoFar = (await manager.query(
      `SELECT coalesce(sum(CASE WHEN kind = 'dispute_won' THEN -amount ELSE amount END), 0)::text AS s
         FROM contribution_reversals WHERE contribution_id = $1`,
      [row.id],
    )) as { s: string }[];
    const left = gross - BigInt(reversedSoFar[0].s);
    const amount = command.amount > left ? left : command.amount;
    if (amount <= 0n) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        `nothing is left to reverse on contribution ${row.id}`,
      );
    }
    const split = reversalSplit(amount, gross, fee, remaining);
    const cash = row.source === 'bank_receipt' ? Accounts.bank(currency) : Accounts.stripe(currency);
    // What a project or the pool no longer holds cannot be taken back from it.
    const codes = split.parts.map((p) => partAccount(p.key, currency).code);
    const balances = await this.ledger.balances(codes, manager);
    let shortfall = 0n;
    const taken: SplitPart[] = split.parts.map((p) => {
      const spec = partAccount(p.key, currency);
      if (spec.balanceLimit === 'none' || p.amount === 0n) return p;
      const available = balances.get(spec.code)?.available ?? 0n;
      const take = p.amount > available ? (available > 0n ? available : 0n) : p.amount;
      shortfall += p.amount - take;
      return { key: p.key, amount: take };
    });
    const poolCode = Accounts.pool(currency).code;
    const postings: PostingCommand[] = [];
    if (amount - shortfall > 0n)
      postings.push({ account: cash.code, direction: 'credit', amount: amount - shortfall, currency });
    for (const p of taken) {
      if (p.amount > 0n)
        postings.push({
          account: partAccount(p.key, currency).code,
          direction: 'debit',
          amount: p.amount,
          currency,
        });
    }
    if (split.feeShare > 0n)
      postings.push({ account: poolCode, direction: 'debit', amount: split.feeShare, currency });
    const id = randomUUID();
    const metadata = {
      contributionId: row.id,
      reversalId: id,
      amount: amount.toString(),
      processorFeeShareChargedToPool: split.feeShare.toString(),
      allocationRule: 'hamilton-v1',
    };
    const mainKey = postings.length === 0 ? null : `reversal:${command.sourceRef}`;
    const shortfallKey = shortfall > 0n ? `shortfall:${command.sourceRef}` : null;
    await manager.query(
      `INSERT INTO contribution_reversals (id, contribution_id, source_ref, kind, amount, parts, fee_share, shortfall, ledger_key, shortfall_key)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
        id,
        row.id,
        command.sourceRef,
        command.kind,
        amount.toString(),
        JSON.stringify(split.parts.map((p) => ({ key: p.key, amount: p.amount.toString() }))),
        split.feeShare.toString(),
        shortfall.toString(),
        mainKey ?? shortfallKey,
        mainKey ? shortfallKey : null,
      ],
    );
    if (mainKey) {
      await this.ledger.post(
        {
          kind: `contribution.${command.kind}`,
          businessRef: command.sourceRef,
          idempotencyKey: mainKey,
          occurredAt: command.occurredAt,
          policyVersion: row.policy_version,
          description: `${command.kind} of contribution ${row.id}`,
          metadata,
          postings,
        },
        manager,
      );
    }
    if (shortfallKey) {
      await this.ledger.post(
        {
          kind: 'contribution.shortfall',
          businessRef: command.sourceRef,
          idempotencyKey: shortfallKey,
          occurredAt: command.occurredAt,
          policyVersion: row.policy_version,
          description: `the part of ${command.kind} ${command.sourceRef} already paid out, charged to the pool`,
          metadata: { contributionId: row.id, reversalId: id, shortfall: shortfall.toString() },
          postings: [
            { account: poolCode, direction: 'debit', amount: shortfall, currency },
            { account: cash.code, direction: 'credit', amount: shortfall, currency },
          ],
        },
        manager,
      );
    }
    return { id, created: true };
  }

  /**
   * A fee the processor takes from (or, negative, gives back to) the fund's processor balance for
   * a dispute, booked once by the processor's balance transaction id: an operating expense paid
   * from that balance, so the books keep matching the processor's statement. The disputed money
   * itself is reversed by `reverse`.
   */
  async bookDisputeFee(
    manager: EntityManager,
    command: {
      readonly balanceTransactionId: string;
      readonly disputeId: string;
      readonly chargeId: string;
      readonly currency: string;
      readonly fee: bigint;
      readonly cash: AccountSpec;
      readonly occurredAt: Date;
    },
  ): Promise<{ created: boolean }> {
    if (command.fee === 0n) return { created: false };
    const expense = Accounts.processorFees(command.currency);
    const amount = command.fee > 0n ? command.fee : -command.fee;
    const [debit, credit] = command.fee > 0n ? [expense, command.cash] : [command.cash, expense];
    const entry = await this.ledger.post(
      {
        kind: 'contribution.dispute_fee',
        businessRef: `stripe:dispute:${command.disputeId}`,
        idempotencyKey: `stripe:dispute_fee:${command.balanceTransactionId}`,
        occurredAt: command.occurredAt,
        metadata: { chargeId: command.chargeId, balanceTransactionId: command.balanceTransactionId },
        postings: [
          { account: debit.code, direction: 'debit', amount, currency: command.currency },
          { account: credit.code, direction: 'credit', amount, currency: command.currency },
        ],
      },
      manager,
    );
    return { created: entry.created };
  }

  /** A dispute won: the withdrawn funds come back, undoing the dispute's entries exactly. */
  async reinstateDispute(
    manager: EntityManager,
    disputeSourceRef: string,
    occurredAt: Date,
  ): Promise<{ created: boolean }> {
    const wonRef = `${disputeSourceRef}:won`;
    const [dispute] = (await manager.query('SELECT * FROM contribution_reversals WHERE source_ref = $1', [
      disputeSourceRef,
    ])) as {
      id: string;
      contribution_id: string;
      amount: string;
      parts: unknown;
      fee_share: string;
      shortfall: string;
      ledger_key: string;
      shortfall_key: string | null;
    }[];
    if (!dispute)
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        `no dispute booked as ${disputeSourceRef}`,
      );
    const [{ source_ref }] = (await manager.query('SELECT source_ref FROM contributions WHERE id = $1', [
      dispute.contribution_id,
    ])) as {
      source_ref: string;
    }[];
    await this.lock(manager, source_ref);
    const done = (await manager.query('SELECT 1 FROM contribution_reversals WHERE source_ref = $1', [
      wonRef,
    ])) as unknown[];
    if (done.length > 0) return { created: false };
    const toUndo = [dispute.ledger_key, ...(dispute.shortfall_key ? [dispute.shortfall_key] : [])];
    const entries = [];
    for (const key of toUndo) {
      const entry = await this.ledger.findByIdempotencyKey(key, manager);
      if (!entry) throw new ContributionsError(ContributionsErrorCode.InvalidInput, `no ledger entry ${key}`);
      entries.push(entry);
    }
    const keys = toUndo.map((k) => `${k}:won`);
    await manager.query(
      `INSERT INTO contribution_reversals (contribution_id, source_ref, kind, amount, parts, fee_share, shortfall, ledger_key, shortfall_key)
       VALUES ($1,$2,'dispute_won',$3,$4,$5,$6,$7,$8)`,
      [
        dispute.contribution_id,
        wonRef,
        dispute.amount,
        JSON.stringify(dispute.parts),
        dispute.fee_share,
        dispute.shortfall,
        keys[0],
        keys[1] ?? null,
      ],
    );
    for (let i = 0; i < entries.length; i++) {
      await this.ledger.reverse(
        entries[i].id,
        {
          idempotencyKey: keys[i],
          kind: 'contribution.dispute_won',
          businessRef: wonRef,
          description:
            i === 0 ? 'dispute won: funds reinstated' : 'dispute won: shortfall returned to the pool',
          metadata: { contributionId: dispute.contribution_id, reinstatedAt: occurredAt.toISOString() },
        },
        manager,
      );
    }
    return { created: true };
  }

  /** The parts of a contribution net of what its reversals took (a won dispute gives back). */
  private async remainingParts(manager: EntityManager, row: ContributionRow): Promise<SplitPart[]> {
    const parts = new Map<string, bigint>([
      ['operating', BigInt(row.operating_fee)],
      ['pool', BigInt(row.pool)],
      ...row.directed.map((d) => [`project:${d.projectId}`, BigInt(d.amount)] as [string, bigint]),
    ]);
    const reversals = (await manager.query(
      'SELECT kind, parts FROM contribution_reversals WHERE contribution_id = $1',
      [row.id],
    )) as {
      kind: string;
      parts: { key: string; amount: string }[];
    }[];
    for (const r of reversals) {
      const sign = r.kind === 'dispute_won' ? 1n : -1n;
      for (const p of r.parts) parts.set(p.key, (parts.get(p.key) ?? 0n) + sign * BigInt(p.amount));
    }
    return [...parts.entries()].map(([key, amount]) => ({ key, amount }));
  }
}

function toBooked(row: ContributionRow, created: boolean): BookedContribution {
  return {
    id: row.id,
    sourceRef: row.source_ref,
    ledgerKey: row.ledger_key,
    ledgerEntryId: null,
    policyVersion: row.policy_version,
    gross: BigInt(row.gross),
    processorFee: BigInt(row.processor_fee),
    net: BigInt(row.net),
    parts: [
      { key: 'operating', amount: BigInt(row.operating_fee) },
      { key: 'pool', amount: BigInt(row.pool) },
      ...row.directed.map((d) => ({ key: `project:${d.projectId}`, amount: BigInt(d.amount) })),
    ],
    created,
  };
}
