/**
 * The SEPA basic Latin character set (EPC 217-08 / EPC 132-08 C2B IG): a-z A-Z 0-9 / - ? : ( ) . , ' + and
 * space. Text outside it is transliterated (accents stripped, ligatures and common Greek/Cyrillic
 * letters spelled out in Latin letters); anything still outside becomes ".".
 */
export const SEPA_TEXT = /^[A-Za-z0-9/\-?:().,'+ ]*$/;

const SPECIAL: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'n',
  Ŋ: 'N',
  ĸ: 'k',
  ſ: 's',
  '&': '+',
  _: '-',
  '–': '-',
  '—': '-',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': "'",
  '”': "'",
  '„': "'",
  '«': "'",
  '»': "'",
  '"': "'",
  '`': "'",
  '´': "'",
  '@': '(at)',
  '€': 'EUR',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  ';': ',',
  '!': '.',
  '#': '.',
  '*': '.',
  '=': '-',
  '<': '(',
  '>': ')',
  '\\': '/',
  '|': '/',
  '~': '-',
  '%': '.',
  $: '.',
  '^': '.',
};

const GREEK: Record<string, string> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};

const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  і: 'i',
  ї: 'i',
  є: 'ie',
  ґ: 'g',
  ў: 'u',
};

function letter(ch: string): string {
  if (SPECIAL[ch] !== undefined) return SPECIAL[ch];
  const lower = ch.toLowerCase();
  const table = GREEK[lower] !== undefined ? GREEK : CYRILLIC[lower] !== undefined ? CYRILLIC : undefined;
  if (table) {
    const latin = table[lower];
    if (ch === lower || latin.length === 0) return latin;
    return latin[0].toUpperCase() + latin.slice(1);
  }
  return ch;
}

/** Transliterates `text` into the SEPA character set, collapses white space and cuts it to `max` characters. */
export function toSepaText(text: string, max: number): string {
  let out = '';
  // NFD splits accented letters into a base letter and combining marks, which are dropped.
  for (const ch of text.normalize('NFD')) {
    if (/\p{M}/u.test(ch)) continue;
    if (/\s/u.test(ch)) {
      out += ' ';
      continue;
    }
    const mapped = letter(ch).normalize('NFD').replace(/\p{M}/gu, '');
    for (const m of mapped) out += SEPA_TEXT.test(m) ? m : '.';
  }
  return out.replace(/ +/g, ' ').trim().slice(0, max).trim();
}

/** An identifier (MsgId, PmtInfId, EndToEndId): SEPA characters, 1–35 long, no leading/trailing "/" and no "//". */
export function isSepaIdentifier(id: string): boolean {
  return (
    id.length >= 1 &&
    id.length <= 35 &&
    SEPA_TEXT.test(id) &&
    !id.startsWith('/') &&
    !id.endsWith('/') &&
    !id.includes('//') &&
    !id.includes(' ')
  );
}
