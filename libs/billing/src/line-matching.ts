import { isValidCreditorReference, normaliseCreditorReference } from '@app/contributions';
import { StatementLine } from './statement-lines';

/** An obligation as matching sees it. */
export interface OpenObligation {
  readonly id: string;
  readonly organisationName: string;
  readonly number: string | null;
  readonly creditorReference: string | null;
  readonly outstanding: bigint;
  readonly dueDate: string;
}

export interface Candidate {
  readonly declarationId: string;
  readonly score: number;
  readonly reasons: string[];
}

export type LineState = 'auto' | 'unmatched' | 'proposed' | 'needs_split' | 'fee' | 'payout' | 'debit';

export interface Classified {
  readonly state: LineState;
  readonly declarationId: string | null;
  readonly reason: string | null;
  readonly candidates: Candidate[];
}

const NUMBER = /LIB[\s\-_/.]*([0-9]{4})[\s\-_/.]*([0-9]{6})/gi;
const RF_IN_TEXT = /R\s*F\s*[0-9]\s*[0-9](?:\s*[0-9A-Z]){1,21}/gi;

export const normaliseName = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/** Bank codes of charges: family or sub-family CHRG (and account-management charges). */
export function isFeeCode(code: string | null): boolean {
  if (!code) return false;
  const parts = code.split('/');
  return parts.includes('CHRG') || code.startsWith('ACMT/MDOP');
}

/** Indexes the obligations once per statement, so that each line costs a few map lookups. */
export class ObligationIndex {
  private readonly byReference = new Map<string, OpenObligation>();
  private readonly byNumber = new Map<string, OpenObligation>();
  private readonly byAmount = new Map<bigint, OpenObligation[]>();
  private readonly byName = new Map<string, OpenObligation[]>();

  constructor(obligations: readonly OpenObligation[]) {
    for (const o of obligations) {
      if (o.creditorReference) this.byReference.set(o.creditorReference, o);
      if (o.number) this.byNumber.set(o.number, o);
      if (o.outstanding > 0n) {
        const a = this.byAmount.get(o.outstanding);
        if (a) a.push(o);
        else this.byAmount.set(o.outstanding, [o]);
        const n = normaliseName(o.organisationName);
        const b = this.byName.get(n);
        if (b) b.push(o);
        else this.byName.set(n, [o]);
      }
    }
  }

  reference(ref: string): OpenObligation | undefined {
    return this.byReference.get(normaliseCreditorReference(ref));
  }

  /**
   * The matching rules, in order: a structured reference passing the ISO 11649 check that names
   * an obligation matches it exactly (booked automatically); a batch that does not add up is left
   * for a person; otherwise candidates are ranked from an RF reference or a payment request
   * number in the free text, the amount and the payer's name, each with its reason. A debit is
   * never a receipt: a payout (by end-to-end id), a bank fee, or another debit.
   */
  classify(line: StatementLine, payoutIds: ReadonlyMap<string, string>): Classified {
    if (line.direction === 'debit') {
      const payout = line.endToEndId ? payoutIds.get(line.endToEndId) : undefined;
      if (payout) return { state: 'payout', declarationId: null, reason: `payout:${payout}`, candidates: [] };
      if (isFeeCode(line.bankTransactionCode))
        return { state: 'fee', declarationId: null, reason: 'bank charges', candidates: [] };
      return { state: 'debit', declarationId: null, reason: null, candidates: [] };
    }
    const notes: string[] = [];
    if (line.structuredReference && line.referenceValid === true) {
      const exact = this.reference(line.structuredReference);
      if (exact && !line.needsSplit)
        return {
          state: 'auto',
          declarationId: exact.id,
          reason: `structured reference ${exact.creditorReference}`,
          candidates: [],
        };
      if (!exact) notes.push(`the RF reference ${line.structuredReference} was not issued by the fund`);
    } else if (line.structuredReference && line.referenceValid === false) {
      notes.push(
        `the RF reference ${line.structuredReference} fails the ISO 11649 check: never matched automatically`,
      );
    }
    const candidates = this.candidates(line);
    if (line.needsSplit) {
      notes.unshift(
        `batch of ${line.batchDeclared ?? '?'} transactions with ${line.batchPresent} detailed: never split automatically`,
      );
      return { state: 'needs_split', declarationId: null, reason: notes.join('; '), candidates };
    }
    return {
      state: candidates.length > 0 ? 'proposed' : 'unmatched',
      declarationId: null,
      reason: notes.length > 0 ? notes.join('; ') : null,
      candidates,
    };
  }

  private candidates(line: StatementLine): Candidate[] {
    const found = new Map<string, { o: OpenObligation; score: number; reasons: string[] }>();
    const add = (o: OpenObligation, score: number, reason: string) => {
      const c = found.get(o.id);
      if (c) {
        if (c.reasons.includes(reason)) return;
        c.score += score;
        c.reasons.push(reason);
      } else found.set(o.id, { o, score, reasons: [reason] });
    };
    const text = [
      line.unstructured,
      line.structuredReference && line.referenceValid !== true ? line.structuredReference : null,
    ]
      .filter(Boolean)
      .join(' ');
    if (text) {
      for (const m of text.matchAll(RF_IN_TEXT)) {
        const ref = normaliseCreditorReference(m[0]);
        if (!isValidCreditorReference(ref)) continue;
        const o = this.byReference.get(ref);
        if (o) add(o, 90, `reference ${ref} in the remittance text`);
      }
      for (const m of text.matchAll(NUMBER)) {
        const o = this.byNumber.get(`LIB-${m[1]}-${m[2]}`);
        if (o) add(o, 80, `payment request ${o.number} in the remittance text`);
      }
    }
    for (const o of this.byAmount.get(line.amount) ?? []) add(o, 30, 'amount equals what is outstanding');
    if (line.partyName) {
      for (const o of this.byName.get(normaliseName(line.partyName)) ?? [])
        add(o, 20, 'payer name equals the organisation');
    }
    // Amount or name alone is a weak hint: kept only when few obligations share it.
    return [...found.values()]
      .filter((c) => c.score >= 50 || found.size <= 3)
      .sort((a, b) => b.score - a.score || (a.o.dueDate < b.o.dueDate ? -1 : 1))
      .slice(0, 3)
      .map((c) => ({ declarationId: c.o.id, score: c.score, reasons: c.reasons }));
  }
}
