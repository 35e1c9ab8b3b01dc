import { MoneyError, MoneyErrorCode } from './money.errors';

/** The version of the allocation rule, recorded with every split so that anyone can recompute it. */
export const ALLOCATION_RULE = 'hamilton-v1';

export interface AllocationItem<K extends string = string> {
  readonly key: K;
  readonly weight: bigint;
}

export interface AllocationPart<K extends string = string> {
  readonly key: K;
  readonly amount: bigint;
}

/**
 * The one allocator: splits `total` minor units over `items` by largest remainder (Hamilton),
 * integers only. Leftover units go to the larger remainder, then the larger weight, then the
 * smaller key byte-wise. The parts always sum to `total` and come back in the order of `items`.
 */
export function allocate<K extends string>(
  total: bigint,
  items: readonly AllocationItem<K>[],
): AllocationPart<K>[] {
  if (total < 0n) throw invalid('the total cannot be negative');
  if (items.length === 0) throw invalid('there must be at least one item');
  const keys = new Set<string>();
  let weightSum = 0n;
  for (const item of items) {
    if (keys.has(item.key)) throw invalid(`duplicate key "${item.key}"`);
    keys.add(item.key);
    if (item.weight < 0n) throw invalid(`weight of "${item.key}" is negative`);
    weightSum += item.weight;
  }
  if (weightSum === 0n) throw invalid('the weights sum to zero');

  const rows = items.map((item, index) => {
    const product = total * item.weight;
    return {
      index,
      item,
      bytes: Buffer.from(item.key, 'utf8'),
      base: product / weightSum,
      remainder: product % weightSum,
    };
  });
  let left = total - rows.reduce((sum, row) => sum + row.base, 0n);
  const order = [...rows].sort(
    (x, y) =>
      compareDesc(x.remainder, y.remainder) ||
      compareDesc(x.item.weight, y.item.weight) ||
      Buffer.compare(x.bytes, y.bytes),
  );
  const extra = new Array<bigint>(rows.length).fill(0n);
  for (const row of order) {
    if (left === 0n) break;
    extra[row.index] = 1n;
    left -= 1n;
  }
  return rows.map((row) => ({ key: row.item.key, amount: row.base + extra[row.index] }));
}

function compareDesc(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function invalid(message: string): MoneyError {
  return new MoneyError(MoneyErrorCode.InvalidAllocation, message);
}
