import { emptyRoot, leafHash, nodeHash } from './hash';

/**
 * Recomputes a log's root from its leaves in one pass and O(log n) memory: what a verifier
 * does with every leaf it downloads. Also records roots at requested sizes (earlier checkpoints).
 */
export class StreamingRoot {
  private readonly hashes: Buffer[] = [];
  private readonly levels: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a leaf's data; returns its leaf hash. */
  add(data: Uint8Array): Buffer {
    const leaf = leafHash(data);
    this.addHash(leaf);
    return leaf;
  }

  addHash(leaf: Buffer): void {
    let hash = leaf;
    let level = 0;
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = nodeHash(this.hashes.pop() as Buffer, hash);
      level += 1;
    }
    this.hashes.push(hash);
    this.levels.push(level);
    this.count += 1;
  }

  /** MTH of the leaves added so far. */
  root(): Buffer {
    if (this.hashes.length === 0) return emptyRoot();
    let acc = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) acc = nodeHash(this.hashes[i], acc);
    return acc;
  }
}
