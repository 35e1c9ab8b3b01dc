import canonicalize from 'canonicalize';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** RFC 8785 (JCS) canonical JSON, by the `canonicalize` package. */
export function canonicalJson(value: JsonValue): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('JCS: the value cannot be serialised');
  return text;
}
