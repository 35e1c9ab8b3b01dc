import { parse } from 'csv-parse/sync';
import { DeclarationInput, validateDeclaration } from './declaration-input';
import { FieldError } from './contributions.errors';

/**
 * The columns of a declarations CSV (UTF-8, comma-separated, one header row, any column order):
 *
 * | column | required | content |
 * |---|---|---|
 * | project_title | yes | the digital project's name, ≤ 300 characters |
 * | budget_excl_vat_cents | yes | budget excluding VAT, integer cents ("1500000" = 15 000.00 €) |
 * | fiscal_year | yes | the budget's year (exercice), e.g. 2026 |
 * | service_code | no | Chorus Pro "code service", ≤ 100 characters |
 * | legal_commitment | no | legal-commitment (EJ) number, ≤ 50 characters |
 * | public_contract_id | no | public-contract id (DECP), ≤ 100 characters |
 * | directions | no | `projectId:weight` pairs separated by `;` (weights positive integers) |
 */
export const DECLARATION_CSV_COLUMNS = [
  'project_title',
  'budget_excl_vat_cents',
  'fiscal_year',
  'service_code',
  'legal_commitment',
  'public_contract_id',
  'directions',
] as const;

const REQUIRED = ['project_title', 'budget_excl_vat_cents', 'fiscal_year'];
const FIELD_TO_COLUMN: Record<string, string> = {
  projectTitle: 'project_title',
  budgetExclVat: 'budget_excl_vat_cents',
  fiscalYear: 'fiscal_year',
  serviceCode: 'service_code',
  legalCommitment: 'legal_commitment',
  publicContractId: 'public_contract_id',
  directions: 'directions',
};
/** Most rows in one file. */
export const MAX_CSV_ROWS = 10000;

export type CsvParseResult = { ok: true; rows: DeclarationInput[] } | { ok: false; errors: FieldError[] };

/**
 * Parses a declarations CSV, all or nothing: either every row is valid and all are returned, or
 * the errors of every row are, by row (1 = first data row, the header is row 0) and column.
 */
export function parseDeclarationsCsv(content: Buffer | string, now: Date = new Date()): CsvParseResult {
  let text: string;
  if (typeof content === 'string') text = content;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      return { ok: false, errors: [{ field: 'file', message: 'the file is not valid UTF-8' }] };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    return {
      ok: false,
      errors: [{ field: 'file', message: `not a valid CSV: ${(e as Error).message}`, row: line }],
    };
  }
  if (records.length === 0)
    return { ok: false, errors: [{ field: 'file', message: 'the file is empty', row: 0 }] };
  const header = records[0].map((h) => h.trim().toLowerCase());
  const errors: FieldError[] = [];
  for (const column of REQUIRED) {
    if (!header.includes(column)) errors.push({ row: 0, field: column, message: 'missing column' });
  }
  header.forEach((h, i) => {
    if (!(DECLARATION_CSV_COLUMNS as readonly string[]).includes(h))
      errors.push({ row: 0, field: h || `#${i + 1}`, message: 'unknown column' });
    else if (header.indexOf(h) !== i) errors.push({ row: 0, field: h, message: 'duplicate column' });
  });
  if (records.length === 1) errors.push({ row: 0, field: 'file', message: 'no data row' });
  if (records.length - 1 > MAX_CSV_ROWS)
    errors.push({ row: 0, field: 'file', message: `at most ${MAX_CSV_ROWS} rows` });
  if (errors.length > 0) return { ok: false, errors };

  const rows: DeclarationInput[] = [];
  for (let r = 1; r < records.length; r++) {
    const cell = (column: string): string | undefined => {
      const i = header.indexOf(column);
      return i < 0 ? undefined : records[r][i];
    };
    const directionsCell = cell('directions');
    let directions: unknown = undefined;
    if (directionsCell) {
      directions = directionsCell.split(';').map((pair) => {
        const [projectId, weight] = pair.split(':').map((s) => s.trim());
        return { projectId, weight };
      });
    }
    const { value, errors: rowErrors } = validateDeclaration(
      {
        projectTitle: cell('project_title'),
        budgetExclVat: cell('budget_excl_vat_cents'),
        fiscalYear: cell('fiscal_year'),
        serviceCode: cell('service_code'),
        legalCommitment: cell('legal_commitment'),
        publicContractId: cell('public_contract_id'),
        directions,
      },
      now,
      'text',
    );
    for (const e of rowErrors) {
      const head = e.field.split('[')[0];
      errors.push({
        row: r,
        field: FIELD_TO_COLUMN[head] ?? e.field,
        message: e.field === head ? e.message : `${e.field.slice(head.length)}: ${e.message}`,
      });
    }
    if (value) rows.push(value);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}
