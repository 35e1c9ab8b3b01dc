import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

/** The Luhn check digit that completes `body`. */
function luhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const digits = body + d;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let x = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return String(d);
  }
  throw new Error('unreachable');
}

/**
 * A valid SIRET from the first 8 digits of a SIREN and a 4-digit establishment number: the SIREN
 * and the SIRET are completed with their Luhn check digits (never La Poste's 356000000).
 */
export function siret(sirenHead: string, nicHead: string): string {
  if (!/^[0-9]{8}$/.test(sirenHead) || !/^[0-9]{4}$/.test(nicHead) || sirenHead.startsWith('35600000')) {
    throw new Error(`bad SIRET parts ${sirenHead} ${nicHead}`);
  }
  const siren = sirenHead + luhnDigit(sirenHead);
  return siren + nicHead + luhnDigit(siren + nicHead);
}

/** ISO 13616 check digits: 98 − (BBAN + country + "00" as digits mod 97). */
function ibanOf(country: string, bban: string): string {
  const digits = (bban + country + '00').toUpperCase().replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const c of digits) rest = (rest * 10 + (c.charCodeAt(0) - 48)) % 97;
  return `${country}${String(98 - rest).padStart(2, '0')}${bban}`;
}

/** The French RIB key: 97 − ((89 × bank + 15 × branch + 3 × account) mod 97), letters mapped to digits. */
function ribKey(bank: string, branch: string, account: string): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const map = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9];
  const n = account.toUpperCase().replace(/[A-Z]/g, (c) => String(map[letters.indexOf(c)]));
  const value = (89 * Number(bank) + 15 * Number(branch) + 3 * Number(n)) % 97;
  return String(97 - value).padStart(2, '0');
}

/**
 * A valid SEPA IBAN for a demo payee (electronic format). France: bank, branch and account with
 * their RIB key; elsewhere the national BBAN is tried with successive account numbers until
 * ibantools accepts it (some countries have their own check digits inside the BBAN).
 */
export function demoIban(country: 'FR' | 'DE' | 'NL' | 'BE' | 'CH', seed: number): string {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const n = seed * 7919 + attempt;
    let bban: string;
    switch (country) {
      case 'FR': {
        const [bank, branch, account] = [
          '30004',
          '00' + String(800 + (seed % 100)).padStart(3, '0'),
          String(10000000000 + n).slice(-11),
        ];
        bban = bank + branch + account + ribKey(bank, branch, account);
        break;
      }
      case 'DE':
        bban = '37040044' + String(532013000 + n).padStart(10, '0');
        break;
      case 'NL':
        bban = 'ABNA' + String(417164300 + n).padStart(10, '0');
        break;
      case 'BE': {
        const body = String(539007547 + n).padStart(10, '0');
        bban = body + String(Number(body) % 97 || 97).padStart(2, '0');
        break;
      }
      case 'CH':
        bban = '00762' + String(11623852957 + n).padStart(12, '0');
        break;
    }
    const iban = ibanOf(country, bban);
    if (isValidIBAN(iban)) return electronicFormatIBAN(iban) ?? iban;
  }
  throw new Error(`no valid ${country} IBAN for seed ${seed}`);
}
