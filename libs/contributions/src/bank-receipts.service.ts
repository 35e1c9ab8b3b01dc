import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@app/database';
import { auditInsert, Principal, requireRole } from '@app/identity';
import { AccountSpec, Accounts, translateLedgerError } from '@app/ledger';
import { parseCents } from '@app/money';
import { PolicyError, PolicyErrorCode, policyInEffectSql } from '@app/policy';
import { ContributionBookingService } from './contribution-booking.service';
import { Direction, SplitPolicy } from './contribution-split';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';
import { ReceiptView } from './contributions.types';
import { OBLIGATION_COLUMNS, ObligationRow, toObligationView } from './declarations.service';

export interface RecordReceiptInput {
  bankReference?: unknown;
  amount?: unknown;
  valueDate?: unknown;
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** The ledger does not know every account the booking credits yet: create them, then try again. */
class AccountsNotReady extends Error {
  constructor(
    readonly currency: string,
    readonly directions: Direction[],
  ) {
    super('booking accounts not prepared');
  }
}

/**
 * Bank transfers received for a levy, recorded by the treasurer: partial payments allowed,
 * overpayment and reused bank references refused (409, nothing booked); each receipt is booked
 * as one ledger entry (cash in, operating fee, directed per project, pool).
 */
@Injectable()
export class BankReceiptsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly booking: ContributionBookingService,
  ) {}

  async record(
    caller: Principal | undefined,
    declarationId: string,
    input: RecordReceiptInput,
  ): Promise<ReceiptView> {
    const actor = requireRole(caller, 'treasurer');
    const bankReference = typeof input.bankReference === 'string' ? input.bankReference.trim() : '';
    if (bankReference.length === 0 || bankReference.length > 140) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        'bankReference is required (at most 140 characters)',
        {
          field: 'bankReference',
        },
      );
    }
    let amount: bigint;
    try {
      amount = parseCents(input.amount, 'amount');
    } catch {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        'amount must be a string of integer cents',
        { field: 'amount' },
      );
    }
    if (amount <= 0n)
      throw new ContributionsError(ContributionsErrorCode.InvalidInput, 'amount must be positive', {
        field: 'amount',
      });
    const valueDate =
      typeof input.valueDate === 'string' &&
      DATE.test(input.valueDate) &&
      !Number.isNaN(Date.parse(input.valueDate))
        ? input.valueDate
        : null;
    if (!valueDate)
      throw new ContributionsError(
        ContributionsErrorCode.InvalidInput,
        'valueDate must be a date YYYY-MM-DD',
        { field: 'valueDate' },
      );

    // One locked read: the obligation, whether the bank reference is used, and the policy in effect
    // now. The accounts a booking credits are created outside any transaction (the ledger caches
    // only committed ones): when the ledger does not know them all yet (a new direction, a cold
    // process), the transaction stops there, they are created, and it runs again.
    const now = new Date();
    let prepared = false;
    for (;;) {
      try {
        return await this.recordLocked(actor, declarationId, bankReference, amount, valueDate, now, prepared);
      } catch (e) {
        if (!(e instanceof AccountsNotReady) || prepared) throw e;
        await this.booking.prepareAccounts(e.currency, Accounts.bank(e.currency), e.directions);
        prepared = true;
      }
    }
  }

  /**
   * Creates, outside any transaction, the accounts a receipt for this obligation credits (and the
   * cash account it debits, the bank's unless named): call it before `recordIn`.
   */
  async prepareFor(declarationId: string, cash?: AccountSpec): Promise<void> {
    const rows = (await this.dataSource.query(
      'SELECT currency, directions FROM levy_declarations WHERE id = $1',
      [declarationId],
    )) as { currency: string; directions: { projectId: string; weight: string }[] }[];
    if (rows.length === 0)
      throw new ContributionsError(
        ContributionsErrorCode.ObligationNotFound,
        `no obligation ${declarationId}`,
      );
    const directions = rows[0].directions.map((d) => ({ projectId: d.projectId, weight: BigInt(d.weight) }));
    await this.booking.prepareAccounts(rows[0].currency, cash ?? Accounts.bank(rows[0].currency), directions);
  }

  /**
   * The receipt path inside the caller's transaction (a bank statement's matched credit, or money
   * allocated from the suspense account, named as `cash`): the same checks (reference unused, no
   * overpayment) and the same one ledger entry with the split as `record`. Prepare the accounts
   * first with `prepareFor`. The caller's own writes go before: the entry is the last write.
   */
  async recordIn(
    m: EntityManager,
    caller: Principal | undefined,
    declarationId: string,
    input: { bankReference: string; amount: bigint; valueDate: string; cash?: AccountSpec },
  ): Promise<ReceiptView> {
    const actor = requireRole(caller, 'treasurer');
    if (input.amount <= 0n)
      throw new ContributionsError(ContributionsErrorCode.InvalidInput, 'amount must be positive', {
        field: 'amount',
      });
    try {
      return await this.bookLocked(
        m,
        actor,
        declarationId,
        input.bankReference,
        input.amount,
        input.valueDate,
        new Date(),
        true,
        input.cash,
      );
    } catch (e) {
      throw this.translate(e, input.bankReference);
    }
  }

  private async recordLocked(
    actor: Principal,
    declarationId: string,
    bankReference: string,
    amount: bigint,
    valueDate: string,
    now: Date,
    prepared: boolean,
  ): Promise<ReceiptView> {
    try {
      return await this.dataSource.transaction((m) =>
        this.bookLocked(m, actor, declarationId, bankReference, amount, valueDate, now, prepared),
      );
    } catch (e) {
      throw this.translate(e, bankReference);
    }
  }

  private translate(e: unknown, bankReference: string): unknown {
    const pg = e as { code?: string; constraint?: string };
    if (
      pg.code === '23505' &&
      (pg.constraint === 'bank_receipts_bank_reference_key' ||
        pg.constraint === 'contributions_source_ref_key')
    ) {
      return new ContributionsError(
        ContributionsErrorCode.BankReferenceUsed,
        `bank reference ${bankReference} is already recorded`,
        { field: 'bankReference' },
      );
    }
    return translateLedgerError(e);
  }

  private async bookLocked(
    m: EntityManager,
    actor: Principal,
    declarationId: string,
    bankReference: string,
    amount: bigint,
    valueDate: string,
    now: Date,
    prepared: boolean,
    cashAccount?: AccountSpec,
  ): Promise<ReceiptView> {
    const rows = (await queryPrepared(
      m,
      `SELECT ${OBLIGATION_COLUMNS}, o.siret,
              EXISTS (SELECT 1 FROM bank_receipts r WHERE r.bank_reference = $2) AS used,
              p.version AS policy_now_version, p.directed_share_bps AS policy_now_directed_share_bps,
              p.pool_share_bps AS policy_now_pool_share_bps, p.operating_fee_bps AS policy_now_operating_fee_bps
         FROM levy_declarations d JOIN organisations o ON o.id = d.organisation_id
         LEFT JOIN LATERAL (${policyInEffectSql('$3')}) p ON true
        WHERE d.id = $1 FOR UPDATE OF d`,
      [declarationId, bankReference, now],
    )) as (ObligationRow & {
      siret: string;
      used: boolean;
      policy_now_version: number | null;
      policy_now_directed_share_bps: number;
      policy_now_pool_share_bps: number;
      policy_now_operating_fee_bps: number;
    })[];
    if (rows.length === 0)
      throw new ContributionsError(
        ContributionsErrorCode.ObligationNotFound,
        `no obligation ${declarationId}`,
      );
    const declaration = rows[0];
    if (declaration.policy_now_version === null)
      throw new PolicyError(PolicyErrorCode.NoPolicy, 'no policy is in effect now');
    const policy: SplitPolicy = {
      version: declaration.policy_now_version,
      directedShareBps: declaration.policy_now_directed_share_bps,
      poolShareBps: declaration.policy_now_pool_share_bps,
      operatingFeeBps: declaration.policy_now_operating_fee_bps,
    };
    const directions = declaration.directions.map((d) => ({
      projectId: d.projectId,
      weight: BigInt(d.weight),
    }));
    const cash = cashAccount ?? Accounts.bank(declaration.currency);
    if (!prepared && !this.booking.accountsReady(declaration.currency, cash, directions))
      throw new AccountsNotReady(declaration.currency, directions);
    if (declaration.used) {
      throw new ContributionsError(
        ContributionsErrorCode.BankReferenceUsed,
        `bank reference ${bankReference} is already recorded`,
        {
          field: 'bankReference',
        },
      );
    }
    const outstanding = BigInt(declaration.amount_due) - BigInt(declaration.amount_paid);
    if (amount > outstanding) {
      throw new ContributionsError(
        ContributionsErrorCode.Overpayment,
        `the receipt exceeds what is still due (${outstanding})`,
        {
          field: 'amount',
          outstanding: outstanding.toString(),
        },
      );
    }
    const receiptId = randomUUID();
    const booked = await this.booking.book(
      m,
      {
        source: 'bank_receipt',
        sourceRef: `receipt:${bankReference}`,
        contributorKind: 'organisation',
        organisationId: declaration.organisation_id,
        declarationId: declaration.id,
        currency: declaration.currency,
        gross: amount,
        processorFee: 0n,
        cash,
        directions,
        occurredAt: new Date(`${valueDate}T00:00:00Z`),
        metadata: {
          organisationSiret: declaration.siret,
          declarationId: declaration.id,
          fiscalYear: declaration.fiscal_year,
        },
        policy,
        // The obligation row is locked and the bank reference was checked unused under that lock.
        sourceKnownNew: true,
      },
      // The receipt (its id chosen here, so that the audit row can name it), the obligation's
      // new total and the audit row, in the statement that inserts the contribution.
      (first) => {
        const n = (k: number) => `$${first + k}`;
        const audit = auditInsert(
          actor,
          'receipt.recorded',
          { type: 'declaration', id: declaration.id },
          { receiptId, bankReference },
          first + 7,
        );
        return {
          ctes: `r AS (
             INSERT INTO bank_receipts (id, declaration_id, bank_reference, amount, currency, value_date, recorded_by, contribution_id)
             SELECT ${n(6)}, ${n(0)}, ${n(2)}, ${n(1)}, ${n(3)}, ${n(4)}, ${n(5)}, contribution.id FROM contribution RETURNING id),
           d AS (UPDATE levy_declarations SET amount_paid = amount_paid + ${n(1)} WHERE id = ${n(0)} RETURNING *),
           a AS (${audit.sql} RETURNING id)`,
          select: `SELECT ${OBLIGATION_COLUMNS} FROM d, r, a`,
          params: [
            declaration.id,
            amount.toString(),
            bankReference,
            declaration.currency,
            valueDate,
            actor.userId,
            receiptId,
            ...audit.params,
          ],
        };
      },
    );
    const [updated] = (booked.alsoWritten ?? []) as (ObligationRow | undefined)[];
    if (!booked.created || !updated || !booked.ledgerEntryId) {
      throw new ContributionsError(
        ContributionsErrorCode.BankReferenceUsed,
        `bank reference ${bankReference} is already recorded`,
        {
          field: 'bankReference',
        },
      );
    }
    return {
      id: receiptId,
      declarationId: declaration.id,
      bankReference,
      amount,
      currency: declaration.currency,
      valueDate,
      contributionId: booked.id,
      ledgerEntryId: booked.ledgerEntryId,
      policyVersion: booked.policyVersion,
      obligation: toObligationView(updated),
    };
  }
}
