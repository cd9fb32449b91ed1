/** Small pure lookups over a built topology, shared by the diagnosis rules, the path trace and the UI. */
import type { NamespaceState } from '@/lib/parse/types';
import { ifaceId } from './ids';
import { findNamespace } from './inventory';
import { sameIp } from './ip';
import type { EdgeKind, Topology, TopoEdge, TopoNode } from './types';

export { hostAddresses } from './inventory';
export { ipInCidr, ipFamily, sameIp, prefixLength, networkOf } from './ip';
export { lookupRoute, lookupNeighbor } from './routing';

interface TopologyIndex {
  nodes: Map<string, TopoNode>;
  edges: Map<string, TopoEdge[]>;
}

/** Built once per topology object; topologies are immutable once built. */
const indexes = new WeakMap<Topology, TopologyIndex>();

function indexOf(t: Topology): TopologyIndex {
  const cached = indexes.get(t);
  if (cached !== undefined) return cached;
  const nodes = new Map(t.nodes.map((n) => [n.id, n]));
  const edges = new Map<string, TopoEdge[]>();
  for (const e of t.edges) {
    for (const end of e.source === e.target ? [e.source] : [e.source, e.target]) edges.set(end, [...(edges.get(end) ?? []), e]);
  }
  const index = { nodes, edges };
  indexes.set(t, index);
  return index;
}

export function nodeById(t: Topology, id: string): TopoNode | undefined {
  return indexOf(t).nodes.get(id);
}

export function edgeById(t: Topology, id: string): TopoEdge | undefined {
  return t.edges.find((e) => e.id === id);
}

/** Edges touching `id` (either end), optionally of one kind. */
export function edgesOf(t: Topology, id: string, kind?: EdgeKind): TopoEdge[] {
  const all = indexOf(t).edges.get(id) ?? [];
  return kind === undefined ? all : all.filter((e) => e.kind === kind);
}

/** The far end of an edge, seen from `id`. */
export function otherEnd(edge: TopoEdge, id: string): string {
  return edge.source === id ? edge.target : edge.source;
}

export function findInterface(t: Topology, host: string, netns: string | null, name: string): TopoNode | undefined {
  return nodeById(t, ifaceId(host, netns, name));
}

/** Interface nodes that carry `ip` as an address, in any host and namespace. */
export function interfacesOwningIp(t: Topology, ip: string): TopoNode[] {
  return t.nodes.filter((n) => n.kind === 'interface' && (n.iface?.addresses.some((a) => sameIp(a.local, ip)) ?? false));
}

/** The parsed namespace state behind an interface or netns node (routes, neighbours, tc filters). */
export function namespaceOf(t: Topology, host: string, netns: string | null): NamespaceState | undefined {
  const h = t.hosts.find((x) => x.name === host);
  return h === undefined ? undefined : findNamespace(h, netns);
}

export function interfacesIn(t: Topology, host: string, netns: string | null): TopoNode[] {
  return t.nodes.filter((n) => n.kind === 'interface' && n.host === host && (n.netns ?? null) === netns);
}
