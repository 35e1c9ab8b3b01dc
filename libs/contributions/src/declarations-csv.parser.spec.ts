import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { parseDeclarationsCsv } from './declarations-csv.parser';

const NOW = new Date('2026-06-01T00:00:00Z');
const P1 = randomUUID();
const P2 = randomUUID();

describe('parseDeclarationsCsv', () => {
  it('reads a valid file with every column, in any order, with a BOM', () => {
    const csv =
      '\ufefffiscal_year,project_title,budget_excl_vat_cents,service_code,legal_commitment,public_contract_id,directions\n' +
      `2026,"Portail, usagers",1500000,SRV-1,1234567890,DECP-42,${P1}:3;${P2}:1\n` +
      '2025,Intranet,99,,,,\n';
    const sut = parseDeclarationsCsv(Buffer.from(csv, 'utf8'), NOW);
    expect(sut.ok).toBe(true);
    if (!sut.ok) return;
    expect(sut.rows).toHaveLength(2);
    expect(sut.rows[0]).toEqual({
      projectTitle: 'Portail, usagers',
      budgetExclVat: 1500000n,
      fiscalYear: 2026,
      serviceCode: 'SRV-1',
      legalCommitment: '1234567890',
      publicContractId: 'DECP-42',
      directions: [
        { projectId: P1, weight: 3n },
        { projectId: P2, weight: 1n },
      ],
      sbomAnalysisId: null,
    });
    expect(sut.rows[1].directions).toEqual([]);
    expect(sut.rows[1].serviceCode).toBeNull();
  });

  it('refuses the whole file with errors per row and column', () => {
    const csv =
      'project_title,budget_excl_vat_cents,fiscal_year,directions\n' +
      'Ok,100,2026,\n' +
      ',0,1999,\n' +
      `Bad weight,12.5,2026,${P1}:0\n`;
    const sut = parseDeclarationsCsv(csv, NOW);
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, field: 'project_title' }),
        expect.objectContaining({ row: 2, field: 'budget_excl_vat_cents' }),
        expect.objectContaining({ row: 2, field: 'fiscal_year' }),
        expect.objectContaining({ row: 3, field: 'budget_excl_vat_cents' }),
        expect.objectContaining({ row: 3, field: 'directions' }),
      ]),
    );
    expect(sut.errors.some((e) => e.row === 1)).toBe(false);
  });

  it('refuses missing and unknown columns, empty files and bad UTF-8', () => {
    const missing = parseDeclarationsCsv('project_title,budget\nA,1\n', NOW);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.errors).toEqual(
        expect.arrayContaining([
          { row: 0, field: 'budget_excl_vat_cents', message: 'missing column' },
          { row: 0, field: 'budget', message: 'unknown column' },
        ]),
      );
    }
    expect(parseDeclarationsCsv('', NOW).ok).toBe(false);
    expect(parseDeclarationsCsv('project_title,budget_excl_vat_cents,fiscal_year\n', NOW).ok).toBe(false);
    const latin1 = Buffer.concat([
      Buffer.from('project_title,budget_excl_vat_cents,fiscal_year\nCaf'),
      Buffer.from([0xe9]),
      Buffer.from(',1,2026\n'),
    ]);
    expect(parseDeclarationsCsv(latin1, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'file', message: 'the file is not valid UTF-8' }],
    });
  });

  it('property: a file of valid rows is accepted whole; one bad row refuses it whole', () => {
    const rowArb = fc.record({
      title: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}$/),
      budget: fc.bigInt({ min: 1n, max: 10n ** 13n }),
      year: fc.integer({ min: 2020, max: 2027 }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 20 }), fc.nat(), (rows, badIndex) => {
        const lines = rows.map((r) => `${r.title},${r.budget},${r.year}`);
        const csv = ['project_title,budget_excl_vat_cents,fiscal_year', ...lines].join('\n');
        const ok = parseDeclarationsCsv(csv, NOW);
        expect(ok.ok).toBe(true);
        if (ok.ok) expect(ok.rows.map((r) => r.budgetExclVat)).toEqual(rows.map((r) => r.budget));
        const bad = [...lines];
        const i = badIndex % bad.length;
        bad[i] = `${rows[i].title},-5,${rows[i].year}`;
        const refused = parseDeclarationsCsv(
          ['project_title,budget_excl_vat_cents,fiscal_year', ...bad].join('\n'),
          NOW,
        );
        expect(refused).toEqual({
          ok: false,
          errors: [expect.objectContaining({ row: i + 1, field: 'budget_excl_vat_cents' })],
        });
      }),
      { numRuns: 100 },
    );
  });
});
