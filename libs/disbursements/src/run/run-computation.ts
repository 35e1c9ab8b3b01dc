import { allocate } from '@app/money';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import {
  Attribution,
  BalanceAtCutoff,
  BalanceKind,
  CarryOverReason,
  ProjectRunInput,
  ProjectRunOutcome,
  RunParameters,
  RunTotals,
  SourceCredit,
} from './run-computation.types';

/**
 * The version of the rule below, stored with every run so that anyone can recompute it from the
 * public ledger:
 * 1. A balance account's open lots: its credits up to the cut-off in ledger order, the debits
 *    consuming the oldest first (FIFO); what is left of each credit is its open amount.
 * 2. A project that has not claimed its money (not admitted, or without verified payout details)
 *    loses the open directed lots that arrived more than `claimDeadlineDays` days before the
 *    cut-off: they go back to the pool.
 * 3. An admitted project with verified payout details whose remaining balance (directed +
 *    allocated) is at least the minimum payout has all of it moved to payable; any other project
 *    carries it over, with the first failing reason (not admitted, no verified details, below the
 *    minimum).
 * 4. Every moved amount is attributed to its sources with the Hamilton allocator, weighted by the
 *    open amounts (so each source gets exactly its open amount when the whole balance moves).
 */
export const DISBURSEMENT_ALGORITHM = 'disbursement-run-v1';

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

/** Rules 2–4 for one project. Pure: same input, same outcome. */
export function computeProjectOutcome(input: ProjectRunInput, params: RunParameters): ProjectRunOutcome {
  if (params.minimumPayout < 0n) invalid('minimumPayout cannot be negative');
  if (!Number.isInteger(params.claimDeadlineDays) || params.claimDeadlineDays <= 0) {
    invalid('claimDeadlineDays must be a positive integer');
  }
  const directed = openLots('directed', input.directed);
  const allocated = openLots('allocated', input.allocated);
  for (const lot of [...directed, ...allocated]) {
    if (lot.occurredAt.getTime() > params.cutoff.getTime())
      invalid(`source ${lot.sourceId} is after the cut-off`);
  }

  const claimed = input.admitted && input.payoutVerified;
  const deadline = params.cutoff.getTime() - params.claimDeadlineDays * DAY_MS;
  const expiredLots = claimed ? [] : directed.filter((l) => l.occurredAt.getTime() < deadline);
  const keptDirected = claimed ? directed : directed.filter((l) => l.occurredAt.getTime() >= deadline);
  const expiredAmount = sum(expiredLots);
  const expired =
    expiredAmount > 0n ? { amount: expiredAmount, sources: attribute(expiredAmount, expiredLots) } : null;

  const directedAmount = sum(keptDirected);
  const allocatedAmount = sum(allocated);
  const remaining = directedAmount + allocatedAmount;
  if (remaining === 0n) return { projectId: input.projectId, expired, payable: null, carryOver: null };

  const reason = !input.admitted
    ? CarryOverReason.NotAdmitted
    : !input.payoutVerified
      ? CarryOverReason.NoVerifiedPayoutDetails
      : remaining < params.minimumPayout
        ? CarryOverReason.BelowMinimumPayout
        : null;
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

export function addToTotals(totals: RunTotals, outcome: ProjectRunOutcome): RunTotals {
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
