/**
 * A static picture of a snapshot's topology: one column per host, namespaces stacked inside, devices as
 * labelled boxes, edges as lines, faulty elements red with a "!" marker. The layout is a plain grid computed
 * here, so the same snapshot and query always give the same bytes.
 */
import type { Finding } from '@/lib/diagnose/types';
import type { EdgeKind, Topology, TopoEdge, TopoNode } from '@/lib/topology/types';
import type { PathView } from '@/lib/snapshot/path';
import { renderPathSvg } from './svg-path';
import { xmlEscape as esc } from './xml';

export interface SvgOptions {
  /** Only this host's elements (same meaning as the page's `host=`). */
  host?: string;
  /** An element id: draw it, its neighbours and their containers, and outline it (the page's `focus=`). */
  focus?: string;
  title?: string;
  /** The path view drawn above the graph. */
  path?: PathView;
}

/** Width the path view wraps at: about what a ticket or chat shows without scrolling. */
const PATH_WIDTH = 1200;

const COLUMN_WIDTH = 260;
const COLUMN_GAP = 80;
const DEVICE_WIDTH = 200;
const DEVICE_HEIGHT = 24;
const ROW = 32;
const GROUP_HEADER = 26;
const GROUP_GAP = 14;
const MARGIN = 24;
const TOP = 56;
const MAX_LABEL = 28;

const FAULT = '#dc2626';
const EDGE_COLOURS: Record<EdgeKind, string> = {
  veth: '#2563eb',
  'ovs-port': '#7c3aed',
  'bridge-port': '#0891b2',
  'tc-redirect': '#ea580c',
  'tc-mirror': '#ca8a04',
  tunnel: '#059669',
  'tunnel-underlay': '#65a30d',
  underlay: '#64748b',
  'pod-netns': '#db2777',
};
const DEVICE_FILL: Record<string, string> = { interface: '#f8fafc', 'ovs-bridge': '#ede9fe', pod: '#fce7f3', segment: '#e2e8f0' };

/** Segments belong to no host ('' is no host's name): they share one column of their own. */
const SEGMENT_COLUMN = '';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Group {
  id: string;
  label: string;
  devices: TopoNode[];
}

interface Column {
  host: string;
  label: string;
  groups: Group[];
}

function truncate(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

/** The element ids to draw when focusing: the element, its direct neighbours, and their ancestors. */
function focusSet(topology: Topology, focus: string): Set<string> | null {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const edge = topology.edges.find((e) => e.id === focus);
  if (!byId.has(focus) && !edge) return null;
  const keep = new Set<string>(edge ? [edge.source, edge.target] : [focus]);
  for (const e of topology.edges) {
    if (keep.has(e.source) || keep.has(e.target) || e.id === focus) {
      keep.add(e.source);
      keep.add(e.target);
    }
  }
  for (const id of [...keep]) {
    for (let p = byId.get(id)?.parent; p !== undefined; p = byId.get(p)?.parent) keep.add(p);
  }
  // A focused host or namespace is a box: draw what it holds as well.
  if (!edge) {
    for (const node of topology.nodes) {
      for (let p = node.parent; p !== undefined; p = byId.get(p)?.parent) {
        if (p === focus) keep.add(node.id);
      }
    }
  }
  return keep;
}

function selectNodes(topology: Topology, options: SvgOptions): TopoNode[] {
  let nodes = topology.nodes;
  if (options.host !== undefined) nodes = nodes.filter((n) => n.host === options.host);
  const keep = options.focus === undefined ? null : focusSet(topology, options.focus);
  if (keep) nodes = nodes.filter((n) => keep.has(n.id));
  return nodes;
}

/** The namespace or host box a device sits in: its nearest netns/host ancestor. */
function containerOf(node: TopoNode, byId: Map<string, TopoNode>): TopoNode | undefined {
  for (let p = node.parent; p !== undefined;) {
    const parent = byId.get(p);
    if (!parent) return undefined;
    if (parent.kind === 'netns' || parent.kind === 'host') return parent;
    p = parent.parent;
  }
  return undefined;
}

function buildColumns(nodes: TopoNode[], all: Topology): Column[] {
  const byId = new Map(all.nodes.map((n) => [n.id, n]));
  const columns = new Map<string, Column>();
  const column = (host: string): Column => {
    let c = columns.get(host);
    if (!c) {
      c = { host, label: host === SEGMENT_COLUMN ? 'shared underlay' : (byId.get(`host:${host}`)?.label ?? host), groups: [] };
      columns.set(host, c);
    }
    return c;
  };
  const group = (c: Column, id: string, label: string): Group => {
    let g = c.groups.find((x) => x.id === id);
    if (!g) {
      g = { id, label, devices: [] };
      c.groups.push(g);
    }
    return g;
  };
  for (const node of nodes) {
    if (node.kind === 'host') column(node.host);
    else if (node.kind === 'netns') group(column(node.host), node.id, `netns ${node.label}`);
  }
  for (const node of nodes) {
    if (node.kind === 'host' || node.kind === 'netns') continue;
    const c = column(node.kind === 'segment' ? SEGMENT_COLUMN : node.host);
    const container = containerOf(node, byId);
    if (node.kind === 'segment') group(c, 'segments', 'segments').devices.push(node);
    else if (node.kind === 'pod') group(c, 'pods', 'pods').devices.push(node);
    else if (container?.kind === 'netns') group(c, container.id, `netns ${container.label}`).devices.push(node);
    else group(c, 'root', 'root namespace').devices.push(node);
  }
  for (const c of columns.values()) {
    const rank = (g: Group) => (g.id === 'root' ? 0 : g.id === 'pods' ? 2 : 1);
    c.groups.sort((a, b) => rank(a) - rank(b));
  }
  return [...columns.values()];
}

interface Layout {
  width: number;
  height: number;
  hostBoxes: Array<{ column: Column; box: Box }>;
  groupBoxes: Array<{ group: Group; box: Box }>;
  deviceBoxes: Map<string, Box>;
}

function layout(columns: Column[]): Layout {
  const deviceBoxes = new Map<string, Box>();
  const hostBoxes: Layout['hostBoxes'] = [];
  const groupBoxes: Layout['groupBoxes'] = [];
  let height = TOP;
  columns.forEach((column, i) => {
    const x = MARGIN + i * (COLUMN_WIDTH + COLUMN_GAP);
    let y = TOP + GROUP_HEADER + 8;
    for (const group of column.groups) {
      const top = y;
      y += GROUP_HEADER;
      for (const device of group.devices) {
        deviceBoxes.set(device.id, { x: x + (COLUMN_WIDTH - DEVICE_WIDTH) / 2, y, w: DEVICE_WIDTH, h: DEVICE_HEIGHT });
        y += ROW;
      }
      groupBoxes.push({ group, box: { x: x + 10, y: top, w: COLUMN_WIDTH - 20, h: y - top } });
      y += GROUP_GAP;
    }
    hostBoxes.push({ column, box: { x, y: TOP, w: COLUMN_WIDTH, h: y - TOP } });
    height = Math.max(height, y);
  });
  const width = Math.max(MARGIN * 2 + columns.length * (COLUMN_WIDTH + COLUMN_GAP) - COLUMN_GAP, 400);
  return { width, height: height + MARGIN, hostBoxes, groupBoxes, deviceBoxes };
}

function edgePath(a: Box, b: Box): string {
  const ay = a.y + a.h / 2;
  const by = b.y + b.h / 2;
  if (Math.abs(a.x - b.x) < 1) {
    // Same column: bow out to the right so the line does not run through the boxes between.
    const x = a.x + a.w;
    const bow = 30 + Math.min(Math.abs(by - ay) / 6, 40);
    return `M${x} ${ay} C${x + bow} ${ay} ${x + bow} ${by} ${x} ${by}`;
  }
  const [left, right, ly, ry] = a.x < b.x ? [a, b, ay, by] : [b, a, by, ay];
  return `M${left.x + left.w} ${ly} L${right.x} ${ry}`;
}

function faultMarker(box: Box): string {
  const cx = box.x + box.w - 2;
  const cy = box.y + 2;
  return `<g class="fault-marker"><circle cx="${cx}" cy="${cy}" r="8" fill="${FAULT}"/><text x="${cx}" y="${cy + 4}" text-anchor="middle" font-size="11" font-weight="bold" fill="#fff">!</text></g>`;
}

function renderEdge(edge: TopoEdge, boxes: Map<string, Box>, faulty: Set<string>): string {
  const a = boxes.get(edge.source);
  const b = boxes.get(edge.target);
  if (!a || !b) return '';
  const bad = faulty.has(edge.id);
  const colour = bad ? FAULT : (EDGE_COLOURS[edge.kind] ?? '#64748b');
  const marker = edge.directed ? ` marker-end="url(#${bad ? 'arrow-fault' : 'arrow'})"` : '';
  const label = edge.label ?? edge.kind;
  return `<path class="edge ${esc(edge.kind)}${bad ? ' fault' : ''}" data-id="${esc(edge.id)}" d="${edgePath(a, b)}" fill="none" stroke="${colour}" stroke-width="${bad ? 3 : 1.5}"${marker}><title>${esc(label)}</title></path>`;
}

function renderDevice(node: TopoNode, box: Box, faulty: Set<string>, focus: string | undefined): string {
  const bad = faulty.has(node.id);
  const stroke = bad ? FAULT : node.id === focus ? '#2563eb' : '#94a3b8';
  const width = bad || node.id === focus ? 2.5 : 1;
  const parts = [
    `<g class="device ${esc(node.kind)}${bad ? ' fault' : ''}" data-id="${esc(node.id)}">`,
    `<title>${esc(node.id)}</title>`,
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="4" fill="${DEVICE_FILL[node.kind] ?? '#f8fafc'}" stroke="${stroke}" stroke-width="${width}"/>`,
    `<text x="${box.x + 8}" y="${box.y + 16}" font-size="12" fill="${bad ? FAULT : '#0f172a'}">${esc(truncate(node.label))}</text>`,
    bad ? faultMarker(box) : '',
    '</g>',
  ];
  return parts.join('');
}

export function renderTopologySvg(topology: Topology, findings: Finding[], options: SvgOptions = {}): string {
  const faulty = new Set(findings.flatMap((f) => f.elements));
  const nodes = selectNodes(topology, options);
  const columns = buildColumns(nodes, topology);
  const l = layout(columns);
  const drawn = new Set(nodes.map((n) => n.id));
  const edges = topology.edges.filter((e) => drawn.has(e.source) && drawn.has(e.target));
  const hostNode = (host: string) => topology.nodes.find((n) => n.kind === 'host' && n.host === host);
  const pathPart = options.path === undefined ? undefined : renderPathSvg(options.path, MARGIN, TOP - 16, PATH_WIDTH);
  const shift = pathPart === undefined ? 0 : pathPart.height + 8;
  const width = Math.max(l.width, pathPart === undefined ? 0 : pathPart.width + MARGIN * 2);
  const height = l.height + shift;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, monospace">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#475569"/></marker><marker id="arrow-fault" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${FAULT}"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${MARGIN}" y="30" font-size="16" font-weight="bold" fill="#0f172a">${esc(options.title ?? 'Tunnelscope topology')}</text>`,
  ];
  if (pathPart !== undefined) out.push(pathPart.svg, `<g class="graph" transform="translate(0 ${shift})">`);
  if (columns.length === 0) out.push(`<text x="${MARGIN}" y="${TOP + 20}" font-size="13" fill="#475569">Nothing to draw for this view.</text>`);
  for (const { column, box } of l.hostBoxes) {
    const id = column.host === SEGMENT_COLUMN ? 'segments' : (hostNode(column.host)?.id ?? `host:${column.host}`);
    const bad = faulty.has(id);
    out.push(
      `<g class="host${bad ? ' fault' : ''}" data-id="${esc(id)}"><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="8" fill="#f1f5f9" stroke="${bad ? FAULT : '#334155'}" stroke-width="${bad ? 2.5 : 1.5}"/>`,
      `<text x="${box.x + 10}" y="${box.y + 20}" font-size="13" font-weight="bold" fill="${bad ? FAULT : '#0f172a'}">${esc(truncate(column.label))}</text>${bad ? faultMarker(box) : ''}</g>`,
    );
  }
  for (const { group, box } of l.groupBoxes) {
    const bad = faulty.has(group.id);
    out.push(
      `<g class="group${bad ? ' fault' : ''}" data-id="${esc(group.id)}"><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="6" fill="#fff" stroke="${bad ? FAULT : '#cbd5e1'}" stroke-width="${bad ? 2 : 1}"/>`,
      `<text x="${box.x + 8}" y="${box.y + 17}" font-size="11" fill="#475569">${esc(truncate(group.label))}</text>${bad ? faultMarker(box) : ''}</g>`,
    );
  }
  const anchors = new Map(l.deviceBoxes);
  for (const { group, box } of l.groupBoxes) anchors.set(group.id, box);
  for (const { column, box } of l.hostBoxes) anchors.set(hostNode(column.host)?.id ?? `host:${column.host}`, box);
  for (const edge of edges) out.push(renderEdge(edge, anchors, faulty));
  for (const column of columns) {
    for (const group of column.groups) {
      for (const device of group.devices) {
        const box = l.deviceBoxes.get(device.id);
        if (box) out.push(renderDevice(device, box, faulty, options.focus));
      }
    }
  }
  if (pathPart !== undefined) out.push('</g>');
  out.push('</svg>');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.filter(Boolean).join('\n')}\n`;
}
