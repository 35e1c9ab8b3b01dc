import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { execute, queryOne } from '@app/database';
import { donorCommitment, LeafParty, newCommitmentSalt } from '../leaf/ledger-leaf';

/**
 * The party of a private donor in a leaf: `{type: 'donor', commitment}` where the commitment is
 * SHA-256(salt ‖ subject) and the salt, one per subject (e.g. `user:<uuid>`, `intent:<uuid>`), is
 * kept in `transparency_donor_salts`, outside the log. Created on first use, in the caller's
 * transaction. Erasure deletes the salt: the commitment then links to nobody and the log still
 * verifies.
 */
export async function donorParty(manager: EntityManager, subject: string): Promise<LeafParty> {
  const salt = newCommitmentSalt();
  const row = await queryOne<{ commitment: string }>(
    manager,
    `INSERT INTO transparency_donor_salts (subject, salt, commitment) VALUES ($1, $2, $3)
     ON CONFLICT (subject) DO UPDATE SET subject = EXCLUDED.subject
     RETURNING commitment`,
    [subject, salt, donorCommitment(salt, subject)],
  );
  return { type: 'donor', commitment: row!.commitment };
}

/** Deletes the salts of these subjects; returns how many there were. */
export async function eraseDonorSalts(manager: EntityManager, subjects: readonly string[]): Promise<number> {
  return execute(manager, 'DELETE FROM transparency_donor_salts WHERE subject = ANY($1)', [subjects]);
}

/** Donor commitments for callers without a transaction of their own (tests, tools). */
@Injectable()
export class DonorCommitmentsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The stable commitment of a donor, created on first use. */
  async partyFor(subject: string, manager: EntityManager = this.dataSource.manager): Promise<LeafParty> {
    return donorParty(manager, subject);
  }

  /** Proves (to the donor or an auditor holding the salt) that a commitment is theirs. */
  async opening(
    subject: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ salt: string; commitment: string } | null> {
    const row = await queryOne<{ salt: Buffer; commitment: string }>(
      manager,
      'SELECT salt, commitment FROM transparency_donor_salts WHERE subject = $1',
      [subject],
    );
    return row === null ? null : { salt: row.salt.toString('hex'), commitment: row.commitment };
  }
}
