import { SaxesParser } from 'saxes';
import { BillingError, BillingErrorCode } from './billing.errors';

export interface PaymentStatus {
  readonly originalEndToEndId: string | null;
  readonly status: string | null;
  readonly reasonCode: string | null;
  readonly additionalInfo: string | null;
}

export interface PaymentStatusReport {
  readonly messageId: string;
  readonly originalMessageId: string;
  readonly groupStatus: string | null;
  readonly groupReason: string | null;
  readonly transactions: PaymentStatus[];
}

/** Reads a pain.002.001.10 customer payment status report (already schema-validated). */
export function readPain002(xml: Buffer): PaymentStatusReport {
  const parser = new SaxesParser({ xmlns: true });
  const stack: string[] = [];
  let text = '';
  let messageId = '';
  let originalMessageId = '';
  let groupStatus: string | null = null;
  let groupReason: string | null = null;
  const transactions: PaymentStatus[] = [];
  let tx: { e2e: string | null; status: string | null; reason: string | null; info: string | null } | null =
    null;
  parser.on('opentag', (tag) => {
    if (stack.length === 0 && !/^urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.[0-9]{2}$/.test(tag.uri))
      throw new BillingError(BillingErrorCode.InvalidBankFile, 'not a pain.002 status report');
    stack.push(tag.local);
    text = '';
    if (tag.local === 'TxInfAndSts') tx = { e2e: null, status: null, reason: null, info: null };
  });
  parser.on('text', (t) => (text += t));
  parser.on('closetag', () => {
    const path = stack.join('/');
    const value = text.trim();
    text = '';
    if (path.endsWith('GrpHdr/MsgId')) messageId = value;
    else if (path.endsWith('OrgnlGrpInfAndSts/OrgnlMsgId')) originalMessageId = value;
    else if (path.endsWith('OrgnlGrpInfAndSts/GrpSts')) groupStatus = value;
    else if (path.endsWith('OrgnlGrpInfAndSts/StsRsnInf/Rsn/Cd')) groupReason ??= value;
    else if (tx && path.endsWith('TxInfAndSts/OrgnlEndToEndId')) tx.e2e = value;
    else if (tx && path.endsWith('TxInfAndSts/TxSts')) tx.status = value;
    else if (tx && path.endsWith('TxInfAndSts/StsRsnInf/Rsn/Cd')) tx.reason ??= value;
    else if (tx && path.endsWith('TxInfAndSts/StsRsnInf/AddtlInf')) tx.info ??= value;
    else if (tx && path.endsWith('/TxInfAndSts')) {
      transactions.push({
        originalEndToEndId: tx.e2e,
        status: tx.status,
        reasonCode: tx.reason,
        additionalInfo: tx.info,
      });
      tx = null;
    }
    stack.pop();
  });
  try {
    parser.write(xml.toString('utf8')).close();
  } catch (e) {
    if (e instanceof BillingError) throw e;
    throw new BillingError(
      BillingErrorCode.InvalidBankFile,
      `the file is not well-formed XML: ${(e as Error).message}`,
    );
  }
  return { messageId, originalMessageId, groupStatus, groupReason, transactions };
}
