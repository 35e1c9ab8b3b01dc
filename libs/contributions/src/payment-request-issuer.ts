import { EntityManager } from 'typeorm';
import { Policy } from '@app/policy';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';
import { creditorReference } from './creditor-reference';

/** What a payment request needs to know of the organisation billed. */
export interface BilledOrganisation {
  readonly id: string;
  readonly siret: string;
  readonly name: string;
  readonly serviceCodeRequired: boolean;
  readonly legalCommitmentRequired: boolean;
}

export interface IssuedPaymentRequest {
  readonly id: string;
  readonly number: string;
  readonly creditorReference: string;
}

/** UNTDID 1001: 380 commercial invoice, 381 credit note; a payment request uses the invoice's code. */
export const DOCUMENT_TYPE_CODES = { invoice: '380', credit_note: '381' } as const;

/** `LIB-2026-000123` and its ISO 11649 reference `RF12LIB2026000123`. */
export function paymentRequestNumber(year: number, seq: number): { number: string; body: string } {
  const digits = String(seq).padStart(6, '0');
  return { number: `LIB-${year}-${digits}`, body: `LIB${year}${digits}` };
}

/**
 * Refuses, naming the field, a declaration the buyer's Chorus Pro structure could not receive:
 * no SIRET, or no service code / legal commitment when the structure requires one.
 */
export function assertBillable(
  organisation: BilledOrganisation,
  declaration: { serviceCode: string | null; legalCommitment: string | null },
): void {
  if (!/^[0-9]{14}$/.test(organisation.siret))
    throw new ContributionsError(
      ContributionsErrorCode.InvalidSiret,
      'the organisation has no SIRET to bill',
      {
        field: 'siret',
      },
    );
  if (organisation.serviceCodeRequired && !declaration.serviceCode)
    throw new ContributionsError(
      ContributionsErrorCode.InvalidInput,
      'serviceCode is required: the organisation requires a service code on its payment requests (Chorus Pro)',
      { field: 'serviceCode' },
    );
  if (organisation.legalCommitmentRequired && !declaration.legalCommitment)
    throw new ContributionsError(
      ContributionsErrorCode.InvalidInput,
      'legalCommitment is required: the organisation requires a legal commitment number on its payment requests (Chorus Pro)',
      { field: 'legalCommitment' },
    );
}

/**
 * Issues the payment request of a new obligation inside the declaring transaction: the next
 * number of the year from the counter row (locked until COMMIT, so numbers are gapless and never
 * reused: a rolled-back declaration gives its number back), the obligation's ISO 11649 reference,
 * and a snapshot of the buyer's Chorus Pro data.
 */
export async function issuePaymentRequest(
  m: EntityManager,
  organisation: BilledOrganisation,
  declaration: {
    id: string;
    serviceCode: string | null;
    legalCommitment: string | null;
    publicContractId: string | null;
    currency: string;
    amountDue: bigint;
    dueDate: string;
  },
  policy: Policy,
): Promise<IssuedPaymentRequest> {
  assertBillable(organisation, declaration);
  const [{ year, seq, issue_date }] = (await m.query(
    `WITH y AS (SELECT extract(year FROM current_date)::int AS year)
     INSERT INTO payment_request_counters (year, last_number) SELECT year, 1 FROM y
     ON CONFLICT (year) DO UPDATE SET last_number = payment_request_counters.last_number + 1
     RETURNING year, last_number AS seq, to_char(current_date, 'YYYY-MM-DD') AS issue_date`,
  )) as { year: number; seq: number; issue_date: string }[];
  const { number, body } = paymentRequestNumber(year, seq);
  const reference = creditorReference(body);
  await m.query('UPDATE levy_declarations SET creditor_reference = $2 WHERE id = $1', [
    declaration.id,
    reference,
  ]);
  const [row] = (await m.query(
    `INSERT INTO payment_requests (number, year, seq, kind, document_type_code, declaration_id, organisation_id, creditor_reference,
       currency, amount, issue_date, due_date, buyer, policy_version)
     VALUES ($1, $2, $3, 'invoice', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id::text`,
    [
      number,
      year,
      seq,
      DOCUMENT_TYPE_CODES.invoice,
      declaration.id,
      organisation.id,
      reference,
      declaration.currency,
      declaration.amountDue.toString(),
      issue_date,
      declaration.dueDate,
      JSON.stringify({
        siret: organisation.siret,
        name: organisation.name,
        serviceCode: declaration.serviceCode,
        legalCommitment: declaration.legalCommitment,
        publicContractId: declaration.publicContractId,
      }),
      policy.version,
    ],
  )) as { id: string }[];
  return { id: row.id, number, creditorReference: reference };
}
