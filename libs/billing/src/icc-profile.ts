/**
 * A minimal ICC v2 display profile for sRGB (D50-adapted primaries, gamma 2.2 curves), the
 * OutputIntent PDF/A requires when a document uses device RGB. Built here, byte by byte, so
 * that no binary profile needs shipping.
 */
export function srgbIccProfile(): Uint8Array {
  const s15 = (v: number) => Math.round(v * 65536);
  const tags: { sig: string; data: number[] }[] = [];
  const bytes = (text: string) => [...Buffer.from(text, 'latin1')];
  const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const u16 = (n: number) => [(n >>> 8) & 255, n & 255];
  const xyz = (x: number, y: number, z: number) => [
    ...bytes('XYZ '),
    0,
    0,
    0,
    0,
    ...u32(s15(x)),
    ...u32(s15(y)),
    ...u32(s15(z)),
  ];
  const description = 'sRGB (Librery, gamma 2.2)';
  tags.push({
    sig: 'desc',
    data: [
      ...bytes('desc'),
      0,
      0,
      0,
      0,
      ...u32(description.length + 1),
      ...bytes(description),
      0,
      ...u32(0),
      ...u32(0),
      ...u16(0),
      0,
      ...new Array<number>(67).fill(0),
    ],
  });
  tags.push({ sig: 'cprt', data: [...bytes('text'), 0, 0, 0, 0, ...bytes('No copyright, use freely'), 0] });
  tags.push({ sig: 'wtpt', data: xyz(0.9642, 1.0, 0.8249) });
  tags.push({ sig: 'rXYZ', data: xyz(0.4361, 0.2225, 0.0139) });
  tags.push({ sig: 'gXYZ', data: xyz(0.3851, 0.7169, 0.0971) });
  tags.push({ sig: 'bXYZ', data: xyz(0.1431, 0.0606, 0.7141) });
  const curve = [...bytes('curv'), 0, 0, 0, 0, ...u32(1), ...u16(0x0233)];
  for (const sig of ['rTRC', 'gTRC', 'bTRC']) tags.push({ sig, data: curve });

  const tableSize = 4 + tags.length * 12;
  let offset = 128 + tableSize;
  const table: number[] = [...u32(tags.length)];
  const body: number[] = [];
  for (const tag of tags) {
    table.push(...bytes(tag.sig), ...u32(offset), ...u32(tag.data.length));
    const padded = [...tag.data];
    while (padded.length % 4 !== 0) padded.push(0);
    body.push(...padded);
    offset += padded.length;
  }
  const size = 128 + tableSize + body.length;
  const header = [
    ...u32(size),
    0,
    0,
    0,
    0,
    0x02,
    0x10,
    0,
    0,
    ...bytes('mntr'),
    ...bytes('RGB '),
    ...bytes('XYZ '),
    ...u16(2026),
    ...u16(1),
    ...u16(1),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...bytes('acsp'),
    ...new Array<number>(4 + 4 + 4 + 4 + 8 + 4).fill(0),
    ...u32(s15(0.9642)),
    ...u32(s15(1.0)),
    ...u32(s15(0.8249)),
    ...new Array<number>(4 + 16 + 28).fill(0),
  ];
  if (header.length !== 128) throw new Error(`ICC header is ${header.length} bytes`);
  return Uint8Array.from([...header, ...table, ...body]);
}
