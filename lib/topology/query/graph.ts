/** Small pure lookups over a built topology, shared by the diagnosis rules, the path trace and the UI. */
import type { NamespaceState } from '@/lib/parse/types';
import { ifaceId } from '../ids';
import { findNamespace } from '../inventory';
import { parseIp } from '../ip';
import { memoize } from '../memoize';
import type { EdgeKind, Topology, TopoEdge, TopoNode } from '../types';

interface TopologyIndex {
  nodes: Map<string, TopoNode>;
  /** Edges touching each node id, in edge order. */
  edges: Map<string, TopoEdge[]>;
  edgesById: Map<string, TopoEdge>;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** `sameIp` as a map key: family and numeric value. */
function ipKey(ip: string): string | undefined {
  const parsed = parseIp(ip);
  return parsed === null ? undefined : `${parsed.family}:${parsed.value}`;
}

/** Interface nodes by every address they carry, keyed by the parsed address so that spellings compare equal. */
const interfacesByIp = memoize((t: Topology): Map<string, TopoNode[]> => {
  const out = new Map<string, TopoNode[]>();
  for (const n of t.nodes) {
    if (n.kind !== 'interface' || n.iface === undefined) continue;
    const keys = new Set(n.iface.addresses.map((a) => ipKey(a.local)));
    for (const key of keys) if (key !== undefined) push(out, key, n);
  }
  return out;
});

/** Built once per topology object; topologies are immutable once built. */
const indexOf = memoize((t: Topology): TopologyIndex => {
  const nodes = new Map(t.nodes.map((n) => [n.id, n]));
  const edges = new Map<string, TopoEdge[]>();
  const edgesById = new Map<string, TopoEdge>();
  for (const e of t.edges) {
    if (!edgesById.has(e.id)) edgesById.set(e.id, e);
    for (const end of e.source === e.target ? [e.source] : [e.source, e.target]) push(edges, end, e);
  }
  return { nodes, edges, edgesById };
});

export function nodeById(t: Topology, id: string): TopoNode | undefined {
  return indexOf(t).nodes.get(id);
}

export function edgeById(t: Topology, id: string): TopoEdge | undefined {
  return indexOf(t).edgesById.get(id);
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
  const key = ipKey(ip);
  return key === undefined ? [] : [...(interfacesByIp(t).get(key) ?? [])];
}

/** The parsed namespace state behind an interface or netns node (routes, neighbours, tc filters). */
export function namespaceOf(t: Topology, host: string, netns: string | null): NamespaceState | undefined {
  const h = t.hosts.find((x) => x.name === host);
  return h === undefined ? undefined : findNamespace(h, netns);
}

export function interfacesIn(t: Topology, host: string, netns: string | null): TopoNode[] {
  return t.nodes.filter((n) => n.kind === 'interface' && n.host === host && (n.netns ?? null) === netns);
}
