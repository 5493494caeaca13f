/**
 * Draws a tenant's boundary as inline SVG: the account box, its VPCs with their tenancy, the database and search
 * domain inside them, the keys and a line from each key to what it protects, and below the account everything that is
 * shared or crosses the boundary, in red, with a red line from the tenant element it leaves from.
 *
 * Self-contained: no external fonts, images, links or scripts. Pure: a string from the boundary graph.
 */
import type { BoundaryCrossing, BoundaryGraph, BoundaryKey, BoundaryStore, BoundaryVpc } from './boundary';

const W = 960;
const P = 16;
const ACCOUNT_X = P;
const INNER_X = P + 16;
const VPC_AREA_W = 560;
const KEY_X = INNER_X + VPC_AREA_W + 40;
const KEY_W = W - P - 16 - KEY_X;
const VPC_GAP = 40;
const STORE_H = 44;
const KEY_H = 46;
const CROSS_COLS = 3;
const CROSS_GAP = 12;
const CROSS_W = (W - 2 * P - (CROSS_COLS - 1) * CROSS_GAP) / CROSS_COLS;
const CROSS_H = 56;
const MAX_CROSSINGS = 15;

export const COLORS = {
  red: '#c0262d',
  redFill: '#fdecec',
  key: '#1d4ed8',
  hsm: '#7e22ce',
  vpc: '#0f766e',
  vpcFill: '#f0fdfa',
  store: '#334155',
  storeFill: '#ffffff',
  account: '#1e293b',
  grey: '#64748b',
  green: '#067647',
  greenFill: '#e7f6ec',
} as const;

export function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** Shortens text to fit `width` pixels at the given font size (average glyph width ~0.58em). */
function fit(text: string, width: number, size = 11, bold = false): string {
  const max = Math.max(4, Math.floor(width / (size * (bold ? 0.64 : 0.58))));
  return text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
}

/** Shortens text from the start, keeping its distinctive end (key aliases share a long prefix). */
function fitEnd(text: string, width: number, size = 11): string {
  const max = Math.max(4, Math.floor(width / (size * 0.6)));
  return text.length <= max ? text : `\u2026${text.slice(text.length - max + 1)}`;
}

function text(x: number, y: number, s: string, width: number, attrs = '', size = 11): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}"${attrs ? ` ${attrs}` : ''}>${xml(fit(s, width, size, /font-weight="[67]00"/.test(attrs)))}</text>`;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const STORE_LABEL: Record<BoundaryStore['kind'], string> = { database: 'Database', search: 'Search domain' };

function storeSvg(s: BoundaryStore, b: Box): string {
  const stroke = s.flagged ? COLORS.red : COLORS.store;
  const fill = s.flagged ? COLORS.redFill : COLORS.storeFill;
  const label = `${STORE_LABEL[s.kind]} ${s.id}`;
  const line2 = s.placementProblem ? `not in a tenant VPC: ${s.placementProblem}` : (s.detail ?? s.type);
  return (
    `<g class="store${s.flagged ? ' flagged' : ''}" data-resource="${xml(s.id)}"><title>${xml(`${s.type} ${s.id} (${s.stack})${s.detail ? `: ${s.detail}` : ''}${s.placementProblem ? ` - ${s.placementProblem}` : ''}`)}</title>` +
    `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${s.flagged ? 2.5 : 1.2}"/>` +
    text(b.x + 10, b.y + 18, `${s.flagged ? '\u2717 ' : ''}${label}`, b.w - 20, `font-weight="600" fill="${stroke}"`) +
    text(b.x + 10, b.y + 34, line2, b.w - 20, `fill="${s.flagged ? COLORS.red : COLORS.grey}"`, 10) +
    `</g>`
  );
}

function tenancyBadge(v: BoundaryVpc, right: number, y: number): string {
  const good = v.tenancy === 'dedicated' || v.tenancy === 'host';
  const color = v.tenancy === 'unresolved' ? COLORS.red : good ? COLORS.green : COLORS.grey;
  const fill = v.tenancy === 'unresolved' ? COLORS.redFill : good ? COLORS.greenFill : '#f1f5f9';
  const label = `${v.tenancy} tenancy`;
  const w = label.length * 5.9 + 12;
  return (
    `<rect class="tenancy" x="${(right - w).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="16" rx="8" fill="${fill}" stroke="${color}" stroke-width="0.8"/>` +
    `<text x="${(right - w / 2).toFixed(1)}" y="${y + 11.5}" font-size="10" text-anchor="middle" fill="${color}">${xml(label)}</text>`
  );
}

function keySummary(k: BoundaryKey): string {
  const counts = new Map<string, number>();
  for (const p of k.protects) counts.set(p.dataClass, (counts.get(p.dataClass) ?? 0) + 1);
  const kind = k.kind === 'cloudhsm' ? 'CloudHSM key' : k.kind === 'kms-replica' ? 'KMS replica key' : 'KMS key';
  const what = [...counts.entries()].map(([c, n]) => (n > 1 ? `${c} \u00d7${n}` : c)).join(', ');
  return `${kind} \u00b7 ${what || 'protects nothing in the templates'}`;
}

function crossingSvg(c: BoundaryCrossing, b: Box): string {
  // What it is, then the value itself (its distinctive end kept), then where in the tenant it comes from.
  const colon = c.label.indexOf(': ');
  const head = colon > 0 ? c.label.slice(0, colon) : c.label;
  const value = colon > 0 ? c.label.slice(colon + 2) : c.value;
  return (
    `<g class="crossing" data-resource="${xml(c.resource)}"><title>${xml(`${c.label} - ${c.stack}/${c.resource} ${c.path} = ${c.value}`)}</title>` +
    `<rect x="${b.x.toFixed(1)}" y="${b.y}" width="${b.w.toFixed(1)}" height="${b.h}" rx="6" fill="${COLORS.redFill}" stroke="${COLORS.red}" stroke-width="1.6" stroke-dasharray="5 3"/>` +
    text(b.x + 8, b.y + 16, head, b.w - 16, `font-weight="600" fill="${COLORS.red}"`) +
    `<text x="${(b.x + 8).toFixed(1)}" y="${b.y + 31}" font-size="10" font-family="ui-monospace, Menlo, Consolas, monospace" fill="${COLORS.red}">${xml(fitEnd(value, b.w - 16, 10.5))}</text>` +
    text(b.x + 8, b.y + 46, `from ${c.resource} \u00b7 ${c.path}`, b.w - 16, `fill="${COLORS.grey}"`, 10) +
    `</g>`
  );
}

/** Renders the boundary picture of one tenant. `title` names the tenant for screen readers. */
export function renderBoundarySvg(g: BoundaryGraph, title: string, idPrefix = 'b'): string {
  const parts: string[] = [];
  const anchors = new Map<string, Box>();
  const top = P + 50;

  // VPCs in rows of up to two (three when there are more than four).
  const cols = g.vpcs.length > 4 ? 3 : Math.max(1, Math.min(2, g.vpcs.length));
  const vpcW = (VPC_AREA_W - (cols - 1) * VPC_GAP) / cols;
  const storesIn = (v: BoundaryVpc): BoundaryStore[] => g.stores.filter((s) => s.vpcs[0] === v.id);
  let y = top;
  const vpcBoxes = new Map<string, Box>();
  for (let row = 0; row * cols < g.vpcs.length; row++) {
    const rowVpcs = g.vpcs.slice(row * cols, row * cols + cols);
    const h = Math.max(...rowVpcs.map((v) => 52 + Math.max(1, storesIn(v).length) * (STORE_H + 10)));
    rowVpcs.forEach((v, i) => {
      const b = { x: INNER_X + i * (vpcW + VPC_GAP), y, w: vpcW, h };
      vpcBoxes.set(v.id, b);
      anchors.set(v.id, b);
      const stroke = v.flagged ? COLORS.red : COLORS.vpc;
      parts.push(
        `<g class="vpc${v.flagged ? ' flagged' : ''}" data-resource="${xml(v.id)}"><title>${xml(`AWS::EC2::VPC ${v.id} (${v.stack}) ${v.cidr ?? ''} tenancy ${v.tenancy}`)}</title>` +
          `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="8" fill="${COLORS.vpcFill}" stroke="${stroke}" stroke-width="${v.flagged ? 2.5 : 1.5}"/>` +
          text(b.x + 10, b.y + 18, `VPC ${v.id}`, b.w - 20, `font-weight="600" fill="${stroke}"`) +
          text(b.x + 10, b.y + 36, v.cidr ?? 'CIDR not resolved', b.w - 130, `fill="${COLORS.grey}"`, 10) +
          tenancyBadge(v, b.x + b.w - 10, b.y + 25) +
          `</g>`,
      );
      const stores = storesIn(v);
      if (stores.length === 0)
        parts.push(
          text(
            b.x + 10,
            b.y + 70,
            'no database or search domain',
            b.w - 20,
            `fill="${COLORS.grey}" font-style="italic"`,
            10,
          ),
        );
      stores.forEach((s, j) => {
        const sb = { x: b.x + 10, y: b.y + 48 + j * (STORE_H + 10), w: b.w - 20, h: STORE_H };
        anchors.set(s.id, sb);
        parts.push(storeSvg(s, sb));
      });
    });
    y += h + 24;
  }
  if (g.vpcs.length === 0) {
    parts.push(
      text(INNER_X, y + 14, 'The templates define no VPC.', VPC_AREA_W, `fill="${COLORS.grey}" font-style="italic"`),
    );
    y += 30;
  }
  // Stores in no tenant VPC.
  const unplaced = g.stores.filter((s) => s.vpcs.length === 0);
  if (unplaced.length > 0) {
    const h = 30 + unplaced.length * (STORE_H + 10);
    parts.push(
      `<rect x="${INNER_X}" y="${y}" width="${VPC_AREA_W}" height="${h}" rx="8" fill="none" stroke="${COLORS.red}" stroke-width="1.5" stroke-dasharray="6 4"/>` +
        text(
          INNER_X + 10,
          y + 18,
          'Not in a VPC the tenant defines',
          VPC_AREA_W - 20,
          `font-weight="600" fill="${COLORS.red}"`,
        ),
    );
    unplaced.forEach((s, j) => {
      const sb = { x: INNER_X + 10, y: y + 26 + j * (STORE_H + 10), w: VPC_AREA_W - 20, h: STORE_H };
      anchors.set(s.id, sb);
      parts.push(storeSvg(s, sb));
    });
    y += h + 20;
  }

  // Internal peering between tenant VPCs.
  for (const l of g.links) {
    const a = vpcBoxes.get(l.from);
    const b = vpcBoxes.get(l.to);
    if (!a || !b) continue;
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    const sameRow = left.y === right.y && left.x !== right.x;
    const x1 = sameRow ? left.x + left.w : left.x + left.w / 2;
    const y1 = sameRow ? left.y + 30 : left.y + left.h;
    const x2 = sameRow ? right.x : right.x + right.w / 2;
    const y2 = sameRow ? right.y + 30 : right.y;
    parts.push(
      `<g class="peering" data-resource="${xml(l.resource)}"><title>${xml(`peering ${l.resource}: ${l.from} \u2194 ${l.to} (both tenant VPCs)`)}</title>` +
        `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${COLORS.vpc}" stroke-width="2" stroke-dasharray="4 3"/>` +
        `<text x="${((x1 + x2) / 2).toFixed(1)}" y="${(Math.min(y1, y2) - 5).toFixed(1)}" font-size="9" text-anchor="middle" fill="${COLORS.vpc}">peering</text></g>`,
    );
  }

  // Keys.
  let ky = top;
  const keyParts: string[] = [];
  const lines: string[] = [];
  /** Crossing lines go beneath the boxes, so a line never hides a label. */
  const underLines: string[] = [];
  for (const k of g.keys) {
    const b = { x: KEY_X, y: ky, w: KEY_W, h: KEY_H };
    anchors.set(k.id, b);
    const color = k.flagged ? COLORS.red : k.kind === 'cloudhsm' ? COLORS.hsm : COLORS.key;
    keyParts.push(
      `<g class="key${k.flagged ? ' flagged' : ''}" data-resource="${xml(k.id)}"><title>${xml(`${k.id}${k.alias ? ` (${k.alias})` : ''} protects: ${k.protects.map((p) => `${p.resource} (${p.dataClass}, ${p.path})`).join('; ') || 'nothing'}`)}</title>` +
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="#ffffff" stroke="${color}" stroke-width="${k.flagged ? 2.5 : 1.4}"/>` +
        `<circle cx="${b.x + 12}" cy="${b.y + 14}" r="4" fill="none" stroke="${color}" stroke-width="1.6"/><line x1="${b.x + 16}" y1="${b.y + 14}" x2="${b.x + 24}" y2="${b.y + 14}" stroke="${color}" stroke-width="1.6"/>` +
        `<text x="${b.x + 30}" y="${b.y + 18}" font-size="10.5" font-weight="600" fill="${color}">${xml(fitEnd(k.alias ?? k.id, b.w - 36, 10.5))}</text>` +
        text(b.x + 10, b.y + 36, keySummary(k), b.w - 20, `fill="${COLORS.grey}"`, 10) +
        `</g>`,
    );
    const targets = [...new Set(k.protects.map((p) => p.resource))];
    for (const t of targets) {
      const s = anchors.get(t);
      if (!s || !g.stores.some((st) => st.id === t)) continue;
      const x1 = b.x;
      const y1 = b.y + b.h / 2;
      const x2 = s.x + s.w;
      const y2 = s.y + s.h / 2;
      lines.push(
        `<path class="protects" data-key="${xml(k.id)}" data-resource="${xml(t)}" d="M ${x1} ${y1.toFixed(1)} C ${x1 - 50} ${y1.toFixed(1)}, ${x2 + 50} ${y2.toFixed(1)}, ${x2} ${y2.toFixed(1)}" fill="none" stroke="${color}" stroke-width="1.6" marker-end="url(#${idPrefix}-arrow-${k.kind === 'cloudhsm' ? 'hsm' : 'kms'})"><title>${xml(`${k.alias ?? k.id} protects ${t}`)}</title></path>`,
      );
    }
    ky += KEY_H + 10;
  }
  if (g.keys.length === 0) {
    keyParts.push(
      text(KEY_X, ky + 14, 'The templates define no key.', KEY_W, `fill="${COLORS.red}" font-style="italic"`),
    );
    ky += 30;
  }

  const accountBottom = Math.max(y, ky + 6) + 4;
  const accountLabel = `AWS account ${g.account ?? '(unknown: not in the inputs)'}${g.region ? ` \u00b7 ${g.region}` : ''}`;
  const accountSvg =
    `<g class="account"><rect x="${ACCOUNT_X}" y="${P}" width="${W - 2 * P}" height="${accountBottom - P}" rx="10" fill="#f8fafc" stroke="${g.account ? COLORS.account : COLORS.red}" stroke-width="2"/>` +
    text(
      ACCOUNT_X + 14,
      P + 22,
      accountLabel,
      W - 2 * P - 28,
      `font-weight="700" fill="${g.account ? COLORS.account : COLORS.red}"`,
      13,
    ) +
    text(ACCOUNT_X + 14, P + 38, 'tenant boundary as the templates define it', 400, `fill="${COLORS.grey}"`, 10) +
    text(KEY_X, P + 38, 'keys \u2192 what they protect', KEY_W, `fill="${COLORS.grey}"`, 10) +
    `</g>`;

  // Crossings below the account box.
  let bottom = accountBottom + 16;
  const crossParts: string[] = [];
  if (g.crossings.length > 0) {
    const shown = g.crossings.slice(0, MAX_CROSSINGS);
    const y0 = accountBottom + 56;
    crossParts.push(
      `<text x="${W - P}" y="${accountBottom + 30}" font-size="12" font-weight="700" text-anchor="end" fill="${COLORS.red}">${xml(`Shared or crossing the boundary (${g.crossings.length})`)}</text>`,
    );
    shown.forEach((c, i) => {
      const b = {
        x: P + (i % CROSS_COLS) * (CROSS_W + CROSS_GAP),
        y: y0 + Math.floor(i / CROSS_COLS) * (CROSS_H + CROSS_GAP),
        w: CROSS_W,
        h: CROSS_H,
      };
      crossParts.push(crossingSvg(c, b));
      // Orthogonal routing: down to a bus above the band, along it, then into the box: from above for the first
      // row, through the gap left of the box for later rows, so no line crosses another box.
      const from = c.anchor ? anchors.get(c.anchor) : undefined;
      const row = Math.floor(i / CROSS_COLS);
      const busY = accountBottom + 36 + (i % 4) * 3;
      const target = row === 0 ? { x: b.x + b.w / 2, y: b.y } : { x: b.x, y: b.y + b.h / 2 };
      const laneX = row === 0 ? target.x : b.x - CROSS_GAP / 2;
      const x1 = from ? from.x + from.w / 2 : laneX;
      const y1 = from ? from.y + from.h : accountBottom;
      const pts = [
        `M ${x1.toFixed(1)} ${y1.toFixed(1)}`,
        `L ${x1.toFixed(1)} ${busY}`,
        `L ${laneX.toFixed(1)} ${busY}`,
      ];
      if (row === 0) pts.push(`L ${target.x.toFixed(1)} ${target.y}`);
      else pts.push(`L ${laneX.toFixed(1)} ${target.y.toFixed(1)}`, `L ${target.x.toFixed(1)} ${target.y.toFixed(1)}`);
      underLines.push(
        `<path class="crossing-line" data-resource="${xml(c.resource)}" d="${pts.join(' ')}" fill="none" stroke="${COLORS.red}" stroke-width="1.4" stroke-dasharray="5 3" marker-end="url(#${idPrefix}-arrow-red)"/>`,
      );
    });
    const rows = Math.ceil(shown.length / CROSS_COLS);
    bottom = y0 + rows * (CROSS_H + CROSS_GAP);
    if (g.crossings.length > shown.length) {
      crossParts.push(
        text(
          P,
          bottom + 10,
          `+ ${g.crossings.length - shown.length} more, listed below the picture`,
          W - 2 * P,
          `fill="${COLORS.red}"`,
        ),
      );
      bottom += 20;
    }
  }

  // Legend.
  const ly = bottom + 10;
  const legend =
    `<g class="legend" font-size="10" fill="${COLORS.grey}">` +
    `<line x1="${P}" y1="${ly}" x2="${P + 28}" y2="${ly}" stroke="${COLORS.key}" stroke-width="1.6"/><text x="${P + 34}" y="${ly + 3.5}">KMS key protects</text>` +
    `<line x1="${P + 140}" y1="${ly}" x2="${P + 168}" y2="${ly}" stroke="${COLORS.hsm}" stroke-width="1.6"/><text x="${P + 174}" y="${ly + 3.5}">CloudHSM key protects</text>` +
    `<line x1="${P + 310}" y1="${ly}" x2="${P + 338}" y2="${ly}" stroke="${COLORS.vpc}" stroke-width="2" stroke-dasharray="4 3"/><text x="${P + 344}" y="${ly + 3.5}">peering between tenant VPCs</text>` +
    `<line x1="${P + 500}" y1="${ly}" x2="${P + 528}" y2="${ly}" stroke="${COLORS.red}" stroke-width="1.6" stroke-dasharray="5 3"/><text x="${P + 534}" y="${ly + 3.5}">shared, crossing or failing (red)</text>` +
    `</g>`;
  const height = ly + 14;

  const marker = (id: string, color: string): string =>
    `<marker id="${idPrefix}-arrow-${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${color}"/></marker>`;
  return (
    `<svg class="boundary" role="img" aria-labelledby="${idPrefix}-title" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif">` +
    `<title id="${idPrefix}-title">${xml(title)}</title>` +
    `<defs>${marker('kms', COLORS.key)}${marker('hsm', COLORS.hsm)}${marker('red', COLORS.red)}</defs>` +
    accountSvg +
    underLines.join('') +
    parts.join('') +
    keyParts.join('') +
    lines.join('') +
    crossParts.join('') +
    legend +
    `</svg>`
  );
}
