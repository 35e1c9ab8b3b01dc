// Text rules shared by every boundary (HTTP DTOs, services, CSV imports, the CLI).

/** C0 controls, DEL and C1 controls: never part of a name or a reference. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, minus tab, line feed and carriage return, which free text (descriptions) may hold. */
// eslint-disable-next-line no-control-regex -- likewise
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** A name or reference (one line): no control character at all, line breaks and tabs included. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** Free text (several lines): control characters other than tab, line feed and carriage return. */
export function hasControlCharactersInText(value: string): boolean {
  return CONTROL_IN_TEXT.test(value);
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one; 2028-02-29 is). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?[0-9]+(?:\.[0-9]+)?$/;

/**
 * A CSV cell that no spreadsheet runs as a formula (CSV/formula injection, OWASP): a text cell
 * beginning with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe. A plain
 * number (such as `-12.50`) is left as it is. Every CSV export writes its cells through this.
 */
export function neutraliseCsvCell<T>(cell: T): T | string {
  if (typeof cell !== 'string' || !FORMULA_START.test(cell) || PLAIN_NUMBER.test(cell)) return cell;
  return `'${cell}`;
}

/** Every cell of every row through `neutraliseCsvCell`. */
export function neutraliseCsvRows<T>(rows: readonly (readonly T[])[]): (T | string)[][] {
  return rows.map((row) => row.map(neutraliseCsvCell));
}
