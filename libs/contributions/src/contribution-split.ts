import { allocate, AllocationItem, ALLOCATION_RULE } from '@app/money';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';

/** Most projects one contribution may direct money to. */
export const MAX_DIRECTIONS = 200;

/** The shares of a policy version that govern a split, in basis points summing to 10000. */
export interface SplitPolicy {
  readonly version: number;
  readonly directedShareBps: number;
  readonly poolShareBps: number;
  readonly operatingFeeBps: number;
}

/** A project a contributor chose, with a positive integer weight. */
export interface Direction {
  readonly projectId: string;
  readonly weight: bigint;
}

export interface DirectedPart {
  readonly projectId: string;
  readonly amount: bigint;
}

/** How one net amount is divided; `pool` includes the directed share when there is no direction. */
export interface ContributionSplit {
  readonly net: bigint;
  readonly operatingFee: bigint;
  readonly directedShare: bigint;
  readonly pool: bigint;
  readonly directed: DirectedPart[];
  readonly policyVersion: number;
  readonly rule: string;
}

type ShareKey = 'directed' | 'operating' | 'pool';

/**
 * Splits a net amount under a policy: first into operating fee, directed share and pool by the
 * policy's basis points, then the directed share over the directions by their weights, both with
 * the one allocator. Without direction, the directed share goes to the pool.
 */
export function splitContribution(
  net: bigint,
  policy: SplitPolicy,
  directions: readonly Direction[],
): ContributionSplit {
  if (net < 0n)
    throw new ContributionsError(ContributionsErrorCode.InvalidInput, 'a net amount cannot be negative');
  const bps = [policy.directedShareBps, policy.poolShareBps, policy.operatingFeeBps];
  if (bps.some((b) => !Number.isInteger(b) || b < 0) || bps.reduce((a, b) => a + b, 0) !== 10000) {
    throw new ContributionsError(
      ContributionsErrorCode.InvalidSplitPolicy,
      'policy shares must be non-negative and sum to 10000 bps',
    );
  }
  assertDirections(directions);
  const shares: AllocationItem<ShareKey>[] = [
    { key: 'directed', weight: BigInt(policy.directedShareBps) },
    { key: 'operating', weight: BigInt(policy.operatingFeeBps) },
    { key: 'pool', weight: BigInt(policy.poolShareBps) },
  ];
  const [directedShare, operatingFee, poolShare] = allocate(net, shares).map((p) => p.amount);
  let directed: DirectedPart[] = [];
  let pool = poolShare;
  if (directions.length === 0 || directedShare === 0n) {
    pool += directedShare;
  } else {
    directed = allocate(
      directedShare,
      directions.map((d) => ({ key: d.projectId, weight: d.weight })),
    ).map((p) => ({ projectId: p.key, amount: p.amount }));
  }
  return {
    net,
    operatingFee,
    directedShare,
    pool,
    directed,
    policyVersion: policy.version,
    rule: ALLOCATION_RULE,
  };
}

/**
 * The split of a gross amount once the processor's fee is taken: what a booking applies
 * (`ContributionBookingService.book`) and what a donor is shown before paying, with the fee
 * the processor is expected to take (0 when unknown: the split of the whole amount).
 */
export function splitGross(
  gross: bigint,
  processorFee: bigint,
  policy: SplitPolicy,
  directions: readonly Direction[],
): ContributionSplit {
  if (processorFee < 0n || processorFee > gross)
    throw new ContributionsError(
      ContributionsErrorCode.InvalidInput,
      'the fee must lie within the gross amount',
    );
  return splitContribution(gross - processorFee, policy, directions);
}

/** Checks the shape of directions: at most 200, distinct projects, positive integer weights. */
export function assertDirections(directions: readonly Direction[]): void {
  if (directions.length > MAX_DIRECTIONS) {
    throw new ContributionsError(
      ContributionsErrorCode.InvalidDirections,
      `at most ${MAX_DIRECTIONS} directions`,
      {
        field: 'directions',
      },
    );
  }
  const seen = new Set<string>();
  directions.forEach((d, i) => {
    if (d.weight <= 0n) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidDirections,
        'a weight must be a positive integer',
        {
          field: `directions[${i}].weight`,
        },
      );
    }
    if (seen.has(d.projectId)) {
      throw new ContributionsError(
        ContributionsErrorCode.InvalidDirections,
        `project ${d.projectId} is directed twice`,
        {
          field: `directions[${i}].projectId`,
        },
      );
    }
    seen.add(d.projectId);
  });
}

/** One line of a split, as booked: the account role and, for directed money, the project. */
export interface SplitPart {
  readonly key: string;
  readonly amount: bigint;
}

/** The split as a flat list of parts keyed `operating`, `pool`, `project:<id>` (zero parts kept). */
export function splitParts(split: ContributionSplit): SplitPart[] {
  return [
    { key: 'operating', amount: split.operatingFee },
    { key: 'pool', amount: split.pool },
    ...split.directed.map((d) => ({ key: `project:${d.projectId}`, amount: d.amount })),
  ];
}

export interface ReversalSplit {
  /** How much of each part is taken back. */
  readonly parts: SplitPart[];
  /** The share of the reversed amount that had gone to the processor fee (not returned by the processor). */
  readonly feeShare: bigint;
}

/**
 * The reversal of part of a contribution (a refund or a dispute of `amount` out of `gross`):
 * the amount is first divided between the net that was split and the processor fee, in
 * proportion, then the net share is taken back from the parts that still hold money
 * (`remaining`), in proportion to what they hold. Both steps use the allocator, so the parts sum
 * exactly and a full reversal takes back every part exactly.
 */
export function reversalSplit(
  amount: bigint,
  gross: bigint,
  fee: bigint,
  remaining: readonly SplitPart[],
): ReversalSplit {
  if (amount <= 0n || amount > gross) {
    throw new ContributionsError(
      ContributionsErrorCode.InvalidInput,
      'a reversal must be positive and at most the gross amount',
    );
  }
  if (fee < 0n || fee > gross)
    throw new ContributionsError(
      ContributionsErrorCode.InvalidInput,
      'the fee must lie within the gross amount',
    );
  const net = gross - fee;
  let netPart = amount;
  let feePart = 0n;
  if (fee > 0n && net === 0n) {
    netPart = 0n;
    feePart = amount;
  } else if (fee > 0n) {
    [netPart, feePart] = allocate(amount, [
      { key: 'net', weight: net },
      { key: 'fee', weight: fee },
    ]).map((p) => p.amount);
  }
  const held = remaining.reduce((s, p) => s + p.amount, 0n);
  if (netPart === 0n || held === 0n) {
    return { parts: remaining.map((p) => ({ key: p.key, amount: 0n })), feeShare: feePart + netPart };
  }
  const take = netPart > held ? held : netPart;
  const parts = allocate(
    take,
    remaining.map((p) => ({ key: p.key, weight: p.amount })),
  );
  return { parts, feeShare: feePart + (netPart - take) };
}
