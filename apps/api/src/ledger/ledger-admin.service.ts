import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService, Principal, requireRole } from '@app/identity';
import { AccountBalance, LedgerService, PostedEntry } from '@app/ledger';
import { parseCents } from '@app/money';
import { AdjustmentRequest } from './dto/ledger.request';

/** The treasurer's hand on the ledger: balanced adjustments, reversals, balances. Audited. */
@Injectable()
export class LedgerAdminService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async adjust(caller: Principal, request: AdjustmentRequest, idempotencyKey?: string): Promise<PostedEntry> {
    requireRole(caller, 'treasurer');
    return this.ledger.transaction(async (m) => {
      const entry = await this.ledger.post(
        {
          kind: request.kind ?? 'adjustment',
          businessRef: request.businessRef,
          idempotencyKey: `adjustment:${caller.userId}:${idempotencyKey ?? randomUUID()}`,
          description: request.description,
          postings: request.postings.map((p) => ({
            account: p.account,
            direction: p.direction,
            currency: p.currency,
            amount: parseCents(p.amount, 'amount'),
          })),
        },
        m,
      );
      if (entry.created)
        await this.audit.record(
          caller,
          'ledger.adjust',
          { type: 'ledger_entry', id: entry.id },
          { kind: entry.kind, reason: request.reason },
          m,
        );
      return entry;
    });
  }

  async reverse(caller: Principal, entryId: string, idempotencyKey?: string): Promise<PostedEntry> {
    requireRole(caller, 'treasurer');
    return this.ledger.transaction(async (m) => {
      const key = `reversal:${entryId}:${idempotencyKey ?? randomUUID()}`;
      const entry = await this.ledger.reverse(entryId, { idempotencyKey: key }, m);
      if (entry.created)
        await this.audit.record(
          caller,
          'ledger.reverse',
          { type: 'ledger_entry', id: entry.id },
          { reverses: entryId },
          m,
        );
      return entry;
    });
  }

  /** One transaction for the entry and its audit record; what the database refuses at COMMIT keeps its ledger code. */

  async balance(caller: Principal, code: string): Promise<AccountBalance> {
    requireRole(caller, ['treasurer', 'admin']);
    return this.ledger.balance(code);
  }
}
