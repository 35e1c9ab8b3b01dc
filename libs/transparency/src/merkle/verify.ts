import { HASH_SIZE, nodeHash, sameHash } from './hash';

type Size = number | bigint;

function toBig(v: Size): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return Number.isSafeInteger(v) ? BigInt(v) : undefined;
}

const isHash = (h: Uint8Array): boolean => h.length === HASH_SIZE;

/**
 * RFC 9162 §2.1.3.2: is `leafHash` at `index` of the tree of `size` leaves whose root is `root`?
 * Indices are arbitrary-precision; any malformed input is simply "not valid".
 */
export function verifyInclusion(
  index: Size,
  size: Size,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const idx = toBig(index);
  const n = toBig(size);
  if (idx === undefined || n === undefined || idx < 0n || idx >= n) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = idx;
  let sn = n - 1n;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && sameHash(r, root);
}

/**
 * RFC 9162 §2.1.4.2: is the tree of `size2` leaves (root2) an extension of the tree of `size1`
 * leaves (root1)? size1 = 0 is an error, not "trivially consistent"; equal sizes are valid only
 * with an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: Size,
  size2: Size,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  const first = toBig(size1);
  const second = toBig(size2);
  if (first === undefined || second === undefined || first < 1n || first > second) return false;
  if (first === second) return proof.length === 0 && sameHash(root1, root2);
  if (proof.length === 0 || !isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  let path = [...proof];
  if ((first & (first - 1n)) === 0n) path = [root1, ...path];
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sameHash(fr, root1) && sameHash(sr, root2) && sn === 0n;
}
