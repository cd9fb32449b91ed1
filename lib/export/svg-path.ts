/**
 * The path view drawn into graph.svg (and so the PNG): bands by host and namespace left to right, each hop a box
 * with its kind and device, the broken hop red with its reason. Plain rows that wrap at a fixed width, so labels
 * never overlap and the same path always gives the same bytes.
 */
import type { PathHop, PathView } from '@/lib/snapshot/path';
import { xmlEscape as esc } from './xml';

const HOP_WIDTH = 150;
const HOP_HEIGHT = 40;
const HOP_GAP = 26;
const BAND_PAD = 8;
const BAND_HEADER = 18;
const BAND_GAP = 30;
const ROW_GAP = 16;
const MAX_TEXT = 22;
const MAX_BAND_LABEL = 60;
const FAULT = '#b91c1c';

const KIND_WORD: Record<PathHop['kind'], string> = {
  route: 'route',
  bridge: 'bridge',
  'bridge-port': 'bridge port',
  veth: 'veth',
  'tc-redirect': 'tc redirect',
  tunnel: 'tunnel',
  underlay: 'underlay',
  device: 'device',
  'not-captured': 'not captured',
};

const KIND_STROKE: Record<PathHop['kind'], string> = {
  route: '#64748b',
  bridge: '#15803d',
  'bridge-port': '#15803d',
  veth: '#0e7490',
  'tc-redirect': '#c2410c',
  tunnel: '#7e22ce',
  underlay: '#475569',
  device: '#64748b',
  'not-captured': '#94a3b8',
};

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function hopSvg(hop: PathHop, x: number, y: number): string {
  const stroke = hop.broken ? FAULT : KIND_STROKE[hop.kind];
  const dash = hop.kind === 'not-captured' ? ' stroke-dasharray="4 3"' : '';
  const note = hop.kind === 'tunnel' ? hop.notes.find((n) => n.startsWith('VNI')) : undefined;
  return [
    `<g class="hop ${esc(hop.kind)}${hop.broken ? ' fault' : ''}" data-hop="${esc(hop.device)}">`,
    `<title>${esc([hop.device, ...hop.notes, hop.reason ?? ''].filter(Boolean).join('\n'))}</title>`,
    `<rect x="${x}" y="${y}" width="${HOP_WIDTH}" height="${HOP_HEIGHT}" rx="4" fill="${hop.broken ? '#fef2f2' : '#fff'}" stroke="${stroke}" stroke-width="${hop.broken ? 2.5 : 1.5}"${dash}/>`,
    `<text x="${x + 6}" y="${y + 13}" font-size="9" fill="#334155">${esc(`${hop.broken ? '✖ ' : ''}${KIND_WORD[hop.kind]}${note ? ` · ${note}` : ''}`.slice(0, 34))}</text>`,
    `<text x="${x + 6}" y="${y + 31}" font-size="12" font-weight="bold" fill="${hop.broken ? FAULT : '#0f172a'}">${esc(cut(hop.device, MAX_TEXT))}</text>`,
    '</g>',
  ].join('');
}

function arrow(x1: number, x2: number, y: number, redirect: boolean): string {
  return `<path class="hop-link" d="M${x1} ${y} L${x2} ${y}" stroke="#475569" stroke-width="1.5" marker-end="url(#arrow)"${redirect ? ' marker-start="url(#arrow)"' : ''}/>`;
}

export interface PathSvg {
  svg: string;
  height: number;
  width: number;
}

/** The path as SVG elements from (x, y), wrapping bands at `maxWidth`. */
export function renderPathSvg(path: PathView, x0: number, y0: number, maxWidth: number): PathSvg {
  const out: string[] = [`<g class="path-view" data-path-view="">`];
  const title = path.ok ? `Packet path ${path.from} → ${path.to}: delivered` : `Packet path ${path.from} → ${path.to}`;
  out.push(`<text x="${x0}" y="${y0 + 12}" font-size="13" font-weight="bold" fill="#0f172a">${esc(title)}</text>`);
  let x = x0;
  let y = y0 + 24;
  let width = 0;
  const bandHeight = BAND_HEADER + HOP_HEIGHT + BAND_PAD * 2;
  path.bands.forEach((band, i) => {
    const w = band.hops.length * HOP_WIDTH + (band.hops.length - 1) * HOP_GAP + BAND_PAD * 2;
    if (i > 0 && x + BAND_GAP + w > x0 + maxWidth) {
      x = x0;
      y += bandHeight + ROW_GAP;
    } else if (i > 0) {
      out.push(arrow(x + 2, x + BAND_GAP - 2, y + BAND_HEADER + BAND_PAD + HOP_HEIGHT / 2, band.hops[0]?.via === 'tc-redirect'));
      x += BAND_GAP;
    }
    out.push(`<g class="band" data-band="${esc(band.label)}"><rect x="${x}" y="${y}" width="${w}" height="${bandHeight}" rx="6" fill="#f8fafc" stroke="#cbd5e1"/>`);
    out.push(`<text x="${x + BAND_PAD}" y="${y + 13}" font-size="10" fill="#334155">${esc(cut(band.label, MAX_BAND_LABEL))}</text></g>`);
    band.hops.forEach((hop, j) => {
      const hx = x + BAND_PAD + j * (HOP_WIDTH + HOP_GAP);
      if (j > 0) out.push(arrow(hx - HOP_GAP + 2, hx - 2, y + BAND_HEADER + BAND_PAD + HOP_HEIGHT / 2, hop.via === 'tc-redirect'));
      out.push(hopSvg(hop, hx, y + BAND_HEADER + BAND_PAD));
    });
    x += w;
    width = Math.max(width, x - x0);
  });
  y += bandHeight;
  const reasons = path.hops.filter((h) => h.broken || (h.kind === 'not-captured' && h.reason));
  for (const hop of reasons) {
    y += 18;
    const text = `${hop.broken ? '✖' : '…'} ${hop.device}${hop.host ? ` on ${hop.host}` : ''}: ${hop.reason ?? ''}`;
    out.push(`<text x="${x0}" y="${y}" font-size="12" fill="${hop.broken ? FAULT : '#334155'}">${esc(cut(text, 160))}</text>`);
  }
  out.push('</g>');
  return { svg: out.join('\n'), height: y - y0 + 12, width };
}
