import { electronicFormatIBAN, isValidBIC, isValidIBAN, isSEPACountry } from 'ibantools';
import { create } from 'xmlbuilder2';
import { formatDecimal } from '@app/money';
import { DisbursementsError, DisbursementsErrorCode } from '../disbursements.errors';
import { Pain001File, SepaBatch, SepaParty } from './pain001.types';
import { isSepaIdentifier, toSepaText } from './sepa-text';

export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

/** EPC C2B limits: 0.01 to 999,999,999.99 EUR per transfer. */
export const SEPA_MIN_AMOUNT = 1n;
export const SEPA_MAX_AMOUNT = 99_999_999_999n;

/**
 * Builds a SEPA credit-transfer initiation (pain.001.001.09, EPC 2023 IG) from integer cents.
 * Amounts are written from bigint cents by string manipulation; NbOfTxs and CtrlSum come from the
 * same bigint sum, so the header always equals the batch. Names and remittance texts are
 * transliterated into the SEPA character set; identifiers, IBANs and BICs are checked, not changed.
 */
export function buildPain001(batch: SepaBatch): Pain001File {
  if (batch.currency !== 'EUR') invalid(`SEPA credit transfers are in EUR, not ${batch.currency}`);
  if (batch.payments.length === 0) invalid('a batch needs at least one payment');
  checkId(batch.messageId, 'messageId');
  checkId(batch.paymentInfoId, 'paymentInfoId');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(batch.requestedExecutionDate))
    invalid('requestedExecutionDate must be YYYY-MM-DD');
  const debtor = party(batch.debtor, 'debtor');
  const seen = new Set<string>();
  let sum = 0n;
  const payments = batch.payments.map((p, i) => {
    checkId(p.endToEndId, `payments[${i}].endToEndId`);
    if (seen.has(p.endToEndId)) invalid(`duplicate EndToEndId ${p.endToEndId}`);
    seen.add(p.endToEndId);
    if (p.amount < SEPA_MIN_AMOUNT || p.amount > SEPA_MAX_AMOUNT) {
      invalid(`payments[${i}].amount must be between 1 and ${SEPA_MAX_AMOUNT} cents`);
    }
    sum += p.amount;
    return {
      ...p,
      creditor: party(p.creditor, `payments[${i}].creditor`),
      remittance: toSepaText(p.remittance, 140),
    };
  });
  const count = String(payments.length);
  const controlSumText = formatDecimal(sum);

  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(PAIN_001_NAMESPACE, 'Document');
  const root = doc.ele('CstmrCdtTrfInitn');
  const header = root.ele('GrpHdr');
  header.ele('MsgId').txt(batch.messageId);
  header.ele('CreDtTm').txt(batch.createdAt.toISOString().slice(0, 19));
  header.ele('NbOfTxs').txt(count);
  header.ele('CtrlSum').txt(controlSumText);
  header.ele('InitgPty').ele('Nm').txt(debtor.name);

  const info = root.ele('PmtInf');
  info.ele('PmtInfId').txt(batch.paymentInfoId);
  info.ele('PmtMtd').txt('TRF');
  info.ele('BtchBookg').txt('false');
  info.ele('NbOfTxs').txt(count);
  info.ele('CtrlSum').txt(controlSumText);
  info.ele('PmtTpInf').ele('SvcLvl').ele('Cd').txt('SEPA');
  info.ele('ReqdExctnDt').ele('Dt').txt(batch.requestedExecutionDate);
  info.ele('Dbtr').ele('Nm').txt(debtor.name);
  info.ele('DbtrAcct').ele('Id').ele('IBAN').txt(debtor.iban);
  agent(info.ele('DbtrAgt'), debtor.bic, true);
  info.ele('ChrgBr').txt('SLEV');
  for (const p of payments) {
    const tx = info.ele('CdtTrfTxInf');
    tx.ele('PmtId').ele('EndToEndId').txt(p.endToEndId);
    tx.ele('Amt').ele('InstdAmt', { Ccy: 'EUR' }).txt(formatDecimal(p.amount));
    if (p.creditor.bic) agent(tx.ele('CdtrAgt'), p.creditor.bic, false);
    tx.ele('Cdtr').ele('Nm').txt(p.creditor.name);
    tx.ele('CdtrAcct').ele('Id').ele('IBAN').txt(p.creditor.iban);
    if (p.remittance) tx.ele('RmtInf').ele('Ustrd').txt(p.remittance);
  }
  const xml = doc.end({ prettyPrint: true });
  return { xml, numberOfTransactions: payments.length, controlSum: sum, controlSumText };
}

type Builder = ReturnType<ReturnType<typeof create>['ele']>;

function agent(node: Builder, bic: string | null | undefined, required: boolean): void {
  const fin = node.ele('FinInstnId');
  if (bic) fin.ele('BICFI').txt(bic);
  else if (required) fin.ele('Othr').ele('Id').txt('NOTPROVIDED');
}

function party(p: SepaParty, field: string): { name: string; iban: string; bic: string | null } {
  const iban = electronicFormatIBAN(p.iban) ?? '';
  if (!isValidIBAN(iban)) invalid(`${field}.iban is not a valid IBAN`);
  if (!isSEPACountry(iban.slice(0, 2))) invalid(`${field}.iban is not in a SEPA country`);
  const bic = p.bic ? p.bic.replace(/\s+/g, '').toUpperCase() : null;
  if (bic !== null && !isValidBIC(bic)) invalid(`${field}.bic is not a valid BIC`);
  const name = toSepaText(p.name, 70);
  if (name.length === 0) invalid(`${field}.name is empty once written in the SEPA character set`);
  return { name, iban, bic };
}

function checkId(id: string, field: string): void {
  if (!isSepaIdentifier(id))
    invalid(`${field} must be 1–35 SEPA characters without spaces, leading/trailing "/" or "//"`);
}

function invalid(message: string): never {
  throw new DisbursementsError(DisbursementsErrorCode.InvalidSepaBatch, message);
}
