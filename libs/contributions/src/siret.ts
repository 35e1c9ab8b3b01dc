/** SIREN (9 digits) and SIRET (14 digits) validation: Luhn, with La Poste's exception. */

const LA_POSTE_SIREN = '356000000';
const LA_POSTE_HEAD_OFFICE = '35600000000048';

/** Removes spaces (and only spaces); returns the digits, or null when anything else is left. */
function digitsOf(input: string, length: number): string | null {
  const stripped = input.replace(/ /g, '');
  if (stripped.length !== length || !/^[0-9]+$/.test(stripped)) return null;
  return stripped;
}

/** Luhn checksum over ASCII digits: doubling every second digit from the right. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The canonical SIREN (9 digits, spaces removed), or null when invalid. */
export function normaliseSiren(input: string): string | null {
  const digits = digitsOf(input, 9);
  return digits !== null && luhnValid(digits) ? digits : null;
}

/** The canonical SIRET (14 digits, spaces removed), or null when invalid. */
export function normaliseSiret(input: string): string | null {
  const digits = digitsOf(input, 14);
  if (digits === null) return null;
  if (normaliseSiren(digits.slice(0, 9)) === null) return null;
  if (digits.startsWith(LA_POSTE_SIREN) && digits !== LA_POSTE_HEAD_OFFICE) {
    let sum = 0;
    for (const c of digits) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0 ? digits : null;
  }
  return luhnValid(digits) ? digits : null;
}

export function isValidSiren(input: string): boolean {
  return normaliseSiren(input) !== null;
}

export function isValidSiret(input: string): boolean {
  return normaliseSiret(input) !== null;
}
