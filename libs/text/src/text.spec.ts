import { hasControlCharacters, hasControlCharactersInText, isCalendarDate, neutraliseCsvCell } from './text';

describe('text rules', () => {
  it('finds control characters in names, and tolerates line breaks only in free text', () => {
    expect(hasControlCharacters('Ville de Test – Île-de-France')).toBe(false);
    for (const c of ['\u0000', '\u0007', '\n', '\t', '\r', '\u001b', '\u007f', '\u0085']) {
      expect(hasControlCharacters(`a${c}b`)).toBe(true);
    }
    expect(hasControlCharactersInText('line one\r\nline two\tend')).toBe(false);
    expect(hasControlCharactersInText('bell\u0007')).toBe(true);
  });

  it('knows the calendar', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-00-10')).toBe(false);
    expect(isCalendarDate('2026-1-10')).toBe(false);
    expect(isCalendarDate(20260110)).toBe(false);
  });
});

describe('neutraliseCsvCell', () => {
  it('defuses every text cell a spreadsheet would run, and leaves numbers and plain text alone', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx', '=1']) {
      expect(neutraliseCsvCell(bad)).toBe(`'${bad}`);
    }
    for (const ok of ['-12.50', '12', 'Ville de Test', 'a=b', '', '0.00'])
      expect(neutraliseCsvCell(ok)).toBe(ok);
    expect(neutraliseCsvCell(2026)).toBe(2026);
  });
});
