import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { DisbursementsError, PayoutsService } from '@app/disbursements';
import { Principal, requireRole } from '@app/identity';
import { BillingError, BillingErrorCode } from './billing.errors';
import { readPain002 } from './pain002-reader';
import { billingXsdPath, XsdValidator } from './xsd-validator';

/** Executed on the debtor's account: the payout is posted. */
const EXECUTED = new Set(['ACSC', 'ACCC']);
const REJECTED = new Set(['RJCT', 'CANC']);

export interface PayoutOutcome {
  readonly endToEndId: string | null;
  readonly payoutId: string | null;
  readonly status: string | null;
  readonly reasonCode: string | null;
  readonly outcome: 'executed' | 'rejected' | 'accepted' | 'already_resolved' | 'unknown_payout';
  readonly detail?: string;
}

/**
 * SEPA payouts closed by the bank's pain.002 status report: executed (ACSC/ACCC) payouts are
 * posted, rejected (RJCT) ones voided with their reason code, through the payouts service;
 * intermediate statuses (ACTC, ACCP, ACSP, PDNG…) change nothing. A group status without
 * transaction details applies to every pending payout of the original file. Re-sending the same
 * report changes nothing more.
 */
@Injectable()
export class PaymentStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly payouts: PayoutsService,
    private readonly xsd: XsdValidator,
  ) {}

  async import(
    caller: Principal | undefined,
    file: Buffer,
  ): Promise<{ reportId: string; originalMessageId: string; payouts: PayoutOutcome[] }> {
    const actor = requireRole(caller, 'treasurer');
    if (file.length > this.config.BANK_FILE_MAX_BYTES)
      throw new BillingError(
        BillingErrorCode.BankFileTooLarge,
        `the file is larger than ${this.config.BANK_FILE_MAX_BYTES} bytes`,
      );
    if (!/urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.10/.test(file.subarray(0, 4096).toString('utf8')))
      throw new BillingError(BillingErrorCode.InvalidBankFile, 'not a pain.002.001.10 status report');
    const valid = await this.xsd.validate(billingXsdPath('pain.002.001.10.xsd'), file);
    if (!valid.valid)
      throw new BillingError(
        BillingErrorCode.InvalidBankFile,
        `the file fails the pain.002.001.10 schema: ${valid.errors[0]}`,
        {
          errors: valid.errors.slice(0, 10),
        },
      );
    const report = readPain002(file);
    let statuses = report.transactions;
    if (
      statuses.length === 0 &&
      report.groupStatus &&
      (EXECUTED.has(report.groupStatus) || REJECTED.has(report.groupStatus))
    ) {
      const rows = (await this.dataSource.query(
        `SELECT p.end_to_end_id FROM disbursement_payouts p JOIN disbursement_batches b ON b.id = p.batch_id
          WHERE b.message_id = $1 ORDER BY p.end_to_end_id`,
        [report.originalMessageId],
      )) as { end_to_end_id: string }[];
      statuses = rows.map((r) => ({
        originalEndToEndId: r.end_to_end_id,
        status: report.groupStatus,
        reasonCode: report.groupReason,
        additionalInfo: null,
      }));
    }
    const ids = statuses.map((s) => s.originalEndToEndId).filter((x): x is string => !!x);
    const payouts = new Map<string, string>();
    for (const r of (await this.dataSource.query(
      'SELECT id::text, end_to_end_id FROM disbursement_payouts WHERE end_to_end_id = ANY($1)',
      [ids],
    )) as { id: string; end_to_end_id: string }[])
      payouts.set(r.end_to_end_id, r.id);
    const outcomes: PayoutOutcome[] = [];
    for (const s of statuses) {
      const payoutId = s.originalEndToEndId ? (payouts.get(s.originalEndToEndId) ?? null) : null;
      const base = { endToEndId: s.originalEndToEndId, payoutId, status: s.status, reasonCode: s.reasonCode };
      if (!payoutId) {
        outcomes.push({ ...base, outcome: 'unknown_payout' });
        continue;
      }
      try {
        if (s.status && EXECUTED.has(s.status)) {
          await this.payouts.confirmPayout(actor, payoutId);
          outcomes.push({ ...base, outcome: 'executed' });
        } else if (s.status && REJECTED.has(s.status)) {
          const reason = `bank rejected (pain.002 ${s.status}${s.reasonCode ? ` ${s.reasonCode}` : ''}${
            s.additionalInfo ? `: ${s.additionalInfo}` : ''
          })`;
          await this.payouts.failPayout(actor, payoutId, reason);
          outcomes.push({ ...base, outcome: 'rejected' });
        } else {
          outcomes.push({ ...base, outcome: 'accepted' });
        }
      } catch (e) {
        if (!(e instanceof DisbursementsError)) throw e;
        outcomes.push({ ...base, outcome: 'already_resolved', detail: e.message });
      }
    }
    const [row] = (await this.dataSource.query(
      `INSERT INTO payment_status_reports (message_id, original_message_id, file_sha256, outcome, uploaded_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
      [
        report.messageId,
        report.originalMessageId,
        createHash('sha256').update(file).digest('hex'),
        JSON.stringify(outcomes),
        actor.userId,
      ],
    )) as { id: string }[];
    return { reportId: row.id, originalMessageId: report.originalMessageId, payouts: outcomes };
  }
}
