import { EventEmitter } from 'node:events';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { LedgerEntryHook, LedgerHooks, PostedEntry, UnsavedEntry, WrittenWithEntry } from '@app/ledger';
import { encodeLeaf, LEAF_FORMAT_VERSION } from '../leaf/ledger-leaf';
import { decodeFrontier, frontierRoot } from '../merkle/compact-range';
import { consistencyBundle, consistencyProof, inclusionBundle, rootAt } from '../merkle/proofs';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import { appendAllQueued, CommitSequencer } from './commit-sequencer';
import { DbSubtreeSource } from './db-subtree-source';
import { leafOfEntry } from './entry-leaf';

export interface LogLeaf {
  readonly index: number;
  readonly entryId: string;
  readonly leaf: string;
  readonly leafHash: Buffer;
}

export interface LogHead {
  readonly size: number;
  readonly root: Buffer;
}

/** Most leaves one call returns. */
export const MAX_LEAVES_PER_PAGE = 1000;

/**
 * On a query runner whose transaction queued a leaf: whether its COMMIT appended the leaves
 * itself (then no round is needed after it).
 */
const LEAF_QUEUED = 'librery.transparency.leafQueued';

interface QueuedState {
  appended: boolean;
}

/** The notice a writer's COMMIT sends when it appended every queued leaf itself (migration 1763769620003). */
const APPENDED_AT_COMMIT = 'librery: leaves appended at commit';

/**
 * The append-only Merkle log of the ledger. Every new entry queues its leaf inside its own
 * transaction (LedgerHooks; the database refuses at COMMIT an entry that did not); once that
 * transaction has committed, the sequencer gives the queued leaves their gapless indices, many
 * per commit, in an order every dependency between entries respects (migration
 * 1763769620003, CommitSequencer). A transaction run by TypeORM returns only after its leaves
 * are in the log; whatever a crash left queued is appended by the next round or the checkpoint
 * worker's sweep.
 */
@Injectable()
export class TransparencyLogService
  implements LedgerEntryHook, EntitySubscriberInterface, OnModuleInit, OnModuleDestroy
{
  private readonly sequencer: CommitSequencer;
  /** Per pg connection, the state of its current transaction (the notice names no transaction). */
  private readonly queuedOn = new WeakMap<object, QueuedState>();
  private readonly listening = new WeakSet<object>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hooks: LedgerHooks,
  ) {
    this.sequencer = new CommitSequencer(dataSource);
  }

  onModuleInit(): void {
    this.hooks.register(this);
    this.dataSource.subscribers.push(this);
  }

  async onModuleDestroy(): Promise<void> {
    await this.sequencer.close();
  }

  /**
   * The leaf queued by the entry's own statement: everything but its index is known before the
   * entry exists except the entry id, which only the suffix holds (`,"tx":"<id>","v":2}`), written
   * there by SQL. Its queue position is drawn again by the posting trigger after the statement's
   * balance locks (migration 1763769620005).
   */
  writeWithEntry(entry: UnsavedEntry, first: number): WrittenWithEntry {
    const { prefix } = splitAtSeq(encodeLeaf(leafOfEntry({ ...entry, id: '0' }, 0)), '0');
    return {
      sql: `INSERT INTO transparency_log_queue (entry_id, prefix, suffix)
            SELECT entry.id, $${first}, ',"tx":"' || entry.id || '","v":${LEAF_FORMAT_VERSION}}' FROM entry`,
      params: [prefix],
    };
  }

  async onEntryPosted(manager: EntityManager, entry: PostedEntry, queued: boolean): Promise<void> {
    // Unless the entry's own statement queued it (writeWithEntry), the leaf, everything but its
    // index, is built and queued here.
    if (!queued) {
      const { prefix, suffix } = splitAtSeq(encodeLeaf(leafOfEntry(entry, 0)), entry.id);
      await manager.query(
        'INSERT INTO transparency_log_queue (entry_id, prefix, suffix) VALUES ($1, $2, $3)',
        [entry.id, prefix, suffix],
      );
    }
    const runner = manager.queryRunner;
    if (!runner) return;
    const data = runner.data as Record<string, QueuedState | undefined>;
    if (data[LEAF_QUEUED]) return;
    const state: QueuedState = { appended: false };
    data[LEAF_QUEUED] = state;
    const connection = (await runner.connect()) as EventEmitter;
    this.queuedOn.set(connection, state);
    if (!this.listening.has(connection)) {
      this.listening.add(connection);
      connection.on('notice', (notice: { message?: string }) => {
        const current = this.queuedOn.get(connection);
        if (current && notice.message === APPENDED_AT_COMMIT) current.appended = true;
      });
    }
  }

  /** TypeORM calls this once a transaction has committed, on its still-held connection. */
  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const data = event.queryRunner.data as Record<string, QueuedState | undefined>;
    const state = data[LEAF_QUEUED];
    if (!state || event.queryRunner.isTransactionActive) return;
    delete data[LEAF_QUEUED];
    // Its COMMIT found the sequencer free and appended everything queued, its own leaves included.
    if (state.appended) return;
    await this.appendCommitted();
  }

  /** Resolves once every leaf committed before the call is in the log (this process's next round). */
  appendCommitted(): Promise<void> {
    return this.sequencer.appendCommitted();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive)
      delete (event.queryRunner.data as Record<string, unknown>)[LEAF_QUEUED];
  }

  /**
   * Appends every committed queued leaf; returns how many. Safe from any number of processes at
   * once (one advisory lock); a caller that finds the queue empty writes nothing.
   */
  sequence(): Promise<number> {
    return appendAllQueued((sql, params) => this.dataSource.query(sql, params));
  }

  /** The committed size and root of the log. */
  async head(manager: EntityManager = this.dataSource.manager): Promise<LogHead> {
    const [head] = (await manager.query('SELECT size, frontier FROM transparency_log_head WHERE id = 1')) as {
      size: bigint;
      frontier: Buffer;
    }[];
    const size = Number(head.size);
    return { size, root: frontierRoot(decodeFrontier(size, head.frontier)) };
  }

  async rootAt(size: number, manager: EntityManager = this.dataSource.manager): Promise<Buffer> {
    const head = await this.head(manager);
    if (size > head.size) {
      throw new TransparencyError(
        TransparencyErrorCode.OutOfRange,
        `size ${size} is beyond the tree size ${head.size}`,
        {
          size,
          treeSize: head.size,
        },
      );
    }
    return size === head.size ? head.root : rootAt(new DbSubtreeSource(manager), size);
  }

  /** Leaves [start, end) of the log (at most MAX_LEAVES_PER_PAGE); end is clipped to the tree size. */
  async leaves(
    start: number,
    end: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<LogLeaf[]> {
    const rows = (await manager.query(
      `SELECT log_index::text AS index, entry_id::text AS "entryId", leaf_data AS leaf, leaf_hash AS "leafHash"
         FROM transparency_log_leaves WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index`,
      [start, Math.min(end, start + MAX_LEAVES_PER_PAGE)],
    )) as { index: string; entryId: string; leaf: string; leafHash: Buffer }[];
    return rows.map((r) => ({ ...r, index: Number(r.index) }));
  }

  async leafOfEntryId(
    entryId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<LogLeaf | null> {
    const rows = (await manager.query(
      `SELECT log_index::text AS index, entry_id::text AS "entryId", leaf_data AS leaf, leaf_hash AS "leafHash"
         FROM transparency_log_leaves WHERE entry_id = $1`,
      [entryId],
    )) as { index: string; entryId: string; leaf: string; leafHash: Buffer }[];
    return rows.length === 0 ? null : { ...rows[0], index: Number(rows[0].index) };
  }

  /**
   * Proofs read only immutable rows (stored subtrees never change), so no transaction is needed:
   * the committed head bounds the size, then one query fetches every subtree the answer needs.
   */
  async inclusionProof(
    index: number,
    size: number,
  ): Promise<{ leafHash: Buffer; proof: Buffer[]; root: Buffer }> {
    const head = await this.head();
    return inclusionBundle(new DbSubtreeSource(this.dataSource.manager), index, size, head.size, head.root);
  }

  async consistencyProof(
    size1: number,
    size2: number,
  ): Promise<{ proof: Buffer[]; root1: Buffer; root2: Buffer }> {
    const head = await this.head();
    return consistencyBundle(
      new DbSubtreeSource(this.dataSource.manager),
      size1,
      size2,
      head.size,
      head.root,
    );
  }

  /** Proof material without the REPEATABLE READ wrapper, for callers already in a transaction. */
  consistencyProofIn(
    manager: EntityManager,
    size1: number,
    size2: number,
    treeSize: number,
  ): Promise<Buffer[]> {
    return consistencyProof(new DbSubtreeSource(manager), size1, size2, treeSize);
  }
}

/**
 * The canonical leaf always ends with `"seq":<index>,"tx":"<id>","v":<version>}` (JCS sorts the keys and
 * no other top-level key sorts after "seq"), so the index goes between a fixed prefix and suffix.
 */
export function splitAtSeq(template: string, entryId: string): { prefix: string; suffix: string } {
  const suffix = `,"tx":${JSON.stringify(entryId)},"v":${LEAF_FORMAT_VERSION}}`;
  const marker = `"seq":0${suffix}`;
  if (!template.endsWith(marker)) throw new Error('leaf template does not end with seq, tx and v');
  return { prefix: template.slice(0, template.length - marker.length + '"seq":'.length), suffix };
}
