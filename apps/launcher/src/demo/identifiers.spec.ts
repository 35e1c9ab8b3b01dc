import fc from 'fast-check';
import { isSEPACountry, isValidIBAN } from 'ibantools';
import { isValidSiret } from '@app/contributions';
import { DEMO_ORGANISATIONS, DEMO_PROJECTS, FUND_ACCOUNT } from './demo-data';
import { demoIban, siret } from './identifiers';

describe('demo identifiers', () => {
  it('completes any SIREN head and establishment number into a valid SIRET', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), fc.stringMatching(/^[0-9]{4}$/), (head, nic) => {
        fc.pre(!head.startsWith('35600000'));
        const s = siret(head, nic);
        expect(s).toMatch(/^[0-9]{14}$/);
        expect(s.slice(0, 8)).toBe(head);
        expect(isValidSiret(s)).toBe(true);
      }),
    );
  });

  it('gives the real SIRET of the DINUM for its SIREN head', () => {
    expect(siret('13002526', '0001')).toBe('13002526500013');
  });

  it('makes valid SEPA IBANs for every country and seed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('FR', 'DE', 'NL', 'BE', 'CH' as const),
        fc.integer({ min: 0, max: 100_000 }),
        (country, seed) => {
          const iban = demoIban(country, seed);
          expect(iban.slice(0, 2)).toBe(country);
          expect(isValidIBAN(iban)).toBe(true);
          expect(isSEPACountry(country)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uses only valid, distinct identifiers in the demo data', () => {
    const sirets = DEMO_ORGANISATIONS.map((o) => o.siret);
    expect(sirets.every(isValidSiret)).toBe(true);
    expect(new Set(sirets).size).toBe(sirets.length);
    const ibans = [...DEMO_PROJECTS.flatMap((p) => (p.payout ? [p.payout.iban] : [])), FUND_ACCOUNT.iban];
    expect(ibans.every((i) => isValidIBAN(i))).toBe(true);
    expect(new Set(ibans).size).toBe(ibans.length);
  });
});
