import { create } from 'xmlbuilder2';
import { formatDecimal } from '@app/money';
import { PaymentRequestDocument } from './payment-request.types';

export const CII_NAMESPACES = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const;

/** BT-24 of the EN16931 profile (Factur-X "EN 16931", the level Chorus Pro and the French reform count as an invoice). */
export const EN16931_GUIDELINE = 'urn:cen.eu:en16931:2017';

const date102 = (iso: string) => iso.replace(/-/g, '');

/**
 * The payment request as a UN/CEFACT CII D16B invoice in the EN16931 profile: one line (the levy
 * of the declared budget), outside the scope of VAT (category O, a policy decision recorded with
 * the version), SEPA credit transfer (58) to the fund's IBAN with the ISO 11649 reference as the
 * payment reference, and the buyer's Chorus Pro data (SIRET scheme 0009, service code BT-10,
 * legal commitment BT-13).
 */
export function buildCiiInvoice(doc: PaymentRequestDocument): string {
  const amount = formatDecimal(doc.amount);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(
    CII_NAMESPACES.rsm,
    'rsm:CrossIndustryInvoice',
    {
      'xmlns:ram': CII_NAMESPACES.ram,
      'xmlns:qdt': CII_NAMESPACES.qdt,
      'xmlns:udt': CII_NAMESPACES.udt,
    },
  );
  const ram = (
    parent: ReturnType<typeof root.ele>,
    name: string,
    text?: string,
    attrs?: Record<string, string>,
  ) => {
    const el = parent.ele(CII_NAMESPACES.ram, `ram:${name}`, attrs);
    if (text !== undefined) el.txt(text);
    return el;
  };
  const dateTime = (parent: ReturnType<typeof root.ele>, name: string, iso: string) =>
    ram(parent, name).ele(CII_NAMESPACES.udt, 'udt:DateTimeString', { format: '102' }).txt(date102(iso));

  const context = root.ele(CII_NAMESPACES.rsm, 'rsm:ExchangedDocumentContext');
  ram(ram(context, 'BusinessProcessSpecifiedDocumentContextParameter'), 'ID', 'A1');
  ram(ram(context, 'GuidelineSpecifiedDocumentContextParameter'), 'ID', EN16931_GUIDELINE);

  const header = root.ele(CII_NAMESPACES.rsm, 'rsm:ExchangedDocument');
  ram(header, 'ID', doc.number);
  ram(header, 'TypeCode', doc.typeCode);
  dateTime(header, 'IssueDateTime', doc.issueDate);
  const note = (content: string, subject: string) => {
    const n = ram(header, 'IncludedNote');
    ram(n, 'Content', content);
    ram(n, 'SubjectCode', subject);
  };
  note(`${doc.seller.legalName}${doc.seller.siret ? ` – SIRET ${doc.seller.siret}` : ''}`, 'REG');
  note(doc.latePaymentNote, 'PMD');
  note(doc.indemnityNote, 'PMT');
  note(`Référence de paiement à rappeler / payment reference to quote: ${doc.creditorReference}`, 'AAI');

  const transaction = root.ele(CII_NAMESPACES.rsm, 'rsm:SupplyChainTradeTransaction');
  const line = ram(transaction, 'IncludedSupplyChainTradeLineItem');
  ram(ram(line, 'AssociatedDocumentLineDocument'), 'LineID', '1');
  const product = ram(line, 'SpecifiedTradeProduct');
  ram(product, 'Name', doc.lineName.slice(0, 200));
  ram(product, 'Description', doc.lineDescription.slice(0, 1000));
  const lineAgreement = ram(line, 'SpecifiedLineTradeAgreement');
  ram(ram(lineAgreement, 'NetPriceProductTradePrice'), 'ChargeAmount', amount);
  ram(ram(line, 'SpecifiedLineTradeDelivery'), 'BilledQuantity', '1', { unitCode: 'C62' });
  const lineSettlement = ram(line, 'SpecifiedLineTradeSettlement');
  const lineTax = ram(lineSettlement, 'ApplicableTradeTax');
  ram(lineTax, 'TypeCode', 'VAT');
  ram(lineTax, 'CategoryCode', 'O');
  ram(ram(lineSettlement, 'SpecifiedTradeSettlementLineMonetarySummation'), 'LineTotalAmount', amount);

  const agreement = ram(transaction, 'ApplicableHeaderTradeAgreement');
  if (doc.buyer.serviceCode) ram(agreement, 'BuyerReference', doc.buyer.serviceCode);
  const seller = ram(agreement, 'SellerTradeParty');
  if (doc.seller.siret) ram(seller, 'GlobalID', doc.seller.siret, { schemeID: '0009' });
  ram(seller, 'Name', doc.seller.legalName);
  if (doc.seller.siret)
    ram(ram(seller, 'SpecifiedLegalOrganization'), 'ID', doc.seller.siret.slice(0, 9), { schemeID: '0002' });
  const sellerAddress = ram(seller, 'PostalTradeAddress');
  if (doc.seller.postcode) ram(sellerAddress, 'PostcodeCode', doc.seller.postcode);
  if (doc.seller.addressLine) ram(sellerAddress, 'LineOne', doc.seller.addressLine);
  if (doc.seller.city) ram(sellerAddress, 'CityName', doc.seller.city);
  ram(sellerAddress, 'CountryID', doc.seller.country);
  const buyer = ram(agreement, 'BuyerTradeParty');
  ram(buyer, 'GlobalID', doc.buyer.siret, { schemeID: '0009' });
  ram(buyer, 'Name', doc.buyer.name);
  ram(ram(buyer, 'SpecifiedLegalOrganization'), 'ID', doc.buyer.siret, { schemeID: '0009' });
  ram(ram(buyer, 'PostalTradeAddress'), 'CountryID', 'FR');
  ram(ram(buyer, 'URIUniversalCommunication'), 'URIID', doc.buyer.siret, { schemeID: '0009' });
  if (doc.buyer.legalCommitment)
    ram(ram(agreement, 'BuyerOrderReferencedDocument'), 'IssuerAssignedID', doc.buyer.legalCommitment);
  if (doc.buyer.publicContractId)
    ram(ram(agreement, 'ContractReferencedDocument'), 'IssuerAssignedID', doc.buyer.publicContractId);

  const delivery = ram(transaction, 'ApplicableHeaderTradeDelivery');
  dateTime(ram(delivery, 'ActualDeliverySupplyChainEvent'), 'OccurrenceDateTime', doc.issueDate);

  const settlement = ram(transaction, 'ApplicableHeaderTradeSettlement');
  ram(settlement, 'PaymentReference', doc.creditorReference);
  ram(settlement, 'InvoiceCurrencyCode', doc.currency);
  const means = ram(settlement, 'SpecifiedTradeSettlementPaymentMeans');
  ram(means, 'TypeCode', '58');
  ram(means, 'Information', 'Virement SEPA / SEPA credit transfer');
  const account = ram(means, 'PayeePartyCreditorFinancialAccount');
  ram(account, 'IBANID', doc.seller.iban);
  ram(account, 'AccountName', doc.seller.accountName);
  if (doc.seller.bic) ram(ram(means, 'PayeeSpecifiedCreditorFinancialInstitution'), 'BICID', doc.seller.bic);
  const tax = ram(settlement, 'ApplicableTradeTax');
  ram(tax, 'CalculatedAmount', '0.00');
  ram(tax, 'TypeCode', 'VAT');
  ram(tax, 'ExemptionReason', 'Hors champ d’application de la TVA');
  ram(tax, 'BasisAmount', amount);
  ram(tax, 'CategoryCode', 'O');
  ram(tax, 'ExemptionReasonCode', 'VATEX-EU-O');
  const period = ram(settlement, 'BillingSpecifiedPeriod');
  dateTime(period, 'StartDateTime', `${doc.fiscalYear}-01-01`);
  dateTime(period, 'EndDateTime', `${doc.fiscalYear}-12-31`);
  const terms = ram(settlement, 'SpecifiedTradePaymentTerms');
  ram(terms, 'Description', doc.paymentTerms);
  dateTime(terms, 'DueDateDateTime', doc.dueDate);
  const sums = ram(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  ram(sums, 'LineTotalAmount', amount);
  ram(sums, 'TaxBasisTotalAmount', amount);
  ram(sums, 'TaxTotalAmount', '0.00', { currencyID: doc.currency });
  ram(sums, 'GrandTotalAmount', amount);
  ram(sums, 'DuePayableAmount', amount);
  if (doc.precedingNumber) {
    const preceding = ram(settlement, 'InvoiceReferencedDocument');
    ram(preceding, 'IssuerAssignedID', doc.precedingNumber);
    if (doc.precedingIssueDate)
      ram(preceding, 'FormattedIssueDateTime')
        .ele(CII_NAMESPACES.qdt, 'qdt:DateTimeString', { format: '102' })
        .txt(date102(doc.precedingIssueDate));
  }
  return root.end({ prettyPrint: true });
}
