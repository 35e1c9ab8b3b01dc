import { hasControlCharacters } from '@app/text';
import { Direction, MAX_DIRECTIONS } from './contribution-split';
import { FieldError } from './contributions.errors';

/** Largest budget accepted: 100 billion euros (10^13 cents); anything above is a typing error. */
export const MAX_BUDGET = 10n ** 13n;
/** Fiscal years (calendar years, the French "exercice") accepted: 2020 up to next year. */
export const FIRST_FISCAL_YEAR = 2020;

export interface DeclarationInput {
  readonly projectTitle: string;
  readonly budgetExclVat: bigint;
  readonly fiscalYear: number;
  readonly serviceCode: string | null;
  readonly legalCommitment: string | null;
  readonly publicContractId: string | null;
  readonly directions: Direction[];
  /** The SBOM analysis whose suggested direction is to be used instead of typed directions. */
  readonly sbomAnalysisId: string | null;
}

/** The raw fields of a declaration, as strings or JSON values, before validation. */
export interface RawDeclaration {
  projectTitle?: unknown;
  budgetExclVat?: unknown;
  fiscalYear?: unknown;
  serviceCode?: unknown;
  legalCommitment?: unknown;
  publicContractId?: unknown;
  directions?: unknown;
  sbomAnalysisId?: unknown;
}

export function lastFiscalYear(now: Date = new Date()): number {
  return now.getUTCFullYear() + 1;
}

const CENTS = /^(0|[1-9][0-9]*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Largest weight of one direction (a weight is relative: nobody needs more). */
export const MAX_WEIGHT = 1_000_000_000;

/**
 * How the fields arrive: `json` (an API body: numbers are JSON numbers, nothing is coerced) or
 * `text` (a CSV cell: every field is a string, read as the number it spells).
 */
export type InputSource = 'json' | 'text';

/**
 * Reads and checks one direction list: `[{ projectId, weight }]`, weight a positive integer (a JSON
 * number, or digits when read from text); no other field.
 */
export function readDirections(
  value: unknown,
  field = 'directions',
  source: InputSource = 'json',
): { directions: Direction[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (value === undefined || value === null) return { directions: [], errors };
  if (!Array.isArray(value))
    return { directions: [], errors: [{ field, message: 'must be a list of { projectId, weight }' }] };
  if (value.length > MAX_DIRECTIONS) {
    return { directions: [], errors: [{ field, message: `at most ${MAX_DIRECTIONS} directions` }] };
  }
  const directions: Direction[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ field: `${field}[${i}]`, message: 'must be an object { projectId, weight }' });
      return;
    }
    const unknownKey = Object.keys(item).find((k) => k !== 'projectId' && k !== 'weight');
    if (unknownKey !== undefined) {
      errors.push({ field: `${field}[${i}].${unknownKey}`, message: 'is not a field of a direction' });
      return;
    }
    const d = item as { projectId?: unknown; weight?: unknown };
    const projectId = typeof d.projectId === 'string' ? d.projectId.toLowerCase() : '';
    if (!UUID.test(projectId))
      errors.push({ field: `${field}[${i}].projectId`, message: 'must be a project id (UUID)' });
    else if (seen.has(projectId))
      errors.push({ field: `${field}[${i}].projectId`, message: 'project directed twice' });
    seen.add(projectId);
    let weight: bigint | null = null;
    if (source === 'json' && typeof d.weight === 'number' && Number.isSafeInteger(d.weight))
      weight = BigInt(d.weight);
    else if (source === 'text' && typeof d.weight === 'string' && /^-?[0-9]{1,15}$/.test(d.weight))
      weight = BigInt(d.weight);
    if (weight === null || weight <= 0n || weight > BigInt(MAX_WEIGHT)) {
      errors.push({
        field: `${field}[${i}].weight`,
        message: `must be a positive integer up to ${MAX_WEIGHT}${source === 'json' ? ' (a JSON number)' : ''}`,
      });
    } else if (UUID.test(projectId)) {
      directions.push({ projectId, weight });
    }
  });
  return { directions, errors };
}

function optionalText(value: unknown, field: string, max: number, errors: FieldError[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (
    typeof value !== 'string' ||
    value.trim().length === 0 ||
    value.length > max ||
    hasControlCharacters(value)
  ) {
    errors.push({ field, message: `must be text on one line of at most ${max} characters` });
    return null;
  }
  return value.trim();
}

/** Validates one declaration and returns it, or every problem found, field by field. */
export function validateDeclaration(
  raw: RawDeclaration,
  now: Date = new Date(),
  source: InputSource = 'json',
): { value: DeclarationInput | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const title = typeof raw.projectTitle === 'string' ? raw.projectTitle.trim() : '';
  if (title.length === 0 || title.length > 300 || hasControlCharacters(title)) {
    errors.push({ field: 'projectTitle', message: 'required, on one line, at most 300 characters' });
  }
  let budget = 0n;
  if (typeof raw.budgetExclVat !== 'string' || !CENTS.test(raw.budgetExclVat)) {
    errors.push({ field: 'budgetExclVat', message: 'must be a string of integer cents, such as "1500000"' });
  } else {
    budget = BigInt(raw.budgetExclVat);
    if (budget <= 0n) errors.push({ field: 'budgetExclVat', message: 'must be positive' });
    else if (budget > MAX_BUDGET)
      errors.push({ field: 'budgetExclVat', message: `must be at most ${MAX_BUDGET} cents` });
  }
  let fiscalYear = 0;
  const fy =
    source === 'text' && typeof raw.fiscalYear === 'string' && /^[0-9]{4}$/.test(raw.fiscalYear)
      ? Number(raw.fiscalYear)
      : raw.fiscalYear;
  if (typeof fy !== 'number' || !Number.isInteger(fy) || fy < FIRST_FISCAL_YEAR || fy > lastFiscalYear(now)) {
    errors.push({
      field: 'fiscalYear',
      message: `must be a year from ${FIRST_FISCAL_YEAR} to ${lastFiscalYear(now)}`,
    });
  } else {
    fiscalYear = fy;
  }
  const serviceCode = optionalText(raw.serviceCode, 'serviceCode', 100, errors);
  const legalCommitment = optionalText(raw.legalCommitment, 'legalCommitment', 50, errors);
  const publicContractId = optionalText(raw.publicContractId, 'publicContractId', 100, errors);
  const { directions, errors: directionErrors } = readDirections(raw.directions, 'directions', source);
  errors.push(...directionErrors);
  let sbomAnalysisId: string | null = null;
  if (raw.sbomAnalysisId !== undefined && raw.sbomAnalysisId !== null) {
    if (typeof raw.sbomAnalysisId !== 'string' || !UUID.test(raw.sbomAnalysisId)) {
      errors.push({ field: 'sbomAnalysisId', message: 'must be the id (UUID) of an SBOM analysis' });
    } else if (Array.isArray(raw.directions) && raw.directions.length > 0) {
      errors.push({
        field: 'sbomAnalysisId',
        message: 'give either directions or an SBOM analysis, not both',
      });
    } else {
      sbomAnalysisId = raw.sbomAnalysisId.toLowerCase();
    }
  }
  if (errors.length > 0) return { value: null, errors };
  return {
    value: {
      projectTitle: title,
      budgetExclVat: budget,
      fiscalYear,
      serviceCode,
      legalCommitment,
      publicContractId,
      directions,
      sbomAnalysisId,
    },
    errors,
  };
}
