// Validates XML documents against XSDs with libxml2-wasm (an ES module, so it runs in a worker
// thread of its own, outside CommonJS code and Jest's module system). Messages in:
// {id, xsd: absolute path, xml: Uint8Array}; out: {id, valid, errors: [message…]}. Each schema
// is compiled once and kept; relative xs:import/xs:include are read from the file system.
import { parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';

xmlRegisterFsInputProviders();
const validators = new Map();

function validatorFor(xsd) {
  let validator = validators.get(xsd);
  if (!validator) {
    const schemaDoc = XmlDocument.fromBuffer(readFileSync(xsd), { url: pathToFileURL(xsd).href });
    validator = XsdValidator.fromDoc(schemaDoc);
    validators.set(xsd, validator);
  }
  return validator;
}

parentPort.on('message', ({ id, xsd, xml }) => {
  let doc;
  try {
    const validator = validatorFor(xsd);
    doc = XmlDocument.fromBuffer(xml);
    validator.validate(doc);
    parentPort.postMessage({ id, valid: true, errors: [] });
  } catch (error) {
    const details = Array.isArray(error?.details)
      ? error.details.slice(0, 20).map((d) => `line ${d.line}: ${String(d.message).trim()}`)
      : [];
    parentPort.postMessage({
      id,
      valid: false,
      errors: details.length > 0 ? details : [String(error?.message ?? error)],
    });
  } finally {
    doc?.dispose();
  }
});
