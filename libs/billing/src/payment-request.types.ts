/** The fund as seller and payee (from the configuration). */
export interface FundIdentity {
  readonly legalName: string;
  readonly siret: string | null;
  readonly addressLine: string | null;
  readonly postcode: string | null;
  readonly city: string | null;
  readonly country: string;
  readonly accountName: string;
  readonly iban: string;
  readonly bic: string | null;
}

/**
 * The EN 16931 semantic content of one payment request (BT numbers in the comments), as the
 * CII and Factur-X generators read it.
 */
export interface PaymentRequestDocument {
  readonly id: string;
  /** BT-1 */
  readonly number: string;
  readonly kind: 'invoice' | 'credit_note';
  /** BT-3: 380 invoice, 381 credit note */
  readonly typeCode: string;
  /** BT-2, YYYY-MM-DD */
  readonly issueDate: string;
  /** BT-9 */
  readonly dueDate: string;
  /** BT-5 */
  readonly currency: string;
  /** minor units */
  readonly amount: bigint;
  /** BT-83: the ISO 11649 reference the payer quotes */
  readonly creditorReference: string;
  readonly buyer: {
    /** BT-46/47 (scheme 0009) */
    readonly siret: string;
    /** BT-44 */
    readonly name: string;
    /** BT-10: Chorus Pro service code */
    readonly serviceCode: string | null;
    /** BT-13: legal commitment (engagement juridique) */
    readonly legalCommitment: string | null;
    /** BT-12 */
    readonly publicContractId: string | null;
  };
  readonly seller: FundIdentity;
  /** BT-153 / BT-154 */
  readonly lineName: string;
  readonly lineDescription: string;
  readonly fiscalYear: number;
  /** BT-25: the request a credit note cancels */
  readonly precedingNumber: string | null;
  readonly precedingIssueDate: string | null;
  /** BT-20 and the late-payment notes */
  readonly paymentTerms: string;
  readonly latePaymentNote: string;
  readonly indemnityNote: string;
  readonly policyVersion: number;
}
