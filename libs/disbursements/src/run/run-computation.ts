import { allocate } from '@app/money';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import {
  Attribution,
  BalanceAtCutoff,
  BalanceKind,
  CarryOverReason,
  ProjectRunInput,
  ProjectRunOutcome,
  ProjectSumsInput,
  RunParameters,
  RunTotals,
  SourceCredit,
  SourceRange,
} from './run-computation.types';

/**
 * The version of the rule below, stored with every run so that anyone can recompute it from the
 * public ledger:
 * 1. The run sees the ledger entries whose leaf in the public log has an index below the run's
 *    ledger mark, the log's size when the run started (an entry committed but not yet in the log
 *    waits for the next run). A balance account's open lots: its credits that occurred up to the
 *    cut-off, in FIFO order (occurred_at, then entry id), consumed from the oldest by all its
 *    debits; what is left of each credit is its open amount.
 * 2. A project that has not claimed its money (not admitted, or without verified payout details)
 *    loses the open directed lots that arrived more than `claimDeadlineDays` days before the
 *    cut-off: they go back to the pool.
 * 3. An admitted project with verified payout details whose remaining balance (directed +
 *    allocated) is at least the minimum payout has all of it moved to payable; any other project
 *    carries it over, with the first failing reason (not admitted, no verified details, below the
 *    minimum).
 * 4. Every moved amount is attributed to its sources with the Hamilton allocator, weighted by the
 *    open amounts. A run only ever moves whole sets of open lots (all of a balance, or its lots
 *    older than the deadline, a FIFO prefix), so each source gets exactly its open amount; the run
 *    stores them as positions in the FIFO order (`SourceRange`), which a statement expands.
 *
 * v1 took as its mark the highest entry id at the start, which a lower id committing later broke.
 */
export const DISBURSEMENT_ALGORITHM = 'disbursement-run-v2';

const DAY_MS = 86_400_000;

export interface OpenLot extends SourceCredit {
  readonly balance: BalanceKind;
  /** What is left of the credit after the debits consumed older credits first. */
  readonly open: bigint;
}

/** Rule 1: the credits still open after FIFO consumption by the debits. */
export function openLots(balance: BalanceKind, account: BalanceAtCutoff): OpenLot[] {
  let toConsume = account.debited;
  if (toConsume < 0n) invalid(`${balance}: debited total cannot be negative`);
  const lots: OpenLot[] = [];
  for (const credit of account.credits) {
    const amount = credit.amount;
    if (amount <= 0n) invalid(`${balance}: credit ${credit.sourceId} must be positive`);
    let open = amount;
    if (toConsume > 0n) {
      const consumed = toConsume < amount ? toConsume : amount;
      toConsume -= consumed;
      open = amount - consumed;
    }
    if (open > 0n) {
      // Built field by field (no spread): this runs once per contribution of a run.
      lots.push({
        sourceId: credit.sourceId,
        kind: credit.kind,
        reference: credit.reference,
        occurredAt: credit.occurredAt,
        amount,
        balance,
        open,
      });
    }
  }
  if (toConsume > 0n) invalid(`${balance}: debits (${account.debited}) exceed the credits`);
  return lots;
}

/** Rule 4: attributes `amount` to `lots` by the allocator, weighted by their open amounts. */
export function attribute(amount: bigint, lots: readonly OpenLot[]): Attribution[] {
  if (amount === 0n || lots.length === 0) return [];
  const key = (l: OpenLot) => `${l.balance}:${l.sourceId}`;
  const merged = new Map<string, { lot: OpenLot; weight: bigint }>();
  for (const lot of lots) {
    const k = key(lot);
    const seen = merged.get(k);
    if (seen) seen.weight += lot.open;
    else merged.set(k, { lot, weight: lot.open });
  }
  const rows = [...merged.values()];
  const weights = rows.reduce((sum, r) => sum + r.weight, 0n);
  // Moving a whole balance: every Hamilton quota is an integer, so allocate() would return the
  // weights themselves (see the property test); skip its sort, which dominates on large runs.
  const parts =
    amount === weights
      ? rows.map((r) => ({ key: key(r.lot), amount: r.weight }))
      : allocate(
          amount,
          rows.map((r) => ({ key: key(r.lot), weight: r.weight })),
        );
  return parts
    .map((part, i) => {
      const { balance, sourceId, kind, reference } = rows[i].lot;
      return kind === undefined
        ? { balance, sourceId, amount: part.amount }
        : { balance, sourceId, kind, reference, amount: part.amount };
    })
    .filter((a) => a.amount > 0n);
}

const sum = (lots: readonly OpenLot[]): bigint => lots.reduce((s, l) => s + l.open, 0n);

function checkParams(params: RunParameters): void {
  if (params.minimumPayout < 0n) invalid('minimumPayout cannot be negative');
  if (!Number.isInteger(params.claimDeadlineDays) || params.claimDeadlineDays <= 0) {
    invalid('claimDeadlineDays must be a positive integer');
  }
}

/** The claim deadline of rule 2: directed lots that occurred strictly before it expire. */
export function claimDeadline(params: RunParameters): Date {
  return new Date(params.cutoff.getTime() - params.claimDeadlineDays * DAY_MS);
}

function carryOverReason(
  input: { admitted: boolean; payoutVerified: boolean },
  remaining: bigint,
  params: RunParameters,
) {
  return !input.admitted
    ? CarryOverReason.NotAdmitted
    : !input.payoutVerified
      ? CarryOverReason.NoVerifiedPayoutDetails
      : remaining < params.minimumPayout
        ? CarryOverReason.BelowMinimumPayout
        : null;
}

/** Rules 2–4 for one project, from its lots. Pure: same input, same outcome. */
export function computeProjectOutcome(input: ProjectRunInput, params: RunParameters): ProjectRunOutcome {
  checkParams(params);
  const directed = openLots('directed', input.directed);
  const allocated = openLots('allocated', input.allocated);
  for (const lot of [...directed, ...allocated]) {
    if (lot.occurredAt.getTime() > params.cutoff.getTime())
      invalid(`source ${lot.sourceId} is after the cut-off`);
  }

  const claimed = input.admitted && input.payoutVerified;
  const deadline = claimDeadline(params).getTime();
  const expiredLots = claimed ? [] : directed.filter((l) => l.occurredAt.getTime() < deadline);
  const keptDirected = claimed ? directed : directed.filter((l) => l.occurredAt.getTime() >= deadline);
  const expiredAmount = sum(expiredLots);
  const expired =
    expiredAmount > 0n ? { amount: expiredAmount, sources: attribute(expiredAmount, expiredLots) } : null;

  const directedAmount = sum(keptDirected);
  const allocatedAmount = sum(allocated);
  const remaining = directedAmount + allocatedAmount;
  if (remaining === 0n) return { projectId: input.projectId, expired, payable: null, carryOver: null };

  const reason = carryOverReason(input, remaining, params);
  if (reason !== null) {
    return { projectId: input.projectId, expired, payable: null, carryOver: { amount: remaining, reason } };
  }
  const sources = [...attribute(directedAmount, keptDirected), ...attribute(allocatedAmount, allocated)];
  return {
    projectId: input.projectId,
    expired,
    payable: { amount: remaining, directed: directedAmount, allocated: allocatedAmount, sources },
    carryOver: null,
  };
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Rules 2–4 for one project from three sums per balance (what the run reads), the sources as
 * positions in each account's FIFO order. Same amounts as `computeProjectOutcome` on the lots
 * behind the sums, and `expandSources` gives the same attributions (property-tested): the open
 * lots are the positions [debited, credited); the lots older than the deadline, a FIFO prefix,
 * are [0, creditedBeforeDeadline).
 */
export function computeProjectOutcomeFromSums(
  input: ProjectSumsInput,
  params: RunParameters,
): ProjectRunOutcome<SourceRange> {
  checkParams(params);
  for (const balance of ['directed', 'allocated'] as const) {
    const b = input[balance];
    if (b.credited < 0n || b.debited < 0n) invalid(`${balance}: sums cannot be negative`);
    const before = b.creditedBeforeDeadline;
    if (before !== undefined && (before < 0n || before > b.credited)) {
      invalid(`${balance}: credits before the deadline must be between 0 and the credits`);
    }
  }
  const claimed = input.admitted && input.payoutVerified;
  const d = input.directed;
  let keptFrom = d.debited;
  let expired: ProjectRunOutcome<SourceRange>['expired'] = null;
  if (!claimed) {
    if (d.creditedBeforeDeadline === undefined && d.credited > d.debited) {
      invalid('directed: the credits before the deadline are needed for an unclaimed project');
    }
    const before = d.creditedBeforeDeadline ?? 0n;
    if (before > d.debited) {
      expired = {
        amount: before - d.debited,
        sources: [{ balance: 'directed', from: d.debited, to: before }],
      };
      keptFrom = before;
    }
  }
  const directed = max(0n, d.credited - keptFrom);
  const a = input.allocated;
  const allocated = max(0n, a.credited - a.debited);
  const remaining = directed + allocated;
  if (remaining === 0n) return { projectId: input.projectId, expired, payable: null, carryOver: null };
  const reason = carryOverReason(input, remaining, params);
  if (reason !== null) {
    return { projectId: input.projectId, expired, payable: null, carryOver: { amount: remaining, reason } };
  }
  const sources: SourceRange[] = [];
  if (directed > 0n) sources.push({ balance: 'directed', from: keptFrom, to: d.credited });
  if (allocated > 0n) sources.push({ balance: 'allocated', from: a.debited, to: a.credited });
  return {
    projectId: input.projectId,
    expired,
    payable: { amount: remaining, directed, allocated, sources },
    carryOver: null,
  };
}

/**
 * The attributions behind source ranges: `credits` are each balance account's credits the run
 * saw, in FIFO order, the first one at position `starts[balance]` (0: all of them); every credit
 * overlapping a range gets its overlap, one line per source entry (in order of first appearance,
 * like `attribute`).
 */
export function expandSources(
  ranges: readonly SourceRange[],
  credits: Readonly<Record<BalanceKind, readonly SourceCredit[]>>,
  starts: Readonly<Partial<Record<BalanceKind, bigint>>> = {},
): Attribution[] {
  const out: Attribution[] = [];
  for (const range of ranges) {
    const merged = new Map<string, { credit: SourceCredit; amount: bigint }>();
    let position = starts[range.balance] ?? 0n;
    if (position > range.from) invalid(`${range.balance}: the credits start after position ${range.from}`);
    for (const credit of credits[range.balance]) {
      if (position >= range.to) break;
      const end = position + credit.amount;
      const overlap = (end < range.to ? end : range.to) - max(position, range.from);
      position = end;
      if (overlap <= 0n) continue;
      const seen = merged.get(credit.sourceId);
      if (seen) seen.amount += overlap;
      else merged.set(credit.sourceId, { credit, amount: overlap });
    }
    if (position < range.to) invalid(`${range.balance}: the credits end before position ${range.to}`);
    for (const { credit, amount } of merged.values()) {
      out.push(
        credit.kind === undefined
          ? { balance: range.balance, sourceId: credit.sourceId, amount }
          : {
              balance: range.balance,
              sourceId: credit.sourceId,
              kind: credit.kind,
              reference: credit.reference,
              amount,
            },
      );
    }
  }
  return out;
}

export function emptyTotals(): RunTotals {
  return {
    projects: 0,
    payableProjects: 0,
    payable: 0n,
    expired: 0n,
    carriedOver: 0n,
    carriedOverByReason: {
      [CarryOverReason.NotAdmitted]: 0n,
      [CarryOverReason.NoVerifiedPayoutDetails]: 0n,
      [CarryOverReason.BelowMinimumPayout]: 0n,
    },
  };
}

export function addToTotals(totals: RunTotals, outcome: ProjectRunOutcome<unknown>): RunTotals {
  totals.projects += 1;
  if (outcome.expired) totals.expired += outcome.expired.amount;
  if (outcome.payable) {
    totals.payableProjects += 1;
    totals.payable += outcome.payable.amount;
  }
  if (outcome.carryOver) {
    totals.carriedOver += outcome.carryOver.amount;
    totals.carriedOverByReason[outcome.carryOver.reason] += outcome.carryOver.amount;
  }
  return totals;
}

/**
 * The run over a stream of projects (one project in memory at a time): yields each project's
 * outcome in input order and fills `totals` as it goes. Projects must come once each.
 */
export async function* computeRun(
  projects: AsyncIterable<ProjectRunInput> | Iterable<ProjectRunInput>,
  params: RunParameters,
  totals: RunTotals = emptyTotals(),
): AsyncGenerator<ProjectRunOutcome> {
  for await (const project of projects) {
    const outcome = computeProjectOutcome(project, params);
    addToTotals(totals, outcome);
    yield outcome;
  }
}

function invalid(message: string): never {
  throw new DisbursementsError(DisbursementsErrorCode.InvalidRunInput, message);
}
