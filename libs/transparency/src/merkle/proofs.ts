import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import { emptyRoot, nodeHash } from './hash';
import { SubtreeHashSource } from './subtree-source';
import {
  consistencyRanges,
  decompose,
  inclusionRanges,
  isSafeSize,
  LeafRange,
  refKey,
  SubtreeRef,
} from './tree-math';

/** Folds the perfect subtrees of a range (largest first) into MTH of the range: H(p1, H(p2, …)). */
export function foldRight(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return emptyRoot();
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

/** Fetches every perfect subtree the ranges need in one call and returns MTH of each range. */
async function rangeHashes(source: SubtreeHashSource, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const parts = ranges.map(decompose);
  const unique = new Map<string, SubtreeRef>();
  for (const refs of parts) for (const ref of refs) unique.set(refKey(ref), ref);
  const wanted = [...unique.values()];
  const found = await source.getSubtreeHashes(wanted);
  const byKey = new Map<string, Uint8Array>();
  wanted.forEach((ref, i) => {
    const hash = found[i];
    if (!hash) {
      throw new TransparencyError(
        TransparencyErrorCode.MissingSubtree,
        `subtree ${refKey(ref)} is not stored`,
        {
          level: ref.level,
          index: ref.index,
        },
      );
    }
    byKey.set(refKey(ref), hash);
  });
  return parts.map((refs) => foldRight(refs.map((ref) => byKey.get(refKey(ref)) as Uint8Array)));
}

function assertSize(value: number, name: string): void {
  if (!isSafeSize(value)) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidProofRequest,
      `${name} must be a non-negative integer`,
      {
        [name]: value,
      },
    );
  }
}

/** MTH(D[n]) from the stored subtrees. */
export async function rootAt(source: SubtreeHashSource, size: number): Promise<Buffer> {
  assertSize(size, 'size');
  if (size === 0) return emptyRoot();
  const [root] = await rangeHashes(source, [{ start: 0, end: size }]);
  return root;
}

/** Refuses an inclusion request the tree cannot answer. */
export function assertInclusionRequest(index: number, size: number, treeSize: number): void {
  assertSize(index, 'index');
  assertSize(size, 'size');
  if (size > treeSize) {
    throw new TransparencyError(
      TransparencyErrorCode.OutOfRange,
      `size ${size} is beyond the tree size ${treeSize}`,
      {
        size,
        treeSize,
      },
    );
  }
  if (index >= size) {
    throw new TransparencyError(
      TransparencyErrorCode.OutOfRange,
      `index ${index} is not below size ${size}`,
      {
        index,
        size,
      },
    );
  }
}

/** PATH(index, D[size]); `treeSize` is the current size of the log (sizes beyond it are refused). */
export async function inclusionProof(
  source: SubtreeHashSource,
  index: number,
  size: number,
  treeSize: number = size,
): Promise<Buffer[]> {
  assertInclusionRequest(index, size, treeSize);
  return rangeHashes(source, inclusionRanges(index, size));
}

/** Refuses a consistency request: size1 must be ≥ 1 and ≤ size2 ≤ treeSize. */
export function assertConsistencyRequest(size1: number, size2: number, treeSize: number): void {
  assertSize(size1, 'size1');
  assertSize(size2, 'size2');
  if (size1 === 0) {
    throw new TransparencyError(TransparencyErrorCode.InvalidProofRequest, 'size1 must be at least 1', {
      size1,
    });
  }
  if (size1 > size2) {
    throw new TransparencyError(TransparencyErrorCode.InvalidProofRequest, 'size1 must not exceed size2', {
      size1,
      size2,
    });
  }
  if (size2 > treeSize) {
    throw new TransparencyError(
      TransparencyErrorCode.OutOfRange,
      `size ${size2} is beyond the tree size ${treeSize}`,
      {
        size2,
        treeSize,
      },
    );
  }
}

/** PROOF(size1, D[size2]); size1 must be ≥ 1 and ≤ size2 ≤ treeSize. */
export async function consistencyProof(
  source: SubtreeHashSource,
  size1: number,
  size2: number,
  treeSize: number = size2,
): Promise<Buffer[]> {
  assertConsistencyRequest(size1, size2, treeSize);
  return rangeHashes(source, consistencyRanges(size1, size2));
}

/** An inclusion proof with the leaf hash and the root, all from one read of the store. */
export async function inclusionBundle(
  source: SubtreeHashSource,
  index: number,
  size: number,
  treeSize: number,
  rootOfTree?: Buffer,
): Promise<{ leafHash: Buffer; proof: Buffer[]; root: Buffer }> {
  assertInclusionRequest(index, size, treeSize);
  const ranges = inclusionRanges(index, size);
  const known = size === treeSize && rootOfTree;
  const all = await rangeHashes(source, [
    ...ranges,
    { start: index, end: index + 1 },
    ...(known ? [] : [{ start: 0, end: size }]),
  ]);
  return {
    proof: all.slice(0, ranges.length),
    leafHash: all[ranges.length],
    root: known ? rootOfTree : all[ranges.length + 1],
  };
}

/** A consistency proof with both roots, all from one read of the store. */
export async function consistencyBundle(
  source: SubtreeHashSource,
  size1: number,
  size2: number,
  treeSize: number,
  rootOfTree?: Buffer,
): Promise<{ proof: Buffer[]; root1: Buffer; root2: Buffer }> {
  assertConsistencyRequest(size1, size2, treeSize);
  const ranges = consistencyRanges(size1, size2);
  const known = size2 === treeSize && rootOfTree;
  const all = await rangeHashes(source, [
    ...ranges,
    { start: 0, end: size1 },
    ...(known ? [] : [{ start: 0, end: size2 }]),
  ]);
  return {
    proof: all.slice(0, ranges.length),
    root1: all[ranges.length],
    root2: known ? rootOfTree : all[ranges.length + 1],
  };
}
