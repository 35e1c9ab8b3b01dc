import { ReactElement } from 'react';
import { FlowLink } from '@app/transparency';
import { formatMoney } from '../format';
import { Lang } from '../i18n';
import { PublicMessages } from './public.messages';

const MIDDLE = ['directed', 'pool', 'operating', 'fees'];
const COLORS = ['#1f5fa8', '#2f7d4f', '#8a4b08', '#6b3fa0', '#a3214a', '#0d6e7a', '#5b5b00', '#7a3b2e'];

export function nodeLabel(id: string, t: PublicMessages): string {
  const names: Record<string, string> = {
    public_bodies: t.publicBodies,
    donors: t.donors,
    others: t.others,
    directed: t.directedNode,
    pool: t.poolNode,
    operating: t.operatingNode,
    fees: t.feesNode,
    other_projects: t.otherProjects,
    unallocated: t.unallocated,
  };
  return names[id] ?? id.replace(/^project:/, '');
}

interface Node {
  id: string;
  col: number;
  value: number;
  exact: bigint;
  y: number;
  h: number;
  outOffset: number;
  inOffset: number;
}

/**
 * A Sankey-style SVG drawn on the server: three columns (contributors, shares, destinations),
 * node heights and band widths proportional to the amounts. Geometry only uses floats; every
 * figure shown is formatted from the exact cents. The same figures are given in a table.
 */
export function Sankey({
  links,
  currency,
  lang,
  t,
}: {
  links: readonly FlowLink[];
  currency: string;
  lang: Lang;
  t: PublicMessages;
}) {
  const width = 960;
  const height = 460;
  const nodeW = 14;
  const gap = 14;
  const top = 10;
  const nodes = new Map<string, Node>();
  const colOf = (id: string, asSource: boolean): number => (MIDDLE.includes(id) ? 1 : asSource ? 0 : 2);
  const inSum = new Map<string, bigint>();
  const outSum = new Map<string, bigint>();
  for (const l of links) {
    outSum.set(l.source, (outSum.get(l.source) ?? 0n) + l.amount);
    inSum.set(l.target, (inSum.get(l.target) ?? 0n) + l.amount);
    for (const [id, asSource] of [
      [l.source, true],
      [l.target, false],
    ] as const) {
      if (!nodes.has(id))
        nodes.set(id, {
          id,
          col: colOf(id, asSource),
          value: 0,
          exact: 0n,
          y: 0,
          h: 0,
          outOffset: 0,
          inOffset: 0,
        });
    }
  }
  for (const n of nodes.values()) {
    const i = inSum.get(n.id) ?? 0n;
    const o = outSum.get(n.id) ?? 0n;
    n.exact = i > o ? i : o;
    n.value = Number(n.exact);
  }
  const cols = [0, 1, 2].map((c) => [...nodes.values()].filter((n) => n.col === c));
  const usable = height - 2 * top;
  const scale = Math.min(
    ...cols
      .filter((c) => c.length > 0)
      .map(
        (c) =>
          (usable - gap * (c.length - 1)) /
          Math.max(
            1,
            c.reduce((s, n) => s + n.value, 0),
          ),
      ),
  );
  for (const col of cols) {
    let y = top;
    for (const n of col) {
      n.h = Math.max(2, n.value * scale);
      n.y = y;
      y += n.h + gap;
    }
  }
  const x = (col: number): number => [170, width / 2 - nodeW / 2, width - 190][col];
  const bands: ReactElement[] = [];
  links.forEach((l, i) => {
    const s = nodes.get(l.source) as Node;
    const d = nodes.get(l.target) as Node;
    const w = Math.max(1, Number(l.amount) * scale);
    const x0 = x(s.col) + nodeW;
    const x1 = x(d.col);
    const y0 = s.y + s.outOffset;
    const y1 = d.y + d.inOffset;
    s.outOffset += w;
    d.inOffset += w;
    const mx = (x0 + x1) / 2;
    const path = `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1} L${x1},${y1 + w} C${mx},${y1 + w} ${mx},${y0 + w} ${x0},${y0 + w} Z`;
    const label = `${nodeLabel(l.source, t)} → ${nodeLabel(l.target, t)} : ${formatMoney(l.amount, currency, lang)}`;
    bands.push(
      <path key={`band-${i}`} d={path} fill={COLORS[i % COLORS.length]} fillOpacity={0.45}>
        <title>{label}</title>
      </path>,
    );
  });
  const rects = [...nodes.values()].map((n) => {
    const lx = n.col === 0 ? x(0) - 6 : n.col === 2 ? x(2) + nodeW + 6 : x(1) + nodeW + 6;
    const anchor = n.col === 0 ? 'end' : 'start';
    const label = `${nodeLabel(n.id, t)} — ${formatMoney(n.exact, currency, lang)}`;
    return (
      <g key={n.id}>
        <rect x={x(n.col)} y={n.y.toFixed(1)} width={nodeW} height={n.h.toFixed(1)} fill="#14213d">
          <title>{label}</title>
        </rect>
        <text x={lx} y={(n.y + n.h / 2 + 5).toFixed(1)} textAnchor={anchor} fontSize={13} fill="#1b1b1b">
          {nodeLabel(n.id, t)}
        </text>
      </g>
    );
  });
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-labelledby="sankey-title sankey-desc"
    >
      <title id="sankey-title">{t.flowsTitle}</title>
      <desc id="sankey-desc">{t.flowsDesc}</desc>
      {bands}
      {rects}
    </svg>
  );
}
