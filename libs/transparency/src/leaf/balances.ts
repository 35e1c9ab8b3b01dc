import { LedgerLeaf } from './ledger-leaf';

export interface RecomputedBalance {
  currency: string;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/**
 * Recomputes every account's balance from the leaves, with the ledger's two-phase rules:
 * a pending entry moves pending amounts, posting it moves them to posted, voiding releases them.
 */
export function foldBalances(
  leaves: Iterable<LedgerLeaf>,
  into = new Map<string, RecomputedBalance>(),
): Map<string, RecomputedBalance> {
  for (const leaf of leaves) applyLeaf(into, leaf);
  return into;
}

export function applyLeaf(balances: Map<string, RecomputedBalance>, leaf: LedgerLeaf): void {
  for (const p of leaf.postings) {
    let b = balances.get(p.acct);
    if (!b) {
      b = { currency: p.ccy, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
      balances.set(p.acct, b);
    }
    const dr = BigInt(p.dr);
    const cr = BigInt(p.cr);
    switch (leaf.flow) {
      case undefined:
        b.debitsPosted += dr;
        b.creditsPosted += cr;
        break;
      case 'pending':
        b.debitsPending += dr;
        b.creditsPending += cr;
        break;
      case 'post_pending':
        b.debitsPending -= dr;
        b.creditsPending -= cr;
        b.debitsPosted += dr;
        b.creditsPosted += cr;
        break;
      case 'void_pending':
        b.debitsPending -= dr;
        b.creditsPending -= cr;
        break;
    }
  }
}
