export type CamtMessageName = `camt.053.001.${string}` | `camt.054.001.${string}`;

export interface CamtBalance {
  /** OPBD, PRCD, CLBD, CLAV, ITBD… */
  readonly type: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly direction: 'credit' | 'debit';
  readonly date: string | null;
}

/** One statement (camt.053 `Stmt`) or notification (camt.054 `Ntfctn`). */
export interface CamtReport {
  readonly id: string;
  /** IBAN, or the other identifier (`Othr/Id`) when the account has none. */
  readonly account: string;
  readonly currency: string | null;
  readonly balances: CamtBalance[];
  entryCount: number;
}

export interface CamtTransaction {
  /** `Amt`, else `AmtDtls/TxAmt/Amt`, else `AmtDtls/InstdAmt/Amt` (null when none). */
  readonly amount: bigint | null;
  readonly currency: string | null;
  readonly direction: 'credit' | 'debit' | null;
  readonly bankReference: string | null;
  readonly endToEndId: string | null;
  readonly structuredReferences: string[];
  readonly unstructured: string | null;
  /** The debtor for a credit, the creditor for a debit. */
  readonly partyName: string | null;
  readonly partyIban: string | null;
  readonly returnReason: string | null;
}

export interface CamtEntry {
  /** Position in the file, from 0. */
  readonly index: number;
  readonly reportId: string;
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly direction: 'credit' | 'debit';
  readonly reversal: boolean;
  /** BOOK, PDNG, INFO… */
  readonly status: string;
  readonly bookingDate: string | null;
  readonly valueDate: string | null;
  /** `AcctSvcrRef`: the bank's reference of the entry. */
  readonly bankReference: string | null;
  readonly entryReference: string | null;
  /** `Domn/Fmly/SubFmly` (e.g. `PMNT/RCDT/ESCT`) or the proprietary code. */
  readonly bankTransactionCode: string | null;
  /** `Btch/NbOfTxs`: how many transactions the bank says the entry holds (null when not a batch). */
  readonly batchDeclared: number | null;
  readonly charges: bigint;
  readonly details: CamtTransaction[];
  readonly additionalInfo: string | null;
}

export interface CamtSummary {
  readonly messageName: CamtMessageName;
  readonly messageId: string;
  readonly reports: CamtReport[];
  readonly entries: number;
}
