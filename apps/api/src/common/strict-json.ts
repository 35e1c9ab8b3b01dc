import { RequestError, RequestErrorCode } from './request.errors';

/** Limits of a JSON body, checked while it is parsed (so a deep body never reaches a recursive validator). */
export interface JsonLimits {
  /** Most nested objects and arrays (the top-level value is depth 1). */
  readonly maxDepth: number;
  /** Most object keys in the whole document. */
  readonly maxKeys: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 20_000 };

/** Keys that would reach an object's prototype or constructor when merged naively: refused, never dropped. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// A NUL, or a UTF-16 surrogate that is not half of a pair.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const INVALID_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string holds a NUL or a lone surrogate: text that PostgreSQL refuses or silently changes. */
export function hasInvalidText(value: string): boolean {
  return INVALID_TEXT.test(value);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly: a malformed byte sequence is refused, never replaced by U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new RequestError(RequestErrorCode.InvalidText, 'the request body is not valid UTF-8');
  }
}

/**
 * Parses JSON text strictly: RFC 8259 grammar; at most `maxDepth` levels and `maxKeys` keys;
 * duplicate keys, `__proto__`/`constructor`/`prototype` keys, NUL characters, lone surrogates and
 * numbers beyond a double's range refused. Every refusal is a RequestError (400).
 */
export function parseStrictJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  return new Parser(text, limits).document();
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const PLAIN = /[^"\\\u0000-\u001f]*/y;

class Parser {
  private at = 0;
  private keys = 0;

  constructor(
    private readonly text: string,
    private readonly limits: JsonLimits,
  ) {}

  document(): unknown {
    this.space();
    const value = this.value(1);
    this.space();
    if (this.at !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(message: string, code = RequestErrorCode.MalformedJson): never {
    throw new RequestError(code, `${message} (at character ${this.at})`);
  }

  private space(): void {
    const t = this.text;
    let c = t.charCodeAt(this.at);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.at);
  }

  private value(depth: number): unknown {
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail('unexpected token');
    this.at += word.length;
    return value;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match || match[0].length === 0) this.fail('unexpected token');
    this.at += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail('number beyond the range of a double');
    return value;
  }

  private enter(depth: number): void {
    if (depth > this.limits.maxDepth)
      this.fail(`nested deeper than ${this.limits.maxDepth} levels`, RequestErrorCode.TooDeep);
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    this.at++;
    const result: Record<string, unknown> = {};
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      if (++this.keys > this.limits.maxKeys)
        this.fail(`more than ${this.limits.maxKeys} keys`, RequestErrorCode.TooManyKeys);
      if (FORBIDDEN_KEYS.has(key))
        this.fail(`the key "${key}" is not allowed`, RequestErrorCode.ForbiddenKey);
      if (Object.prototype.hasOwnProperty.call(result, key))
        this.fail(`the key "${key}" appears twice`, RequestErrorCode.DuplicateKey);
      this.space();
      if (this.text[this.at] !== ':') this.fail('expected ":"');
      this.at++;
      this.space();
      result[key] = this.value(depth + 1);
      this.space();
      const c = this.text[this.at++];
      if (c === '}') return result;
      if (c !== ',') this.fail('expected "," or "}"');
      this.space();
    }
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    this.at++;
    const result: unknown[] = [];
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.at++];
      if (c === ']') return result;
      if (c !== ',') this.fail('expected "," or "]"');
      this.space();
    }
  }

  private string(): string {
    const t = this.text;
    this.at++;
    let out = '';
    for (;;) {
      PLAIN.lastIndex = this.at;
      const run = PLAIN.exec(t)![0];
      out += run;
      this.at += run.length;
      const c = t.charCodeAt(this.at);
      if (c === 0x22) {
        this.at++;
        break;
      }
      if (c !== 0x5c) this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in a string');
      const e = t[this.at + 1];
      this.at += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.at, this.at + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.at += 4;
          break;
        }
        default:
          this.fail('invalid escape');
      }
    }
    if (hasInvalidText(out))
      this.fail('text holds a NUL character or a lone UTF-16 surrogate', RequestErrorCode.InvalidText);
    return out;
  }
}
