/** Decodes Stripe's form encoding (`a[b][0][c]=v`, `expand[]=x`) into nested objects and arrays. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.match(/^[^[]+|\[[^\]]*\]/g);
    if (!parts) continue;
    const path = parts.map((p, i) => (i === 0 ? p : p.slice(1, -1)));
    let cursor: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const k = path[i];
      const last = i === path.length - 1;
      if (Array.isArray(cursor)) {
        const index = k === '' ? cursor.length : Number(k);
        if (last) cursor[index] = value;
        else
          cursor = (cursor[index] ??= /^[0-9]*$/.test(path[i + 1]) ? [] : {}) as
            Record<string, unknown> | unknown[];
      } else {
        if (last) cursor[k] = value;
        else
          cursor = (cursor[k] ??= /^[0-9]*$/.test(path[i + 1]) ? [] : {}) as
            Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
}
