// Validates XML documents against an XSD with libxml2-wasm (an ES module, so it runs in its own
// Node process, outside Jest's CommonJS runtime). Reads {"xsd": path, "documents": [xml…]} on
// stdin; writes [{"valid": bool, "errors": [message…]}…] on stdout.
import { readFileSync } from 'node:fs';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';

const input = JSON.parse(readFileSync(0, 'utf8'));
const schemaDoc = XmlDocument.fromBuffer(readFileSync(input.xsd));
const validator = XsdValidator.fromDoc(schemaDoc);
const results = input.documents.map((xml) => {
  let doc;
  try {
    doc = XmlDocument.fromString(xml);
    validator.validate(doc);
    return { valid: true, errors: [] };
  } catch (error) {
    const details = Array.isArray(error?.details)
      ? error.details.map((d) => `${d.line}: ${d.message}`.trim())
      : [];
    return { valid: false, errors: details.length > 0 ? details : [String(error?.message ?? error)] };
  } finally {
    doc?.dispose();
  }
});
validator.dispose();
schemaDoc.dispose();
process.stdout.write(JSON.stringify(results));
