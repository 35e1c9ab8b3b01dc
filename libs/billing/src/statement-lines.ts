import { createHash } from 'node:crypto';
import { isValidCreditorReference, looksLikeCreditorReference } from '@app/contributions';
import { CamtEntry } from './camt.types';

/** One line of the reconciliation: an entry, or one transaction of a batch entry split by its details. */
export interface StatementLine {
  /** Unique per account: the bank's entry reference (`AcctSvcrRef`), `/n` for the n-th transaction of a split batch. */
  readonly key: string;
  readonly direction: 'credit' | 'debit';
  readonly amount: bigint;
  readonly currency: string;
  readonly bookingDate: string | null;
  readonly valueDate: string | null;
  readonly bankReference: string | null;
  readonly endToEndId: string | null;
  /** The first structured creditor reference (`Strd/CdtrRefInf/Ref`). */
  readonly structuredReference: string | null;
  /** For an RF reference, whether its ISO 11649 check passes; null for another reference or none. */
  readonly referenceValid: boolean | null;
  readonly unstructured: string | null;
  readonly partyName: string | null;
  readonly partyIban: string | null;
  readonly bankTransactionCode: string | null;
  readonly batchDeclared: number | null;
  readonly batchPresent: number;
  /** A batch whose details are missing or do not add up: one line, never split automatically. */
  readonly needsSplit: boolean;
  readonly charges: bigint;
}

/**
 * Identifies entries without a bank reference: the hash of what the bank says of them, with a
 * counter for identical entries of one file.
 */
export class FallbackKeys {
  private readonly seen = new Map<string, number>();

  next(account: string, e: CamtEntry): string {
    const first = e.details[0];
    const hash = createHash('sha256')
      .update(
        JSON.stringify([
          account,
          e.bookingDate,
          e.valueDate,
          e.amount.toString(),
          e.currency,
          e.direction,
          e.bankTransactionCode,
          first?.endToEndId ?? null,
          first?.unstructured ?? null,
        ]),
      )
      .digest('hex')
      .slice(0, 32);
    const n = (this.seen.get(hash) ?? 0) + 1;
    this.seen.set(hash, n);
    return `hash:${hash}#${n}`;
  }
}

/**
 * The lines of one booked entry. A batch (`Btch/NbOfTxs`, or several details) is split into one
 * line per transaction only when every announced transaction is present with its amount and the
 * amounts add up to the entry's; otherwise it stays one line marked `needsSplit`. A single
 * transaction's line carries the entry's amount (a detail's own amount can be in another currency).
 */
export function linesOfEntry(e: CamtEntry, entryKey: string): StatementLine[] {
  const present = e.details.length;
  const declared = e.batchDeclared ?? (present > 1 ? present : null);
  const base = {
    direction: e.direction,
    currency: e.currency,
    bookingDate: e.bookingDate,
    valueDate: e.valueDate,
    bankTransactionCode: e.bankTransactionCode,
    batchDeclared: declared,
    batchPresent: present,
  };
  const fromDetail = (d: CamtEntry['details'][number] | undefined) => {
    const reference = d?.structuredReferences[0] ?? null;
    return {
      endToEndId: d?.endToEndId && d.endToEndId !== 'NOTPROVIDED' ? d.endToEndId : null,
      structuredReference: reference,
      referenceValid:
        reference && looksLikeCreditorReference(reference) ? isValidCreditorReference(reference) : null,
      unstructured: d?.unstructured ?? null,
      partyName: d?.partyName ?? null,
      partyIban: d?.partyIban ?? null,
    };
  };
  if (declared !== null && declared > 1) {
    const complete =
      present === declared &&
      e.details.every((d) => d.amount !== null && d.amount > 0n && d.currency === e.currency) &&
      e.details.reduce((sum, d) => sum + (d.amount ?? 0n), 0n) === e.amount;
    if (!complete) {
      return [
        {
          ...base,
          ...fromDetail(present === 1 ? e.details[0] : undefined),
          key: entryKey,
          amount: e.amount,
          bankReference: e.bankReference,
          needsSplit: true,
          charges: e.charges,
        },
      ];
    }
    return e.details.map((d, i) => ({
      ...base,
      ...fromDetail(d),
      key: `${entryKey}/${i + 1}`,
      amount: d.amount!,
      bankReference: d.bankReference ?? e.bankReference,
      needsSplit: false,
      charges: 0n,
    }));
  }
  return [
    {
      ...base,
      ...fromDetail(e.details[0]),
      key: entryKey,
      amount: e.amount,
      bankReference: e.bankReference,
      needsSplit: false,
      charges: e.charges,
    },
  ];
}
