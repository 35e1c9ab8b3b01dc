import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { allocate, AllocationItem } from './allocate';
import { MoneyError } from './money.errors';
import { sharedPath } from '@app/config';

interface VectorFile {
  rule: string;
  cases: {
    name: string;
    total: string;
    items: { key: string; weight: string }[];
    expected: { key: string; amount: string }[];
  }[];
  invalid_cases: { name: string; total: string; items: { key: string; weight: string }[] }[];
}

const vectors = JSON.parse(
  readFileSync(join(sharedPath('test-vectors'), 'allocation.json'), 'utf8'),
) as VectorFile;

const toItems = (items: { key: string; weight: string }[]): AllocationItem[] =>
  items.map((i) => ({ key: i.key, weight: BigInt(i.weight) }));

describe('allocate (hamilton-v1)', () => {
  it('uses the rule the vectors were computed with', () => {
    expect(vectors.rule).toBe('hamilton-v1');
    expect(vectors.cases.length).toBeGreaterThan(10);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('vector: %s', (_name, c) => {
    const parts = allocate(BigInt(c.total), toItems(c.items));
    expect(parts.map((p) => ({ key: p.key, amount: p.amount.toString() }))).toEqual(c.expected);
  });

  it.each(vectors.invalid_cases.map((c) => [c.name, c] as const))('invalid vector: %s', (_name, c) => {
    expect(() => allocate(BigInt(c.total), toItems(c.items))).toThrow(MoneyError);
  });

  const itemsArb = fc
    .uniqueArray(
      fc.record({
        key: fc.string({ minLength: 1, maxLength: 6 }),
        weight: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      }),
      { minLength: 1, maxLength: 30, selector: (i) => i.key },
    )
    .filter((items) => items.some((i) => i.weight > 0n));
  const totalArb = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });

  it('parts always sum to the total', () => {
    fc.assert(
      fc.property(totalArb, itemsArb, (total, items) => {
        const parts = allocate(total, items);
        expect(parts.reduce((s, p) => s + p.amount, 0n)).toBe(total);
      }),
    );
  });

  it('every part is the floor or the ceiling of its exact quota, and zero weight gets zero', () => {
    fc.assert(
      fc.property(totalArb, itemsArb, (total, items) => {
        const weightSum = items.reduce((s, i) => s + i.weight, 0n);
        allocate(total, items).forEach((part, index) => {
          const floor = (total * items[index].weight) / weightSum;
          const exact = (total * items[index].weight) % weightSum === 0n;
          expect(part.amount === floor || (!exact && part.amount === floor + 1n)).toBe(true);
          if (items[index].weight === 0n) expect(part.amount).toBe(0n);
        });
      }),
    );
  });

  it('does not depend on the order of the items', () => {
    fc.assert(
      fc.property(
        totalArb,
        itemsArb.chain((items) =>
          fc.tuple(
            fc.constant(items),
            fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
          ),
        ),
        (total, [items, shuffled]) => {
          const byKey = (parts: { key: string; amount: bigint }[]) =>
            Object.fromEntries(parts.map((p) => [p.key, p.amount]));
          expect(byKey(allocate(total, shuffled))).toEqual(byKey(allocate(total, items)));
        },
      ),
    );
  });
});
