import { appendLeaves, CompactFrontier, EMPTY_FRONTIER, frontierRoot } from './compact-range';
import { leafHash } from './hash';
import { consistencyProof, inclusionProof, rootAt } from './proofs';
import { SubtreeHashSource } from './subtree-source';
import { refKey, SubtreeRef } from './tree-math';

/** An in-memory log built with the same appender and proof code as the database store. */
export class MemoryTree implements SubtreeHashSource {
  private readonly nodes = new Map<string, Buffer>();
  private frontier: CompactFrontier = EMPTY_FRONTIER;
  /** Counts subtree reads, so tests can check proofs cost O(log n) lookups. */
  reads = 0;

  get size(): number {
    return this.frontier.size;
  }

  appendData(data: Uint8Array | string): void {
    this.appendHash(leafHash(data));
  }

  appendHash(hash: Uint8Array): void {
    const { frontier, completed } = appendLeaves(this.frontier, [hash]);
    for (const node of completed) this.nodes.set(refKey(node), node.hash);
    this.frontier = frontier;
  }

  root(): Buffer {
    return frontierRoot(this.frontier);
  }

  async getSubtreeHashes(refs: readonly SubtreeRef[]): Promise<ReadonlyArray<Buffer | undefined>> {
    this.reads += refs.length;
    return refs.map((ref) => this.nodes.get(refKey(ref)));
  }

  rootAt(size: number): Promise<Buffer> {
    return rootAt(this, size);
  }

  inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return inclusionProof(this, index, size, this.size);
  }

  consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    return consistencyProof(this, size1, size2, this.size);
  }
}
