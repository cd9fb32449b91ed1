/**
 * Topology → renderer-neutral element data (`{ group, data, classes }`), one level of detail at a time.
 * The stylesheet (style.ts) keys on `data.device`, `data.kind`, `data.severity` and the classes set here.
 */
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { EdgeKind, NodeKind, TopoEdge, TopoNode, Topology } from '@/lib/topology/types';
import { hostId } from '@/lib/topology/ids';
import { deviceClass, isDown, isLoopback } from './device-class';
import { datapathLayer, type GraphLevel } from './layout';
import { faultIndex, worseSeverity, type HostGraph, type HostLink, type SnapshotSize } from '@/lib/snapshot/subview';
import type { DeviceClass } from './palette';

export interface GraphNodeData {
  id: string;
  label: string;
  kind: NodeKind;
  device: DeviceClass;
  host: string;
  parent?: string;
  /** Worst finding severity on the element itself. */
  severity?: Severity;
  /** Findings touching this host (overview) or hidden children (collapsed namespace). */
  faults?: number;
  /** Icon glyph drawn with the label so that a fault never relies on colour alone. */
  badge?: string;
  /** Column of the device in its host's datapath (layout.ts datapathLayer). */
  layer?: number;
}

export interface GraphEdgeData {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;
  severity?: Severity;
  /** Tunnels merged into one overview edge. */
  count?: number;
}

export type GraphElement = { group: 'nodes'; data: GraphNodeData; classes: string[] } | { group: 'edges'; data: GraphEdgeData; classes: string[] };

export interface TraceMarks {
  /** Element ids on the traced path, in order. */
  ids: string[];
  /** The hop where the path breaks, if any. */
  breakAt?: string;
  /** Hosts the path crosses, marked on the overview. */
  hosts?: string[];
}

/** What a view may leave out or mark (the `f=` of a link, lib/view/view-state.ts). */
export type FilterFlag = 'lo' | 'down' | 'collapse' | 'faulty' | 'trace';
export const FILTER_FLAGS: FilterFlag[] = ['lo', 'down', 'collapse', 'faulty', 'trace'];

export interface BuildOptions {
  filters?: FilterFlag[];
  /** Drill-down: only this host's devices, remote ends shown as their hosts. */
  host?: string;
  trace?: TraceMarks;
}

export const FAULT_BADGE = '⚠';

function badgeLabel(label: string, severity: Severity | undefined): string {
  return severity ? `${FAULT_BADGE} ${label}` : label;
}

function stateClasses(id: string, severity: Severity | undefined, trace: TraceMarks | undefined): string[] {
  const classes: string[] = [];
  if (severity) classes.push('fault', `fault-${severity}`);
  if (trace?.ids.includes(id)) classes.push('trace');
  if (trace?.breakAt === id) classes.push('trace-break');
  return classes;
}

function ancestors(node: TopoNode, byId: Map<string, TopoNode>): string[] {
  const out: string[] = [];
  let parent = node.parent ? byId.get(node.parent) : undefined;
  while (parent) {
    out.push(parent.id);
    parent = parent.parent ? byId.get(parent.parent) : undefined;
  }
  return out;
}

/** Pods carry no parent in the topology; on the graph they sit inside their host. */
function parentOf(node: TopoNode, byId: Map<string, TopoNode>): string | undefined {
  if (node.parent) return node.parent;
  if (node.kind === 'pod' && byId.has(hostId(node.host))) return hostId(node.host);
  return undefined;
}

/**
 * Maps every node id to the id it is drawn as: itself, its collapsed namespace, its host (outside a
 * drill-down), or nothing when a filter hides it.
 */
function visibility(topology: Topology, faults: Map<string, Severity>, options: BuildOptions): Map<string, string> {
  const filters = new Set(options.filters ?? []);
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const keepOnly = new Set<string>();
  const restrict = filters.has('faulty') || (filters.has('trace') && options.trace !== undefined);
  if (restrict) {
    const seeds = [...(filters.has('faulty') ? [...faults.keys()] : []), ...(filters.has('trace') && options.trace ? options.trace.ids : [])];
    const edges = new Map(topology.edges.map((e) => [e.id, e]));
    for (const seed of seeds) {
      const edge = edges.get(seed);
      for (const id of edge ? [edge.source, edge.target] : [seed]) {
        const node = byId.get(id);
        if (!node) continue;
        keepOnly.add(id);
        for (const a of ancestors(node, byId)) keepOnly.add(a);
      }
    }
  }
  const shownAs = new Map<string, string>();
  for (const node of topology.nodes) {
    if (filters.has('lo') && isLoopback(node)) continue;
    if (filters.has('down') && isDown(node)) continue;
    if (restrict && !keepOnly.has(node.id)) continue;
    // A segment belongs to no host: a drill-down shows it beside the host, linked by the host's own edge.
    if (options.host !== undefined && node.kind !== 'segment' && node.host !== options.host) {
      if (byId.has(hostId(node.host))) shownAs.set(node.id, hostId(node.host));
      continue;
    }
    const collapsedNs = filters.has('collapse') && node.kind === 'interface' && node.parent && byId.get(node.parent)?.kind === 'netns';
    shownAs.set(node.id, collapsedNs && node.parent ? node.parent : node.id);
  }
  return shownAs;
}

function nodeElement(node: TopoNode, byId: Map<string, TopoNode>, severity: Severity | undefined, options: BuildOptions): GraphElement {
  const remote = options.host !== undefined && node.kind !== 'segment' && node.host !== options.host;
  const classes = stateClasses(node.id, severity, options.trace);
  if (remote) classes.push('remote');
  if (node.kind === 'segment') classes.push('segment');
  const data: GraphNodeData = {
    id: node.id,
    label: badgeLabel(node.label, severity),
    kind: node.kind,
    device: deviceClass(node),
    host: node.host,
    parent: remote ? undefined : parentOf(node, byId),
    layer: datapathLayer(deviceClass(node), node.kind !== 'netns' && node.netns !== null && node.netns !== undefined),
  };
  if (severity) {
    data.severity = severity;
    data.badge = FAULT_BADGE;
  }
  return { group: 'nodes', data, classes };
}

/** The device graph: hosts ⊃ namespaces ⊃ devices, OVS bridges, pods, and every edge kind. */
export function buildDeviceElements(topology: Topology, findings: Finding[], options: BuildOptions = {}): GraphElement[] {
  const faults = faultIndex(findings);
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const shownAs = visibility(topology, faults, options);
  const drawn = new Set(shownAs.values());
  const hiddenFaults = new Map<string, Severity>();
  for (const [id, as] of shownAs) {
    const severity = faults.get(id);
    if (as !== id && severity) hiddenFaults.set(as, worseSeverity(hiddenFaults.get(as), severity));
  }
  const edges: GraphElement[] = [];
  const seen = new Set<string>();
  const linked = new Set<string>();
  for (const edge of topology.edges) {
    const source = shownAs.get(edge.source);
    const target = shownAs.get(edge.target);
    if (!source || !target || source === target) continue;
    if (options.host !== undefined && !touchesHost(edge, byId, options.host)) continue;
    const key = `${edge.kind}:${source}|${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    linked.add(source).add(target);
    edges.push(edgeElement(edge, source, target, faults.get(edge.id), options.trace));
  }
  const nodes: GraphElement[] = [];
  for (const node of topology.nodes) {
    if (!drawn.has(node.id)) continue;
    if (options.host !== undefined && node.host !== options.host && !linked.has(node.id)) continue;
    const own = faults.get(node.id);
    const hidden = hiddenFaults.get(node.id);
    const element = nodeElement(node, byId, own ?? hidden, options);
    if (!own && hidden) element.classes.push('contains-fault');
    nodes.push(element);
  }
  return [...nodes, ...edges];
}

function touchesHost(edge: TopoEdge, byId: Map<string, TopoNode>, host: string): boolean {
  return byId.get(edge.source)?.host === host || byId.get(edge.target)?.host === host;
}

function edgeElement(edge: TopoEdge, source: string, target: string, severity: Severity | undefined, trace?: TraceMarks): GraphElement {
  const data: GraphEdgeData = { id: edge.id, source, target, kind: edge.kind };
  if (edge.label) data.label = badgeLabel(edge.label, severity);
  else if (severity) data.label = FAULT_BADGE;
  if (severity) data.severity = severity;
  const classes = stateClasses(edge.id, severity, trace);
  if (edge.directed) classes.push('directed');
  return { group: 'edges', data, classes };
}

/** A segment on the overview: faults are counted per host, so a faulty underlay link colours its edge. */
function segmentElement(node: TopoNode, trace?: TraceMarks): GraphElement {
  const data: GraphNodeData = { id: node.id, label: node.label, kind: 'segment', device: deviceClass(node), host: node.host };
  return { group: 'nodes', data, classes: [...stateClasses(node.id, undefined, trace), 'overview', 'segment'] };
}

/**
 * Overview of a big cluster: one node per host with its fault count, tunnels merged per host pair, and each
 * subnet shared by more than two hosts as one segment node linked to each of them.
 */
export function buildOverviewElements(graph: HostGraph, trace?: TraceMarks): GraphElement[] {
  const out: GraphElement[] = [];
  const traced = new Set(trace?.hosts ?? []);
  for (const node of graph.hosts) {
    const { count, severity } = graph.faults[node.host] ?? { count: 0 };
    const data: GraphNodeData = {
      id: node.id,
      label: count > 0 ? `${FAULT_BADGE} ${node.label} (${count})` : node.label,
      kind: 'host',
      device: deviceClass(node),
      host: node.host,
      faults: count,
    };
    if (severity) {
      data.severity = severity;
      data.badge = FAULT_BADGE;
    }
    out.push({ group: 'nodes', data, classes: [...stateClasses(node.id, severity, undefined), 'overview', ...(traced.has(node.host) ? ['trace'] : [])] });
  }
  for (const node of graph.segments ?? []) out.push(segmentElement(node, trace));
  out.push(...graph.links.map(linkElement));
  return out;
}

function linkElement(link: HostLink): GraphElement {
  const what = link.kind === 'tunnel' ? `${link.count} tunnel${link.count === 1 ? '' : 's'}` : (link.label ?? 'underlay');
  const vniText = link.vnis.length > 0 ? ` · VNI ${link.vnis.slice(0, 3).join(',')}${link.vnis.length > 3 ? '…' : ''}` : '';
  const data: GraphEdgeData = {
    id: link.id,
    source: link.source,
    target: link.target,
    kind: link.kind,
    count: link.count,
    label: badgeLabel(`${what}${vniText}`, link.severity),
  };
  if (link.severity) data.severity = link.severity;
  return { group: 'edges', data, classes: link.severity ? ['fault', `fault-${link.severity}`, 'overview'] : ['overview'] };
}

/** Above these, the full device graph is too heavy for the canvas renderer (anchors.md §4). */
export const OVERVIEW_HOST_THRESHOLD = 20;
export const OVERVIEW_ELEMENT_THRESHOLD = 1500;

export function needsOverview(size: SnapshotSize): boolean {
  return size.hosts > OVERVIEW_HOST_THRESHOLD || size.nodes + size.edges > OVERVIEW_ELEMENT_THRESHOLD;
}

export interface LevelRequest {
  level?: 'overview' | 'full';
  host?: string;
}

/** Drill-down into a host of the snapshot wins, then an explicit level, then the size rule. */
export function chooseLevel(size: SnapshotSize, hosts: string[], request: LevelRequest): GraphLevel {
  if (request.host !== undefined && hosts.includes(request.host)) return 'host';
  return request.level ?? (needsOverview(size) ? 'overview' : 'full');
}
