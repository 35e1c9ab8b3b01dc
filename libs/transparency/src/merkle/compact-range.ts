import { nodeHash } from './hash';
import { foldRight } from './proofs';
import { SubtreeHash } from './subtree-source';
import { decompose, SubtreeRef } from './tree-math';

/**
 * The compact frontier of a log of `size` leaves: the perfect subtrees of [0, size), largest
 * first (one per set bit of size). Appending needs nothing else; the root is their right fold.
 */
export interface CompactFrontier {
  readonly size: number;
  readonly nodes: readonly SubtreeHash[];
}

export const EMPTY_FRONTIER: CompactFrontier = { size: 0, nodes: [] };

/** Which perfect subtrees make up the frontier of a log of `size` leaves (to load it from a store). */
export function frontierRefs(size: number): SubtreeRef[] {
  return decompose({ start: 0, end: size });
}

/** Builds a frontier from stored hashes given in `frontierRefs(size)` order. */
export function frontierFrom(size: number, hashes: readonly Uint8Array[]): CompactFrontier {
  const refs = frontierRefs(size);
  if (refs.length !== hashes.length) throw new Error(`a frontier of size ${size} has ${refs.length} nodes`);
  return { size, nodes: refs.map((ref, i) => ({ ...ref, hash: Buffer.from(hashes[i]) })) };
}

export function frontierRoot(frontier: CompactFrontier): Buffer {
  return foldRight(frontier.nodes.map((n) => n.hash));
}

/** Serialises a frontier's hashes (size is kept beside it) — 32 bytes per set bit of size. */
export function encodeFrontier(frontier: CompactFrontier): Buffer {
  return Buffer.concat(frontier.nodes.map((n) => n.hash));
}

export function decodeFrontier(size: number, bytes: Uint8Array): CompactFrontier {
  const hashes: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 32) hashes.push(Buffer.from(bytes.subarray(i, i + 32)));
  return frontierFrom(size, hashes);
}

export interface AppendResult {
  readonly frontier: CompactFrontier;
  /** Every perfect subtree completed by the appended leaves (the leaves themselves at level 0), to store. */
  readonly completed: SubtreeHash[];
}

/** Appends leaf hashes to a frontier; returns the new frontier and the subtree hashes to persist. */
export function appendLeaves(frontier: CompactFrontier, leafHashes: readonly Uint8Array[]): AppendResult {
  const stack = [...frontier.nodes];
  const completed: SubtreeHash[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let cur: SubtreeHash = { level: 0, index: size, hash: Buffer.from(leaf) };
    completed.push(cur);
    while (stack.length > 0 && stack[stack.length - 1].level === cur.level) {
      const left = stack.pop() as SubtreeHash;
      cur = { level: cur.level + 1, index: left.index / 2, hash: nodeHash(left.hash, cur.hash) };
      completed.push(cur);
    }
    stack.push(cur);
    size += 1;
  }
  return { frontier: { size, nodes: stack }, completed };
}
