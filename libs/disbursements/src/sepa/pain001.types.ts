/** A party of a SEPA credit transfer: a name, an IBAN and, optionally, a BIC. */
export interface SepaParty {
  readonly name: string;
  readonly iban: string;
  readonly bic?: string | null;
}

/** One credit transfer of a batch; `amount` in integer cents. */
export interface SepaPayment {
  readonly endToEndId: string;
  readonly amount: bigint;
  readonly creditor: SepaParty;
  readonly remittance: string;
}

/** A batch of credit transfers from the fund's account (one PmtInf of one pain.001 message). */
export interface SepaBatch {
  readonly messageId: string;
  readonly paymentInfoId: string;
  readonly createdAt: Date;
  /** ISO date (YYYY-MM-DD) on which the bank should execute the transfers. */
  readonly requestedExecutionDate: string;
  readonly currency: string;
  readonly debtor: SepaParty;
  readonly payments: readonly SepaPayment[];
}

/** A generated pain.001.001.09 file with the figures its header declares. */
export interface Pain001File {
  readonly xml: string;
  readonly numberOfTransactions: number;
  /** The control sum in cents, equal to the sum of the batch. */
  readonly controlSum: bigint;
  /** The control sum as written in the file ("1234.56"). */
  readonly controlSumText: string;
}
