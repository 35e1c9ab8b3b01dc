/** A valid SIRET that no other test uses: random 8 digits + Luhn check for the SIREN, then a NIC with its check. */
export function randomSiret(): string {
  const luhnDigit = (body: string): string => {
    for (let d = 0; d <= 9; d++) {
      const digits = body + d;
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let x = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return String(d);
    }
    throw new Error('unreachable');
  };
  let head =
    String(1 + Math.floor(Math.random() * 8)) + String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
  if (head.startsWith('356')) head = '1' + head.slice(1);
  const siren = head + luhnDigit(head);
  const nicBody = siren + String(Math.floor(Math.random() * 1e4)).padStart(4, '0');
  return nicBody + luhnDigit(nicBody);
}
