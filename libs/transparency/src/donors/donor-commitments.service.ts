import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { execute } from '@app/database';
import { AuditService, Principal, requireRole } from '@app/identity';
import { donorCommitment, LeafParty, newCommitmentSalt } from '../leaf/ledger-leaf';

/**
 * Salted commitments for private donors. A contribution puts `{ party: await commitments.partyFor(m, subject) }`
 * in its entry's metadata; the leaf then holds SHA-256(salt ‖ subject), never the person. Erasure
 * deletes the salt: the commitment can no longer be linked to anyone, and the log still verifies.
 */
@Injectable()
export class DonorCommitmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The stable commitment of a donor (`subject` e.g. `donor:<uuid>`), created on first use. */
  async partyFor(subject: string, manager: EntityManager = this.dataSource.manager): Promise<LeafParty> {
    const salt = newCommitmentSalt();
    const commitment = donorCommitment(salt, subject);
    const rows = (await manager.query(
      `INSERT INTO transparency_donor_salts (subject, salt, commitment) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET subject = EXCLUDED.subject
       RETURNING commitment`,
      [subject, salt, commitment],
    )) as { commitment: string }[];
    return { type: 'donor', commitment: rows[0].commitment };
  }

  /** Proves (to the donor or an auditor holding the salt) that a commitment is theirs. */
  async opening(
    subject: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ salt: string; commitment: string } | null> {
    const rows = (await manager.query(
      'SELECT salt, commitment FROM transparency_donor_salts WHERE subject = $1',
      [subject],
    )) as {
      salt: Buffer;
      commitment: string;
    }[];
    return rows.length === 0 ? null : { salt: rows[0].salt.toString('hex'), commitment: rows[0].commitment };
  }

  /** Erasure (admin, audited): deletes the salt. Returns how many salts were deleted (0 or 1). */
  async erase(caller: Principal, subject: string, manager?: EntityManager): Promise<number> {
    requireRole(caller, 'admin');
    const run = async (m: EntityManager): Promise<number> => {
      const erased = await execute(m, 'DELETE FROM transparency_donor_salts WHERE subject = $1', [subject]);
      await this.audit.record(
        caller,
        'transparency.donor_salt_erased',
        { type: 'donor', id: subject },
        { erased },
        m,
      );
      return erased;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }
}
