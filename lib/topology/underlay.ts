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
import { creatingNamespace, findIfaceByName, globalAddresses, rootNamespace, tunnelParams } from './inventory';
import { ipKey, sameIp } from './ip';
import { memoize } from './memoize';
import { lookupRoute } from './routing';
import { sharedSubnets } from './shared-subnets';
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

/** Address → the first namespace and device holding it, in capture order: a look-up per tunnel instead of a scan. */
const addressHolders = memoize((host: HostState): ReadonlyMap<string, { ns: NamespaceState; iface: Interface }> => {
  const holders = new Map<string, { ns: NamespaceState; iface: Interface }>();
  for (const ns of host.namespaces)
    for (const iface of ns.interfaces)
      for (const a of iface.addresses) {
        const key = ipKey(a.local);
        if (key !== undefined && !holders.has(key)) holders.set(key, { ns, iface });
      }
  return holders;
});

export function tunnelUplink(host: HostState, ns: NamespaceState, iface: Interface): Uplink | undefined {
  const params = tunnelParams(iface);
  if (params === undefined) return undefined;
  const home = creatingNamespace(host, ns, iface);
  const named = params.dev !== undefined && !/^if\d+$/.test(params.dev) ? findIfaceByName(home, params.dev) : undefined;
  if (named !== undefined) return { ns: home, iface: named, why: `dev ${named.name}` };
  if (params.local !== undefined) {
    const local = params.local;
    const inHome = owning(home, local);
    const key = ipKey(local);
    const holder = inHome !== undefined ? { ns: home, iface: inHome } : key === undefined ? undefined : addressHolders(host).get(key);
    if (holder !== undefined) return { ...holder, why: `local ${local}` };
  }
  const remote = params.remote ?? params.group;
  const route = remote === undefined ? undefined : lookupRoute(home, remote);
  const dev = route?.dev === undefined ? undefined : findIfaceByName(home, route.dev);
  if (remote !== undefined && dev !== undefined) return { ns: home, iface: dev, why: `route to ${remote}` };
  return undefined;
}

/** Tunnel-underlay edges, and per host the uplinks they reach, in edge order. */
function tunnelUnderlayEdges(hosts: readonly HostState[]): { edges: TopoEdge[]; uplinks: Map<string, Interface[]> } {
  const edges: TopoEdge[] = [];
  const uplinks = new Map<string, Interface[]>();
  for (const host of hosts) {
    const mine: Interface[] = [];
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
        mine.push(uplink.iface);
      }
    }
    uplinks.set(host.name, mine);
  }
  return { edges, uplinks };
}

/** Uplink addresses: of tunnel underlay devices, the root default-route device, and the node's InternalIPs. */
function uplinkAddresses(host: HostState, tunnelUplinks: readonly Interface[], cluster?: ClusterContext): Address[] {
  const root = rootNamespace(host);
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

/** Shared subnet → host name → that host's uplink address in the subnet. */
function subnetsOfUplinks(input: StageInput, tunnelUplinks: ReadonlyMap<string, readonly Interface[]>): Map<string, Map<string, Address>> {
  const addresses = input.hosts.map((h) => uplinkAddresses(h, tunnelUplinks.get(h.name) ?? [], input.cluster));
  const out = new Map<string, Map<string, Address>>();
  for (const [subnet, members] of sharedSubnets(addresses)) out.set(subnet, new Map([...members].map(([host, address]) => [input.hosts[host].name, address])));
  return out;
}

function underlayLinks(input: StageInput, tunnelUplinks: ReadonlyMap<string, readonly Interface[]>): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (const [subnet, hosts] of subnetsOfUplinks(input, tunnelUplinks)) {
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
  const tunnels = tunnelUnderlayEdges(input.hosts);
  const links = underlayLinks(input, tunnels.uplinks);
  return { nodes: links.nodes, edges: [...tunnels.edges, ...links.edges] };
}
