/**
 * ISO 11649 structured creditor references ("RF" + 2 check digits + 1 to 21 alphanumerics),
 * checked with ISO 7064 mod 97-10 over BigInt-free chunks (never a JS number past 2^53).
 */

const BODY = /^[0-9A-Z]{1,21}$/;

/** The remainder mod 97 of the number written by `text`, letters read as two digits (A = 10 … Z = 35). */
function mod97(text: string): number {
  let remainder = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

/** Spaces removed, upper case: how a reference is compared and stored. */
export function normaliseCreditorReference(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** `RFkk` + body, for a body of 1 to 21 characters [0-9A-Z]. */
export function creditorReference(body: string): string {
  const clean = normaliseCreditorReference(body);
  if (!BODY.test(clean))
    throw new RangeError(`an ISO 11649 reference body is 1 to 21 characters [0-9A-Z], not "${body}"`);
  const check = 98 - mod97(`${clean}RF00`);
  return `RF${String(check).padStart(2, '0')}${clean}`;
}

/** True when `value` (spaces and case ignored) is a well-formed ISO 11649 reference whose check passes. */
export function isValidCreditorReference(value: string): boolean {
  const clean = normaliseCreditorReference(value);
  if (!/^RF[0-9]{2}[0-9A-Z]{1,21}$/.test(clean)) return false;
  return mod97(clean.slice(4) + clean.slice(0, 4)) === 1;
}

/** True when `value` looks like an RF reference (RF + 2 digits + body), valid or not. */
export function looksLikeCreditorReference(value: string): boolean {
  return /^RF[0-9]{2}[0-9A-Z]{1,21}$/.test(normaliseCreditorReference(value));
}

/** Printed in groups of four, as on paper forms. */
export function formatCreditorReference(value: string): string {
  return normaliseCreditorReference(value).replace(/(.{4})(?=.)/g, '$1 ');
}
