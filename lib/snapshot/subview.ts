/**
 * What each view level of the dashboard reads, cut from a snapshot view so that a big snapshot never ships
 * whole to the browser (DESIGN.md "Scale and rendering"):
 *
 * - the overview: host nodes, shared underlay segments, tunnels and underlay merged per host pair (or per host
 *   and segment), fault counts per host, and the findings without their evidence;
 * - one host: its devices, the far ends of its edges and their hosts (or segments), and exactly the host state that the
 *   graph builder and the inspector read, so that both give the same answer as on the whole snapshot.
 *
 * Pure functions over plain data: the store keeps the overview of every snapshot, the API cuts hosts on demand,
 * and a live view (which has the whole snapshot in the browser) cuts its own overview.
 */
import type { CaptureBundle } from '@/lib/capture/types';
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { Address, HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { clearedNamespace } from '@/lib/parse/merge';
import type { EdgeKind, TopoEdge, TopoNode, Topology } from '@/lib/topology/types';
import { hostId } from '@/lib/topology/ids';
import type { SnapshotMeta, SnapshotView } from './types';
import { pathForSubject, type PathView } from './path';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The worse of two severities (critical is worst). */
export function worseSeverity(a: Severity | undefined, b: Severity): Severity {
  if (a === undefined) return b;
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

/** Worst severity per element id named by any finding. */
export function faultIndex(findings: Finding[]): Map<string, Severity> {
  const index = new Map<string, Severity>();
  for (const finding of findings) {
    for (const id of finding.elements) index.set(id, worseSeverity(index.get(id), finding.severity));
  }
  return index;
}

/** What the inspector says about a host, without the host's full parsed state. */
export interface HostBrief {
  name: string;
  role: HostState['role'];
  status: HostState['status'];
  error?: string;
  namespaces: number;
  interfaces: number;
  bridges: string[];
  missingTools: string[];
  problems: number;
  peerpodConfig?: Record<string, unknown>;
}

export function hostBrief(host: HostState): HostBrief {
  const brief: HostBrief = {
    name: host.name,
    role: host.role,
    status: host.status,
    namespaces: host.namespaces.length,
    interfaces: host.namespaces.reduce((n, ns) => n + ns.interfaces.length, 0),
    bridges: host.ovs?.bridges.map((b) => b.name) ?? [],
    missingTools: host.missingTools,
    problems: host.problems.length,
  };
  if (host.error !== undefined) brief.error = host.error;
  if (host.peerpodConfig !== undefined) brief.peerpodConfig = host.peerpodConfig;
  return brief;
}

/** A finding as the findings list shows it: the evidence, explanation and fix come with the host it opens. */
export interface FindingSummary {
  rule: string;
  severity: Severity;
  title: string;
  elements: string[];
  /** The element a click selects: the first device (node) the finding names, else its first element. */
  first?: string;
  /** The host of `first`: the one to open to show the finding. */
  host?: string;
}

/** Tunnels or underlay links between two hosts, merged into one overview edge, or a host's link to a segment. */
export interface HostLink {
  id: string;
  kind: Extract<EdgeKind, 'tunnel' | 'underlay'>;
  /** Host node ids, in name order; for a host's link to a segment, the host then the segment node id. */
  source: string;
  target: string;
  count: number;
  vnis: number[];
  /** Of a link to a segment: the host's address in the segment's subnet. */
  label?: string;
  severity?: Severity;
}

/** Findings that touch a host and the worst severity among its elements. */
export interface HostFaults {
  count: number;
  severity?: Severity;
}

export interface SnapshotSize {
  hosts: number;
  nodes: number;
  edges: number;
}

/** The host-level graph of a snapshot: enough to draw the overview and inspect its hosts. */
export interface HostGraph {
  /** Host nodes in topology order. */
  hosts: TopoNode[];
  /** Underlay segments shared by more than two hosts (absent from overviews stored before segments existed). */
  segments?: TopoNode[];
  briefs: HostBrief[];
  /** By host name; hosts without findings are left out. */
  faults: Record<string, HostFaults>;
  links: HostLink[];
}

export interface SnapshotOverview extends HostGraph {
  meta: SnapshotMeta;
  rulesVersion?: string;
  rediagnosed?: boolean;
  /** Of the whole device graph, to choose between the overview and drawing every device. */
  size: SnapshotSize;
  findings: FindingSummary[];
  /**
   * The path of the most severe finding that has one (null: none has), which an incident page opens on: kept
   * here so that it is read without the topology. Absent from overviews stored before it was kept.
   */
  path?: PathView | null;
}

/** The part of an overview that depends only on topology and findings (what the store keeps). */
export type StoredOverview = Omit<SnapshotOverview, 'meta' | 'rulesVersion' | 'rediagnosed'>;

/** Everything a snapshot holds besides its id and time (lib/snapshot/derive.ts makes it, the store packs it). */
export interface DerivedSnapshot {
  meta: Omit<SnapshotMeta, 'id' | 'createdAt'>;
  bundle: CaptureBundle;
  topology: Topology;
  findings: Finding[];
  overview: StoredOverview;
}

export interface HostSubview {
  meta: SnapshotMeta;
  rulesVersion?: string;
  rediagnosed?: boolean;
  host: string;
  /**
   * The host's nodes, every edge touching it with its far end, the far hosts with their faulty devices, and
   * host states: this host's whole, other hosts' cut to the routes and neighbours that point at it.
   */
  topology: Topology;
  /** Of every host node in `topology`. */
  briefs: HostBrief[];
  /** Whole findings (with evidence) naming any element of `topology`. */
  findings: Finding[];
}

export function topologySize(topology: Topology): SnapshotSize {
  return {
    hosts: topology.nodes.reduce((n, node) => n + (node.kind === 'host' ? 1 : 0), 0),
    nodes: topology.nodes.length,
    edges: topology.edges.length,
  };
}

/** Host names an element belongs to: a node's host, or both ends' hosts for an edge (a segment has none). */
export function elementHosts(topology: Topology): (id: string) => string[] {
  const hostOf = new Map(topology.nodes.filter((n) => n.host !== '').map((n) => [n.id, n.host]));
  const edgeHosts = new Map(topology.edges.map((e) => [e.id, [hostOf.get(e.source), hostOf.get(e.target)].filter((h): h is string => h !== undefined)]));
  return (id) => {
    const ends = edgeHosts.get(id);
    if (ends) return ends;
    const host = hostOf.get(id);
    return host === undefined ? [] : [host];
  };
}

function hostFaults(topology: Topology, findings: Finding[]): Record<string, HostFaults> {
  const hostsOf = elementHosts(topology);
  const faults: Record<string, HostFaults> = {};
  const entry = (host: string) => (faults[host] ??= { count: 0 });
  for (const finding of findings) {
    const touched = new Set(finding.elements.flatMap(hostsOf));
    for (const host of touched) entry(host).count += 1;
  }
  for (const [id, severity] of faultIndex(findings)) {
    for (const host of hostsOf(id)) entry(host).severity = worseSeverity(entry(host).severity, severity);
  }
  return faults;
}

/** A host's underlay link to a segment, kept as it is: one per host and segment already. */
function segmentLink(edge: TopoEdge, byId: Map<string, TopoNode>, severity: Severity | undefined): HostLink | undefined {
  const ends = [byId.get(edge.source), byId.get(edge.target)];
  const segment = ends.find((n) => n?.kind === 'segment');
  const host = ends.find((n) => n?.kind === 'host');
  if (segment === undefined || host === undefined) return undefined;
  const link: HostLink = { id: `underlays:${host.id}|${segment.id}`, kind: 'underlay', source: host.id, target: segment.id, count: 1, vnis: [] };
  if (edge.label !== undefined) link.label = edge.label;
  if (severity) link.severity = severity;
  return link;
}

function hostLinks(topology: Topology, faults: Map<string, Severity>): HostLink[] {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const hostOf = new Map(topology.nodes.map((n) => [n.id, n.host]));
  const merged = new Map<string, HostLink>();
  for (const edge of topology.edges) {
    if (edge.kind !== 'tunnel' && edge.kind !== 'underlay') continue;
    const toSegment = edge.kind === 'underlay' ? segmentLink(edge, byId, faults.get(edge.id)) : undefined;
    if (toSegment !== undefined) {
      merged.set(toSegment.id, toSegment);
      continue;
    }
    const a = hostOf.get(edge.source);
    const b = hostOf.get(edge.target);
    if (!a || !b || a === b) continue;
    const [x, y] = a <= b ? [a, b] : [b, a];
    const id = `${edge.kind}s:${hostId(x)}|${hostId(y)}`;
    const link = merged.get(id) ?? { id, kind: edge.kind, source: hostId(x), target: hostId(y), count: 0, vnis: [] };
    link.count += 1;
    if (edge.vni !== undefined && !link.vnis.includes(edge.vni)) link.vnis.push(edge.vni);
    const severity = faults.get(edge.id);
    if (severity) link.severity = worseSeverity(link.severity, severity);
    merged.set(id, link);
  }
  for (const link of merged.values()) link.vnis.sort((p, q) => p - q);
  return [...merged.values()];
}

export function hostGraph(topology: Topology, findings: Finding[]): HostGraph {
  return {
    hosts: topology.nodes.filter((n) => n.kind === 'host'),
    segments: topology.nodes.filter((n) => n.kind === 'segment'),
    briefs: topology.hosts.map(hostBrief),
    faults: hostFaults(topology, findings),
    links: hostLinks(topology, faultIndex(findings)),
  };
}

export function summarizeFindings(topology: Topology, findings: Finding[]): FindingSummary[] {
  const hostsOf = elementHosts(topology);
  const nodeIds = new Set(topology.nodes.map((n) => n.id));
  return findings.map((f) => {
    const summary: FindingSummary = { rule: f.rule, severity: f.severity, title: f.title, elements: f.elements };
    const first = f.elements.find((id) => nodeIds.has(id)) ?? f.elements[0];
    if (first === undefined) return summary;
    summary.first = first;
    const host = hostsOf(first)[0];
    if (host !== undefined) summary.host = host;
    return summary;
  });
}

export function storedOverview(topology: Topology, findings: Finding[]): StoredOverview {
  return { ...hostGraph(topology, findings), size: topologySize(topology), findings: summarizeFindings(topology, findings), path: pathForSubject(topology, findings, undefined) ?? null };
}

export function overviewOf(view: SnapshotView): SnapshotOverview {
  return { meta: view.meta, rulesVersion: view.rulesVersion, rediagnosed: view.rediagnosed, ...storedOverview(view.topology, view.findings) };
}

function ancestorsOf(ids: Iterable<string>, byId: Map<string, TopoNode>): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    let node = byId.get(id);
    while (node && !out.has(node.id)) {
      out.add(node.id);
      node = node.parent ? byId.get(node.parent) : undefined;
    }
  }
  return out;
}

/**
 * Other hosts' namespaces cut to the routes via, and neighbours of, this host's addresses and MACs: the rows
 * the inspector lists as pointing at a device from elsewhere in the snapshot.
 */
function pointersInto(other: HostState, addresses: Set<string>, macs: Set<string>): HostState | null {
  const namespaces: NamespaceState[] = [];
  for (const ns of other.namespaces) {
    const routes = ns.routes.filter((r) => r.gateway !== undefined && addresses.has(r.gateway));
    const neighbors = ns.neighbors.filter((n) => addresses.has(n.dst) || (n.lladdr !== undefined && macs.has(n.lladdr.toLowerCase())));
    if (routes.length === 0 && neighbors.length === 0) continue;
    namespaces.push({ ...clearedNamespace(ns), routes, neighbors });
  }
  if (namespaces.length === 0) return null;
  return { ...other, namespaces, ovs: undefined, ovnLogicalPorts: undefined, problems: [] };
}

/**
 * What the drill-down into `host` needs to be drawn as on the whole snapshot: the host's nodes, its edges with
 * their far ends, the far hosts, and the faulty elements of the far hosts (with the ancestors of all of them).
 */
function hostElementIds(topology: Topology, findings: Finding[], host: string): { nodes: Set<string>; edges: Set<string> } {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const farHosts = new Set<string>();
  const onHost = (id: string) => byId.get(id)?.host === host;
  const onFarHost = (id: string) => {
    const node = byId.get(id);
    return node !== undefined && farHosts.has(node.host);
  };
  const nodes = new Set(topology.nodes.filter((n) => n.host === host).map((n) => n.id));
  const edges = new Set<string>();
  for (const edge of topology.edges) {
    if (!onHost(edge.source) && !onHost(edge.target)) continue;
    edges.add(edge.id);
    for (const end of [edge.source, edge.target]) {
      const node = byId.get(end);
      if (node && node.host !== host) {
        nodes.add(end);
        // A segment stands alone: the other hosts on it are not far ends of this host.
        if (node.kind !== 'segment') farHosts.add(node.host);
      }
    }
  }
  // A far host is drawn with the worst fault of its hidden devices, and "only faulty" keeps it by them.
  const edgeById = new Map(topology.edges.map((e) => [e.id, e]));
  for (const id of faultIndex(findings).keys()) {
    const edge = edgeById.get(id);
    const ends = edge ? [edge.source, edge.target] : [id];
    if (!ends.some(onFarHost)) continue;
    if (edge) edges.add(edge.id);
    for (const end of ends) if (byId.has(end)) nodes.add(end);
  }
  for (const name of farHosts) nodes.add(hostId(name));
  for (const id of ancestorsOf([...nodes], byId)) nodes.add(id);
  return { nodes, edges };
}

/**
 * An address that names one device beyond its own link. Host- and link-scope addresses (127.0.0.1, fe80::…)
 * repeat on every host by design, so the same one elsewhere says nothing about a device.
 */
export function beyondLink(address: Address): boolean {
  return address.scope !== 'host' && address.scope !== 'link';
}

/** Nodes elsewhere holding one of this host's addresses: the inspector's "same address elsewhere". */
function sameAddressNodes(topology: Topology, host: string, ifaces: Interface[]): TopoNode[] {
  const addresses = new Set(ifaces.flatMap((i) => i.addresses.filter(beyondLink).map((a) => a.local)));
  return topology.nodes.filter((n) => n.host !== host && n.iface?.addresses.some((a) => addresses.has(a.local)));
}

/** What the inspector reads of a device elsewhere: its place, name, addresses and MAC, not its raw output. */
function slim(node: TopoNode): TopoNode {
  return node.iface ? { ...node, iface: { ...node.iface, stats: undefined, source: undefined } } : node;
}

export function hostSubview(view: SnapshotView, host: string): HostSubview | null {
  const { topology, findings } = view;
  if (!topology.nodes.some((n) => n.kind === 'host' && n.host === host)) return null;
  const ifaces = topology.nodes.filter((n) => n.host === host && n.iface).map((n) => n.iface!);
  const addresses = new Set(ifaces.flatMap((i) => i.addresses.map((a) => a.local)));
  const macs = new Set(ifaces.flatMap((i) => (i.mac ? [i.mac.toLowerCase()] : [])));
  const drawn = hostElementIds(topology, findings, host);
  // Read by the inspector only: they bring no findings along, and draw nothing in the drill-down.
  const elsewhere = new Set(sameAddressNodes(topology, host, ifaces).filter((n) => !drawn.nodes.has(n.id)));
  const nodes = topology.nodes.filter((n) => drawn.nodes.has(n.id) || elsewhere.has(n)).map((n) => (elsewhere.has(n) ? slim(n) : n));
  const edges = topology.edges.filter((e) => drawn.edges.has(e.id));
  const hosts = topology.hosts.map((h) => (h.name === host ? h : pointersInto(h, addresses, macs))).filter((h): h is HostState => h !== null);
  const drawnHosts = new Set(nodes.filter((n) => n.kind === 'host').map((n) => n.host));
  return {
    meta: view.meta,
    rulesVersion: view.rulesVersion,
    rediagnosed: view.rediagnosed,
    host,
    topology: { hosts, nodes, edges },
    briefs: topology.hosts.filter((h) => drawnHosts.has(h.name)).map(hostBrief),
    findings: findings.filter((f) => f.elements.some((id) => drawn.nodes.has(id) || drawn.edges.has(id))),
  };
}
