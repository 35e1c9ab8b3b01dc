import parse from 'spdx-expression-parse';
import correct from 'spdx-correct';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';

// spdx-satisfies, spdx-license-ids and spdx-exceptions ship no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const satisfies = require('spdx-satisfies') as (expression: string, allowed: string[]) => boolean;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const LICENCE_IDS = require('spdx-license-ids') as string[];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DEPRECATED_IDS = require('spdx-license-ids/deprecated') as string[];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EXCEPTION_IDS = require('spdx-exceptions') as string[];

/** Canonical spelling of every SPDX licence and exception id, keyed by its lower case (ids are case-insensitive). */
const CANONICAL = new Map<string, string>();
for (const id of [...LICENCE_IDS, ...DEPRECATED_IDS, ...EXCEPTION_IDS]) CANONICAL.set(id.toLowerCase(), id);

type Node = parse.Info;

export interface LicenceCheck {
  /** The expression as given, trimmed. */
  readonly input: string;
  /** The normalised expression: canonical ids, upper-case operators, minimal parentheses. */
  readonly normalised: string;
  /** Every licence id the expression names (with `+` when "or later"), in order of appearance. */
  readonly licences: readonly string[];
}

/**
 * Parses and normalises an SPDX licence expression. Throws `LicenceInvalid` (with a suggestion from
 * spdx-correct when there is one) when it is not a valid expression.
 */
export function normaliseLicence(expression: string): LicenceCheck {
  const input = expression.trim();
  if (input.length === 0 || input.length > 1000) {
    throw new ProjectsError(ProjectsErrorCode.LicenceInvalid, 'the licence expression is empty or too long', {
      licence: input.slice(0, 100),
    });
  }
  let ast: Node;
  try {
    ast = parse(canonicaliseTokens(input));
  } catch {
    const suggestion = suggestLicence(input);
    throw new ProjectsError(
      ProjectsErrorCode.LicenceInvalid,
      `"${input}" is not a valid SPDX licence expression` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
      { licence: input, suggestion },
    );
  }
  const licences: string[] = [];
  collectLeaves(ast, licences);
  return { input, normalised: serialise(ast), licences };
}

/**
 * Checks an expression against an allow-list of simple ids (data, from the policy): an `OR` is
 * allowed when one side is, an `AND` when both are; an exception (`WITH`) only adds permissions,
 * so a leaf is judged on its licence. Throws `LicenceNotAllowed` naming the leaves that fail.
 */
export function checkLicence(expression: string, allowList: readonly string[]): LicenceCheck {
  const check = normaliseLicence(expression);
  const allowed = [...allowList];
  const ast = parse(check.normalised);
  const offending: string[] = [];
  if (!isAllowed(ast, allowed, offending)) {
    const names = [...new Set(offending)];
    const suggestions = names
      .map((name) => ({ name, suggestion: suggestLicence(name) }))
      .filter(
        (s): s is { name: string; suggestion: string } => s.suggestion !== null && s.suggestion !== s.name,
      )
      .filter((s) =>
        leafAllowed(
          { license: s.suggestion.replace(/\+$/, ''), plus: s.suggestion.endsWith('+') || undefined },
          allowed,
        ),
      );
    throw new ProjectsError(
      ProjectsErrorCode.LicenceNotAllowed,
      `licence ${names.map((n) => `"${n}"`).join(', ')} is not on the fund's allow-list`,
      {
        licence: check.normalised,
        notAllowed: names,
        suggestion: suggestions.length > 0 ? suggestions[0].suggestion : null,
      },
    );
  }
  return check;
}

/** A corrected SPDX id for a free-form licence name ("Apache 2" → "Apache-2.0"), or null. */
export function suggestLicence(input: string): string | null {
  if (!/\s(AND|OR|WITH)\s|[()]/i.test(input)) return correct(input.trim());
  // Compound expressions: correct each licence term between the operators.
  const parts = input.split(/(\s+(?:AND|OR|WITH)\s+|[()])/i);
  let changed = false;
  const fixed: string[] = [];
  for (const part of parts) {
    if (/^\s+(AND|OR|WITH)\s+$/i.test(part) || part === '(' || part === ')' || part.trim() === '') {
      fixed.push(/^\s+\w+\s+$/.test(part) ? ` ${part.trim().toUpperCase()} ` : part);
      continue;
    }
    const term = part.trim();
    const canonical = CANONICAL.get(term.toLowerCase());
    if (canonical) {
      fixed.push(canonical);
      continue;
    }
    const corrected = correct(term);
    if (!corrected) return null;
    changed = true;
    fixed.push(corrected);
  }
  if (!changed) return null;
  const suggestion = fixed.join('');
  try {
    return serialise(parse(suggestion));
  } catch {
    return null;
  }
}

function canonicaliseTokens(input: string): string {
  return input.replace(/[A-Za-z0-9.+:-]+/g, (token) => {
    const upper = token.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
    const plus = token.endsWith('+') && token.length > 1;
    const bare = plus ? token.slice(0, -1) : token;
    const canonical = CANONICAL.get(bare.toLowerCase());
    return canonical ? canonical + (plus ? '+' : '') : token;
  });
}

function isLeaf(node: Node): node is parse.LicenseInfo {
  return 'license' in node;
}

function leafName(node: parse.LicenseInfo): string {
  return node.license + (node.plus ? '+' : '');
}

function collectLeaves(node: Node, out: string[]): void {
  if (isLeaf(node)) {
    out.push(leafName(node));
    return;
  }
  collectLeaves(node.left, out);
  collectLeaves(node.right, out);
}

function serialise(node: Node): string {
  if (isLeaf(node)) return leafName(node) + (node.exception ? ` WITH ${node.exception}` : '');
  const side = (child: Node): string =>
    !isLeaf(child) && child.conjunction === 'or' && node.conjunction === 'and'
      ? `(${serialise(child)})`
      : serialise(child);
  return `${side(node.left)} ${node.conjunction.toUpperCase()} ${side(node.right)}`;
}

function leafAllowed(leaf: parse.LicenseInfo, allowed: string[]): boolean {
  if (leaf.license.startsWith('LicenseRef-') || leaf.license.startsWith('DocumentRef-')) return false;
  try {
    return satisfies(leafName(leaf), allowed);
  } catch {
    return false;
  }
}

function isAllowed(node: Node, allowed: string[], offending: string[]): boolean {
  if (isLeaf(node)) {
    const ok = leafAllowed(node, allowed);
    if (!ok) offending.push(leafName(node));
    return ok;
  }
  if (node.conjunction === 'and') {
    const left = isAllowed(node.left, allowed, offending);
    const right = isAllowed(node.right, allowed, offending);
    return left && right;
  }
  const mark = offending.length;
  const left = isAllowed(node.left, allowed, offending);
  const right = isAllowed(node.right, allowed, offending);
  if (left || right) {
    offending.length = mark; // one acceptable side is enough
    return true;
  }
  return false;
}
