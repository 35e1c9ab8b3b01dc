import { RequestErrorCode } from './request.errors';
import { parseStrictJson } from './strict-json';

describe('parseStrictJson', () => {
  const codeOf = (text: string, limits = { maxDepth: 32, maxKeys: 100 }) => {
    try {
      parseStrictJson(text, limits);
      return 'parsed';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it('reads what JSON.parse reads', () => {
    const samples = [
      '{"a":[1,-2.5e3,true,false,null,"x\\n\\u00e9\\ud83d\\ude00"],"b":{"c":{}},"d":[]}',
      ' [ 0 , 1.0 , "\\"\\\\\\/\\b\\f\\r\\t" ] ',
      '"text"',
      '12',
    ];
    for (const text of samples) expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['{"a":1,}', RequestErrorCode.MalformedJson],
    ['{"a":01}', RequestErrorCode.MalformedJson],
    ['{"a":1} x', RequestErrorCode.MalformedJson],
    ['"unterminated', RequestErrorCode.MalformedJson],
    ['"tab\tinside"', RequestErrorCode.MalformedJson],
    ['{"a":1e400}', RequestErrorCode.MalformedJson],
    ['[NaN]', RequestErrorCode.MalformedJson],
    ['{"a":1,"a":2}', RequestErrorCode.DuplicateKey],
    ['{"__proto__":{}}', RequestErrorCode.ForbiddenKey],
    ['{"x":{"constructor":1}}', RequestErrorCode.ForbiddenKey],
    ['{"prototype":1}', RequestErrorCode.ForbiddenKey],
    ['"a\\u0000b"', RequestErrorCode.InvalidText],
    ['"\\ud800"', RequestErrorCode.InvalidText],
    ['"\\udfff\\ud800"', RequestErrorCode.InvalidText],
    ['{"\\u0000":1}', RequestErrorCode.InvalidText],
    ['['.repeat(33) + ']'.repeat(33), RequestErrorCode.TooDeep],
    ['['.repeat(100_000), RequestErrorCode.TooDeep],
    [`{${Array.from({ length: 101 }, (_, i) => `"k${i}":1`).join(',')}}`, RequestErrorCode.TooManyKeys],
  ])('refuses %s', (text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('accepts the limits themselves', () => {
    expect(codeOf('['.repeat(32) + ']'.repeat(32))).toBe('parsed');
    expect(codeOf(`{${Array.from({ length: 100 }, (_, i) => `"k${i}":1`).join(',')}}`)).toBe('parsed');
  });
});
