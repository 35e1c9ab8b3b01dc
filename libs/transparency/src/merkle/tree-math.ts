/**
 * Index arithmetic of RFC 9162 trees. Positions are JS safe integers (a log of 2^53 leaves is
 * far beyond any ledger); nothing here uses 32-bit bitwise operators.
 */

/** A perfect subtree: level l, index i covers leaves [i·2^l, (i+1)·2^l). Level 0 is a leaf. */
export interface SubtreeRef {
  readonly level: number;
  readonly index: number;
}

/** A range of leaves [start, end) whose start is aligned to a power of two ≥ its length. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export function isSafeSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees that make up MTH(D[start:end]), largest first: the binary digits of the
 * length, from the highest. MTH = fold from the right: H(p1, H(p2, … pk)).
 */
export function decompose(range: LeafRange): SubtreeRef[] {
  const refs: SubtreeRef[] = [];
  let pos = range.start;
  let remaining = range.end - range.start;
  let size = 1;
  let level = 0;
  while (size * 2 <= remaining) {
    size *= 2;
    level += 1;
  }
  while (remaining > 0) {
    if (size <= remaining) {
      refs.push({ level, index: pos / size });
      pos += size;
      remaining -= size;
    }
    size /= 2;
    level -= 1;
  }
  return refs;
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1) as the leaf ranges whose MTH are the proof elements, leaf level up. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  const out: LeafRange[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, lo, lo + k);
      out.push({ start: lo + k, end: hi });
    } else {
      walk(m - k, lo + k, hi);
      out.push({ start: lo, end: lo + k });
    }
  };
  walk(index, 0, size);
  return out;
}

/** PROOF(m, D[n]) (RFC 9162 §2.1.4.1) as leaf ranges, leaf level up; empty for m = n. */
export function consistencyRanges(size1: number, size2: number): LeafRange[] {
  const out: LeafRange[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!complete) out.push({ start: lo, end: hi });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      out.push({ start: lo + k, end: hi });
    } else {
      sub(m - k, lo + k, hi, false);
      out.push({ start: lo, end: lo + k });
    }
  };
  if (size1 < size2) sub(size1, 0, size2, true);
  return out;
}

export function refKey(ref: SubtreeRef): string {
  return `${ref.level}:${ref.index}`;
}
