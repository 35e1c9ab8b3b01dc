/**
 * RFC 8785 (JCS) canonical JSON, for the values a leaf holds (objects, arrays, strings, safe
 * integers, booleans, null). Same algorithm as the `canonicalize` package (v4), which is
 * ESM-only and cannot be required from this CommonJS build; canonical-json.spec.ts checks that
 * both produce the same bytes.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('JCS: numbers must be finite');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) throw new Error('JCS: lone surrogate');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const parts: string[] = [];
  // JCS sorts keys by UTF-16 code units: exactly what Array.prototype.sort does on strings.
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v === undefined) continue;
    parts.push(`${canonicalJson(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}
