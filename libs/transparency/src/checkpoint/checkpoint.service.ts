import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransparencyLogService } from '../log/transparency-log.service';
import { sameHash } from '../merkle/hash';
import { verifyConsistency } from '../merkle/verify';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import { signCheckpoint } from './checkpoint';
import { LOG_SIGNER } from './log-signer.provider';
import { NoteSigner } from './signed-note';

export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly root: Buffer;
  readonly signedNote: string;
  readonly createdAt: Date;
}

interface CheckpointRow {
  tree_size: bigint;
  root_hash: Buffer;
  signed_note: string;
  created_at: Date;
}

const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  treeSize: Number(r.tree_size),
  root: r.root_hash,
  signedNote: r.signed_note,
  createdAt: r.created_at,
});

/**
 * Signs checkpoints of the log. Before signing, the new tree is proved consistent with the last
 * signed one; one root per size is enforced by the primary key, and a second signer racing for
 * the same size must arrive at the same root or the call fails loudly.
 */
@Injectable()
export class CheckpointService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly log: TransparencyLogService,
    @Inject(LOG_SIGNER) private readonly signer: NoteSigner,
  ) {}

  get verifierKey(): string {
    return this.signer.verifier.verifierKey;
  }

  get origin(): string {
    return this.signer.name;
  }

  async latest(): Promise<StoredCheckpoint | null> {
    const rows = (await this.dataSource.query(
      'SELECT * FROM transparency_checkpoints ORDER BY tree_size DESC LIMIT 1',
    )) as CheckpointRow[];
    return rows.length === 0 ? null : toCheckpoint(rows[0]);
  }

  /** Every signed checkpoint, oldest first (sizes only grow). */
  async list(limit = 1000, afterSize = -1): Promise<StoredCheckpoint[]> {
    const rows = (await this.dataSource.query(
      'SELECT * FROM transparency_checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2',
      [afterSize, limit],
    )) as CheckpointRow[];
    return rows.map(toCheckpoint);
  }

  /** The latest checkpoint, signing one first when the log has grown (or none exists). */
  async current(): Promise<StoredCheckpoint> {
    const [latest, head] = await Promise.all([this.latest(), this.log.head()]);
    if (latest && latest.treeSize >= head.size) return latest;
    return this.signLatest();
  }

  /**
   * Signs the log as it is committed now, after checking it extends the last signed checkpoint.
   * Leaves a crashed writer left queued are appended first.
   */
  async signLatest(): Promise<StoredCheckpoint> {
    await this.log.sequence();
    try {
      return await this.signOnce();
    } catch (e) {
      // A concurrent signer stored the same size first (serialization failure): read theirs.
      if ((e as { code?: string }).code === '40001') return this.signOnce();
      throw e;
    }
  }

  private async signOnce(): Promise<StoredCheckpoint> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await this.log.head(m);
      const [previous] = (await m.query(
        'SELECT * FROM transparency_checkpoints ORDER BY tree_size DESC LIMIT 1',
      )) as CheckpointRow[];
      if (previous) {
        const prev = toCheckpoint(previous);
        if (prev.treeSize === head.size) {
          if (!sameHash(prev.root, head.root)) throw this.inconsistent(prev.treeSize, head.size);
          return prev;
        }
        if (prev.treeSize > head.size) return prev;
        if (prev.treeSize > 0) {
          const proof = await this.log.consistencyProofIn(m, prev.treeSize, head.size, head.size);
          if (!verifyConsistency(prev.treeSize, head.size, prev.root, head.root, proof)) {
            throw this.inconsistent(prev.treeSize, head.size);
          }
        }
      }
      const note = signCheckpoint(
        { origin: this.signer.name, size: head.size, root: head.root },
        this.signer,
      );
      await m.query(
        `INSERT INTO transparency_checkpoints (tree_size, root_hash, signed_note, key_id)
         VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING`,
        [head.size, head.root, note, this.signer.verifier.keyId.toString('hex')],
      );
      const [stored] = (await m.query('SELECT * FROM transparency_checkpoints WHERE tree_size = $1', [
        head.size,
      ])) as CheckpointRow[];
      if (!stored) {
        // Another signer committed this size after our snapshot: read it outside our snapshot.
        const [other] = (await this.dataSource.query(
          'SELECT * FROM transparency_checkpoints WHERE tree_size = $1',
          [head.size],
        )) as CheckpointRow[];
        if (!other || !sameHash(other.root_hash, head.root)) throw this.inconsistent(head.size, head.size);
        return toCheckpoint(other);
      }
      if (!sameHash(stored.root_hash, head.root)) throw this.inconsistent(head.size, head.size);
      return toCheckpoint(stored);
    });
  }

  private inconsistent(size1: number, size2: number): TransparencyError {
    return new TransparencyError(
      TransparencyErrorCode.InconsistentCheckpoint,
      `the log at size ${size2} is not consistent with the checkpoint at size ${size1}: refusing to sign`,
      { size1, size2 },
    );
  }
}
