import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface XsdResult {
  readonly valid: boolean;
  readonly errors: string[];
}

/**
 * Validates documents against an XSD with libxml2-wasm, in a child Node process (the library is an
 * ES module with top-level await, which CommonJS code cannot load synchronously). Used by tests
 * and by tooling; one process validates a whole list.
 */
export function validateAgainstXsd(xsdPath: string, documents: readonly string[]): XsdResult[] {
  const script = join(__dirname, 'xsd-validate.mjs');
  const out = execFileSync(process.execPath, [script], {
    input: JSON.stringify({ xsd: xsdPath, documents }),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as XsdResult[];
}
