import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { execute, queryRows } from '@app/database';
import { AuditService, Principal, requireRole } from '@app/identity';
import { eraseDonorSalts } from '@app/transparency';
import { donorSubject, erasedPseudonym } from './donor-identity';

export interface DonorErasureResult {
  readonly subject: string;
  /** Everything erased: salts plus donations whose personal data was cleared. 0: nothing was there. */
  readonly erased: number;
  readonly salts: number;
  readonly donations: number;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * GDPR erasure of a private donor (admin, audited with the counts). A subject is `user:<id>` (a
 * signed-in donor: all their donations) or `intent:<id>` (one donation without an account; a
 * signed-in donor is erased as `user:`); any other subject erases a salt only. In one transaction:
 * the commitment salts are deleted (the leaves keep commitments that link to nobody, and the log
 * still verifies), and each donation's public name, e-mail, statement key hash and account link
 * are cleared, its pseudonym replaced by a random one, and any idempotent replay of its checkout
 * dropped. The ledger and the log are not touched.
 */
@Injectable()
export class DonorErasureService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async erase(caller: Principal, subject: string): Promise<DonorErasureResult> {
    requireRole(caller, 'admin');
    return this.dataSource.transaction(async (m) => {
      const user = new RegExp(`^user:(${UUID})$`, 'i').exec(subject);
      const intent = new RegExp(`^intent:(${UUID})$`, 'i').exec(subject);
      const intents =
        user || intent
          ? await queryRows<{ id: string; donor_user_id: string | null }>(
              m,
              `SELECT id::text, donor_user_id::text FROM donation_intents
                WHERE ${user ? 'donor_user_id' : 'id'} = $1 AND erased_at IS NULL FOR UPDATE`,
              [(user ?? intent)![1]],
            )
          : [];
      const subjects = [...new Set([subject, ...intents.map((i) => donorSubject(i))])].filter(
        (s) => !intent || s === subject,
      );
      const salts = await eraseDonorSalts(m, subjects);
      const ids = intents.map((i) => i.id);
      const donations =
        ids.length === 0
          ? 0
          : await execute(
              m,
              `UPDATE donation_intents
                  SET public_name = NULL, donor_email = NULL, statement_key_hash = NULL, donor_user_id = NULL,
                      pseudonym = $2, erased_at = now()
                WHERE id = ANY($1::uuid[]) AND erased_at IS NULL`,
              [ids, erasedPseudonym()],
            );
      if (ids.length > 0) {
        // The donate form as submitted, and a sealed statement key not yet shown.
        await execute(
          m,
          `UPDATE giving_checkouts SET form = '{}'::jsonb, sealed_statement_key = NULL
            WHERE donation_intent_id = ANY($1::uuid[])`,
          [ids],
        );
        // A stored checkout answer (for Idempotency-Key replays) holds the public name.
        await execute(
          m,
          `DELETE FROM idempotency_records WHERE response_body->>'donationIntentId' = ANY($1)`,
          [ids],
        );
      }
      await this.audit.record(
        caller,
        'donor.erased',
        { type: 'donor', id: subject },
        { salts, donations },
        m,
      );
      return { subject, erased: salts + donations, salts, donations };
    });
  }
}
