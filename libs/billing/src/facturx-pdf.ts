import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { AFRelationship, PDFDocument, PDFFont, PDFHexString, PDFName, PDFString, rgb } from 'pdf-lib';
import { repoRoot } from '@app/config';
import { formatCreditorReference } from '@app/contributions';
import { formatDecimal } from '@app/money';
import { PaymentRequestDocument } from './payment-request.types';

export const FACTURX_FILE_NAME = 'factur-x.xml';
export const FACTURX_NAMESPACE = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';
export const FACTURX_CONFORMANCE = 'EN 16931';
const PRODUCER = 'Librery (pdf-lib)';

let font: Uint8Array | undefined;
function fontBytes(): Uint8Array {
  font ??= readFileSync(join(repoRoot(), 'libs', 'billing', 'assets', 'DejaVuSans.ttf'));
  return font;
}

function euros(amount: bigint, currency: string): string {
  const [units, cents] = formatDecimal(amount).split('.');
  return `${units.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${cents} ${currency === 'EUR' ? '€' : currency}`;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** XMP of a Factur-X PDF/A-3B: PDF/A identification, Dublin Core, the fx properties and their extension schema. */
export function facturXXmp(input: { title: string; author: string; subject: string; date: Date }): string {
  const iso = input.date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const property = (name: string, description: string) => `
            <rdf:li rdf:parseType="Resource">
              <pdfaProperty:name>${name}</pdfaProperty:name>
              <pdfaProperty:valueType>Text</pdfaProperty:valueType>
              <pdfaProperty:category>external</pdfaProperty:category>
              <pdfaProperty:description>${description}</pdfaProperty:description>
            </rdf:li>`;
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
      <pdfaid:part>3</pdfaid:part>
      <pdfaid:conformance>B</pdfaid:conformance>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:format>application/pdf</dc:format>
      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(input.title)}</rdf:li></rdf:Alt></dc:title>
      <dc:creator><rdf:Seq><rdf:li>${escapeXml(input.author)}</rdf:li></rdf:Seq></dc:creator>
      <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(input.subject)}</rdf:li></rdf:Alt></dc:description>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
      <pdf:Producer>${PRODUCER}</pdf:Producer>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
      <xmp:CreatorTool>${PRODUCER}</xmp:CreatorTool>
      <xmp:CreateDate>${iso}</xmp:CreateDate>
      <xmp:ModifyDate>${iso}</xmp:ModifyDate>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
      <pdfaExtension:schemas>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
            <pdfaSchema:namespaceURI>${FACTURX_NAMESPACE}</pdfaSchema:namespaceURI>
            <pdfaSchema:prefix>fx</pdfaSchema:prefix>
            <pdfaSchema:property>
              <rdf:Seq>${property('DocumentFileName', 'The name of the embedded XML document')}${property(
                'DocumentType',
                'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER',
              )}${property('Version', 'The actual version of the standard applying to the embedded XML document')}${property(
                'ConformanceLevel',
                'The conformance level of the embedded XML document',
              )}
              </rdf:Seq>
            </pdfaSchema:property>
          </rdf:li>
        </rdf:Bag>
      </pdfaExtension:schemas>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:fx="${FACTURX_NAMESPACE}">
      <fx:DocumentType>INVOICE</fx:DocumentType>
      <fx:DocumentFileName>${FACTURX_FILE_NAME}</fx:DocumentFileName>
      <fx:Version>1.0</fx:Version>
      <fx:ConformanceLevel>${FACTURX_CONFORMANCE}</fx:ConformanceLevel>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/**
 * The Factur-X PDF of a payment request: a PDF/A-3B page for people (French and English, the
 * embedded font subset), the CII XML attached as `factur-x.xml` (AFRelationship Data, listed in
 * the catalog's /AF), XMP metadata with the Factur-X extension schema, an sRGB OutputIntent and a
 * document ID. Deterministic: the same request gives the same bytes.
 */
export async function buildFacturXPdf(
  doc: PaymentRequestDocument,
  xml: string,
  icc: Uint8Array,
  createdAt: Date,
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkit);
  const regular: PDFFont = await pdf.embedFont(fontBytes(), { subset: true });
  const title =
    doc.kind === 'credit_note'
      ? `Avoir / Credit note ${doc.number}`
      : `Demande de paiement / Payment request ${doc.number}`;
  const page = pdf.addPage([595.28, 841.89]);
  let y = 790;
  const text = (value: string, size = 10, gap = 15) => {
    page.drawText(value, { x: 50, y, size, font: regular, color: rgb(0, 0, 0) });
    y -= gap;
  };
  text(title, 15, 26);
  text(`${doc.seller.legalName}${doc.seller.siret ? ` — SIRET ${doc.seller.siret}` : ''}`);
  if (doc.seller.addressLine || doc.seller.city)
    text([doc.seller.addressLine, doc.seller.postcode, doc.seller.city].filter(Boolean).join(', '));
  y -= 10;
  text(`Date d’émission / Issue date : ${doc.issueDate}`);
  text(`Échéance / Due date : ${doc.dueDate}`);
  if (doc.precedingNumber) text(`Annule / Cancels : ${doc.precedingNumber}`);
  y -= 10;
  text('Acheteur / Buyer', 12, 18);
  text(`${doc.buyer.name} — SIRET ${doc.buyer.siret}`);
  text(`Code service / Service code : ${doc.buyer.serviceCode ?? '—'}`);
  text(`Engagement juridique / Legal commitment : ${doc.buyer.legalCommitment ?? '—'}`);
  if (doc.buyer.publicContractId) text(`Marché / Contract : ${doc.buyer.publicContractId}`);
  y -= 10;
  text('Objet / Subject', 12, 18);
  for (const line of wrap(`${doc.lineName} — ${doc.lineDescription}`, 90)) text(line);
  y -= 10;
  text(
    `Montant dû / Amount due : ${euros(doc.amount, doc.currency)} (hors champ TVA / outside the scope of VAT)`,
    12,
    22,
  );
  text('Paiement / Payment', 12, 18);
  text(`Virement SEPA / SEPA credit transfer — ${doc.seller.accountName}`);
  text(
    `IBAN ${doc.seller.iban.replace(/(.{4})(?=.)/g, '$1 ')}${doc.seller.bic ? `   BIC ${doc.seller.bic}` : ''}`,
  );
  text(
    `Référence à rappeler / Reference to quote : ${formatCreditorReference(doc.creditorReference)}`,
    12,
    22,
  );
  for (const line of wrap(doc.paymentTerms, 95)) text(line, 9, 13);
  for (const line of wrap(doc.latePaymentNote, 95)) text(line, 9, 13);
  for (const line of wrap(doc.indemnityNote, 95)) text(line, 9, 13);
  text(`Politique / Policy version ${doc.policyVersion}`, 8, 12);

  const xmlBytes = Buffer.from(xml, 'utf8');
  await pdf.attach(xmlBytes, FACTURX_FILE_NAME, {
    mimeType: 'text/xml',
    description: 'Factur-X invoice (CII, EN 16931 profile)',
    creationDate: createdAt,
    modificationDate: createdAt,
    afRelationship: AFRelationship.Data,
  });

  const author = doc.seller.legalName;
  const subject = `Factur-X ${FACTURX_CONFORMANCE} ${doc.number}`;
  pdf.setTitle(title);
  pdf.setAuthor(author);
  pdf.setSubject(subject);
  pdf.setProducer(PRODUCER);
  pdf.setCreator(PRODUCER);
  pdf.setCreationDate(createdAt);
  pdf.setModificationDate(createdAt);
  const xmp = Buffer.from(facturXXmp({ title, author, subject, date: createdAt }), 'utf8');
  const metadata = pdf.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML', Length: xmp.length });
  pdf.catalog.set(PDFName.of('Metadata'), pdf.context.register(metadata));

  const profile = pdf.context.stream(icc, { N: 3, Length: icc.length });
  const intent = pdf.context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    DestOutputProfile: pdf.context.register(profile),
  });
  pdf.catalog.set(PDFName.of('OutputIntents'), pdf.context.obj([intent]));
  const id = createHash('md5').update(doc.id).update(xml).digest('hex');
  pdf.context.trailerInfo.ID = pdf.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  return pdf.save({ useObjectStreams: false });
}

function wrap(value: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of value.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
