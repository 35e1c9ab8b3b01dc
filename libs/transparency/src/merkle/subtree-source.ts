import { SubtreeRef } from './tree-math';

/**
 * Where the stored perfect-subtree hashes live (the database in production, memory in tests).
 * Every proof and root is computed from O(log n) of them, fetched in one call.
 */
export interface SubtreeHashSource {
  /** The hashes of the given perfect subtrees, in the same order; a missing one is `undefined`. */
  getSubtreeHashes(refs: readonly SubtreeRef[]): Promise<ReadonlyArray<Uint8Array | undefined>>;
}

/** A stored perfect-subtree hash. */
export interface SubtreeHash extends SubtreeRef {
  readonly hash: Buffer;
}
