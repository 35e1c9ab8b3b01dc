import { Lang, Messages } from './i18n';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cents (bigint or decimal string) as money in the page's language, exactly (no float). */
export function money(cents: bigint | string, currency: string, lang: Lang): string {
  const c = typeof cents === 'bigint' ? cents : BigInt(cents);
  const negative = c < 0n;
  const abs = negative ? -c : c;
  const decimal = `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  const format = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency });
  return (format.format as unknown as (v: string) => string)(decimal);
}

export function date(d: Date, lang: Lang): string {
  return (
    new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(d) + ' UTC'
  );
}

/** Adds lang=… to a local link so the choice of language follows the visitor. */
export function href(path: string, lang: Lang, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  q.set('lang', lang);
  return `${path}?${q.toString()}`;
}

const CSS = `
:root{--ink:#1b1b1b;--muted:#4a4a4a;--link:#0b4f9c;--line:#c8c8c8;--bg:#fff;--soft:#f3f5f8;--focus:#b34700}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--link)}a:focus,button:focus,input:focus,select:focus{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#14213d;color:#fff;padding:1rem}header a{color:#fff}header p{margin:.25rem 0 0;color:#e8e8e8}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:.75rem 0 0}
main{max-width:72rem;margin:0 auto;padding:1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:700;padding:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.4rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;background:var(--soft);padding:.75rem}
form.filters label{display:flex;flex-direction:column;font-size:.9rem}
input,select,button{font:inherit;padding:.3rem .4rem}button{background:#14213d;color:#fff;border:0;padding:.4rem .9rem}
.muted{color:var(--muted)}svg{max-width:100%;height:auto}code{word-break:break-all}
footer{border-top:1px solid var(--line);margin-top:2rem;padding:1rem;color:var(--muted)}
`;

export function layout(lang: Lang, t: Messages, title: string, body: string, path: string): string {
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)} — ${esc(t.siteName)}</title>
<link rel="alternate" hreflang="${other}" href="${esc(href(path, other))}">
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">${esc(t.skip)}</a>
<header>
<a href="${esc(href('/', lang))}"><strong>${esc(t.siteName)}</strong></a>
<p>${esc(t.tagline)}</p>
<nav aria-label="${lang === 'fr' ? 'Navigation principale' : 'Main navigation'}"><ul>
<li><a href="${esc(href('/', lang))}">${esc(t.navHome)}</a></li>
<li><a href="${esc(href('/ledger', lang))}">${esc(t.navLedger)}</a></li>
<li><a href="/open-data">${esc(t.navOpenData)}</a></li>
<li><a href="/log/checkpoint">${esc(t.navVerify)}</a></li>
<li><a href="${esc(href(path, other))}" hreflang="${other}" lang="${other}">${esc(t.otherLang)}</a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${esc(title)}</h1>
${body}
</main>
<footer>${esc(t.openData)}<a href="/open-data/postings.csv">postings.csv</a> · <a href="/open-data/entries.ndjson">entries.ndjson</a> · <a href="/open-data/schema.json">schema.json</a></footer>
</body>
</html>`;
}

export function table(
  caption: string,
  head: { label: string; num?: boolean }[],
  rows: string[][],
  numCols: number[] = [],
): string {
  const th = head.map((h) => `<th scope="col"${h.num ? ' class="num"' : ''}>${esc(h.label)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row">${cell}</th>` : `<td${numCols.includes(i) ? ' class="num"' : ''}>${cell}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}
