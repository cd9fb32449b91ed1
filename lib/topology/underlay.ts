/**
 * Stage: where tunnels leave their host ('tunnel-underlay': tunnel device → the uplink owning `local`, naming
 * `dev`, or carrying the route to `remote`, looked up in the namespace that created the device), and which hosts
 * share a segment ('underlay': hosts whose uplinks have an IPv4 subnet in common). Two hosts on a subnet get one
 * edge between them; more get one 'segment' node for the subnet and one edge from each host to it, so that a
 * flat subnet of N nodes costs N edges rather than N·(N−1)/2.
 */
import type { ClusterContext } from '@/lib/capture/types';
import type { Address, HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { edgeId, hostId, ifaceId, segmentId } from './ids';
import { creatingNamespace, findIfaceByName, findNamespace, globalAddresses, tunnelParams } from './inventory';
import { ipInCidr, networkOf, sameIp } from './ip';
import { lookupRoute } from './routing';
import { hostPairsSharingASubnet } from './shared-subnets';
import type { StageInput, StageOutput } from './stage';
import type { TopoEdge, TopoNode } from './types';

interface Uplink {
  ns: NamespaceState;
  iface: Interface;
  why: string;
}

function owning(ns: NamespaceState, ip: string): Interface | undefined {
  return ns.interfaces.find((i) => i.addresses.some((a) => sameIp(a.local, ip)));
}

export function tunnelUplink(host: HostState, ns: NamespaceState, iface: Interface): Uplink | undefined {
  const params = tunnelParams(iface);
  if (params === undefined) return undefined;
  const home = creatingNamespace(host, ns, iface);
  const named = params.dev !== undefined && !/^if\d+$/.test(params.dev) ? findIfaceByName(home, params.dev) : undefined;
  if (named !== undefined) return { ns: home, iface: named, why: `dev ${named.name}` };
  if (params.local !== undefined) {
    const local = params.local;
    const holder = [home, ...host.namespaces].find((n) => owning(n, local) !== undefined);
    const dev = holder === undefined ? undefined : owning(holder, local);
    if (holder !== undefined && dev !== undefined) return { ns: holder, iface: dev, why: `local ${local}` };
  }
  const remote = params.remote ?? params.group;
  const route = remote === undefined ? undefined : lookupRoute(home, remote);
  const dev = route?.dev === undefined ? undefined : findIfaceByName(home, route.dev);
  if (remote !== undefined && dev !== undefined) return { ns: home, iface: dev, why: `route to ${remote}` };
  return undefined;
}

function tunnelUnderlayEdges(hosts: readonly HostState[]): TopoEdge[] {
  const edges: TopoEdge[] = [];
  for (const host of hosts) {
    for (const ns of host.namespaces) {
      for (const iface of ns.interfaces) {
        const uplink = tunnelUplink(host, ns, iface);
        if (uplink === undefined) continue;
        const from = ifaceId(host.name, ns.netns, iface.name);
        const to = ifaceId(host.name, uplink.ns.netns, uplink.iface.name);
        edges.push({
          id: edgeId('tunnel-underlay', from, to, true),
          kind: 'tunnel-underlay',
          source: from,
          target: to,
          directed: true,
          label: uplink.why,
          marks: [],
        });
      }
    }
  }
  return edges;
}

/** Uplink addresses: of tunnel underlay devices, the root default-route device, and the node's InternalIPs. */
function uplinkAddresses(host: HostState, tunnelUplinks: readonly Interface[], cluster?: ClusterContext): Address[] {
  const root = findNamespace(host, null);
  const defaults = (root?.routes ?? []).filter((r) => r.dst === 'default' && r.dev !== undefined && (r.table === undefined || r.table === 'main'));
  const devices = new Set<Interface>(tunnelUplinks);
  for (const r of defaults) {
    const dev = root === undefined || r.dev === undefined ? undefined : findIfaceByName(root, r.dev);
    if (dev !== undefined) devices.add(dev);
  }
  const internal = cluster?.nodes.find((n) => n.name === host.name)?.internalIPs ?? [];
  for (const ip of internal)
    for (const ns of host.namespaces) {
      const dev = owning(ns, ip);
      if (dev !== undefined) devices.add(dev);
    }
  return [...devices].flatMap(globalAddresses).filter((a) => a.family === 'inet' && a.prefixlen < 32);
}

interface Shared {
  subnet: string;
  /** The address of each host of the pair in that subnet. */
  a: Address;
  b: Address;
}

function sharedSubnet(a: readonly Address[], b: readonly Address[]): Shared | undefined {
  for (const x of a)
    for (const y of b) {
      if (ipInCidr(x.local, `${y.local}/${y.prefixlen}`) && ipInCidr(y.local, `${x.local}/${x.prefixlen}`)) {
        return { subnet: networkOf(x.local, Math.min(x.prefixlen, y.prefixlen)), a: x, b: y };
      }
    }
  return undefined;
}

/** Tunnel-underlay edges by the host whose id prefixes their target (the uplink), in edge order. */
function edgesByTargetHost(edges: readonly TopoEdge[], hosts: readonly HostState[]): Map<string, TopoEdge[]> {
  const names = new Set(hosts.map((h) => h.name));
  const prefix = hostId('');
  const out = new Map<string, TopoEdge[]>();
  for (const e of edges) {
    if (!e.target.startsWith(prefix)) continue;
    // A host name may itself contain '/': every `host:NAME/` prefix naming a captured host counts.
    for (let at = e.target.indexOf('/', prefix.length); at >= 0; at = e.target.indexOf('/', at + 1)) {
      const name = e.target.slice(prefix.length, at);
      if (!names.has(name)) continue;
      const list = out.get(name);
      if (list === undefined) out.set(name, [e]);
      else list.push(e);
    }
  }
  return out;
}

/** Host name → its uplink address in the subnet, per shared subnet (the first address found wins). */
type Members = Map<string, Map<string, Address>>;

function sharedSubnets(input: StageInput, tunnelEdges: readonly TopoEdge[]): Members {
  const byId = new Map(input.hosts.flatMap((h) => h.namespaces.flatMap((ns) => ns.interfaces.map((i) => [ifaceId(h.name, ns.netns, i.name), i] as const))));
  const byHost = edgesByTargetHost(tunnelEdges, input.hosts);
  const uplinks = input.hosts.map((h) => {
    const fromTunnels = (byHost.get(h.name) ?? []).map((e) => byId.get(e.target)).filter((i): i is Interface => i !== undefined);
    return { host: h.name, addresses: uplinkAddresses(h, fromTunnels, input.cluster) };
  });
  const members: Members = new Map();
  for (const [i, j] of hostPairsSharingASubnet(uplinks.map((u) => u.addresses))) {
    const shared = sharedSubnet(uplinks[i].addresses, uplinks[j].addresses);
    if (shared === undefined) continue;
    const hosts = members.get(shared.subnet) ?? new Map<string, Address>();
    if (!hosts.has(uplinks[i].host)) hosts.set(uplinks[i].host, shared.a);
    if (!hosts.has(uplinks[j].host)) hosts.set(uplinks[j].host, shared.b);
    members.set(shared.subnet, hosts);
  }
  return members;
}

function underlayLinks(input: StageInput, tunnelEdges: readonly TopoEdge[]): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (const [subnet, hosts] of sharedSubnets(input, tunnelEdges)) {
    const names = [...hosts.keys()].sort();
    if (names.length === 2) {
      const [a, b] = names.map(hostId);
      edges.push({ id: edgeId('underlay', a, b), kind: 'underlay', source: a, target: b, directed: false, label: subnet, marks: [] });
      continue;
    }
    const segment = segmentId(subnet);
    nodes.push({ id: segment, kind: 'segment', label: subnet, host: '', marks: [] });
    for (const name of names) {
      const host = hostId(name);
      const [source, target] = host <= segment ? [host, segment] : [segment, host];
      edges.push({ id: edgeId('underlay', host, segment), kind: 'underlay', source, target, directed: false, label: hosts.get(name)?.local, marks: [] });
    }
  }
  return { nodes, edges };
}

export function underlayStage(input: StageInput): StageOutput {
  const tunnelEdges = tunnelUnderlayEdges(input.hosts);
  const links = underlayLinks(input, tunnelEdges);
  return { nodes: links.nodes, edges: [...tunnelEdges, ...links.edges] };
}
