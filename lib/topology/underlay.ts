/**
 * Stage: where tunnels leave their host ('tunnel-underlay': tunnel device → the uplink owning `local`, naming
 * `dev`, or carrying the route to `remote`, looked up in the namespace that created the device), and which hosts
 * share a segment ('underlay': one edge per host pair whose uplinks have an IPv4 subnet in common).
 */
import type { ClusterContext } from '@/lib/capture/types';
import type { Address, HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { edgeId, hostId, ifaceId } from './ids';
import { creatingNamespace, findIfaceByName, findNamespace, globalAddresses, tunnelParams } from './inventory';
import { ipInCidr, networkOf, sameIp } from './ip';
import { lookupRoute } from './routing';
import { hostPairsSharingASubnet } from './shared-subnets';
import type { StageInput, StageOutput } from './stage';
import type { TopoEdge } from './types';

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
        edges.push({ id: edgeId('tunnel-underlay', from, to, true), kind: 'tunnel-underlay', source: from, target: to, directed: true, label: uplink.why, marks: [] });
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
  for (const ip of internal) for (const ns of host.namespaces) {
    const dev = owning(ns, ip);
    if (dev !== undefined) devices.add(dev);
  }
  return [...devices].flatMap(globalAddresses).filter((a) => a.family === 'inet' && a.prefixlen < 32);
}

function sharedSubnet(a: readonly Address[], b: readonly Address[]): string | undefined {
  for (const x of a) for (const y of b) {
    if (ipInCidr(x.local, `${y.local}/${y.prefixlen}`) && ipInCidr(y.local, `${x.local}/${x.prefixlen}`)) return networkOf(x.local, Math.min(x.prefixlen, y.prefixlen));
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

function underlayEdges(input: StageInput, tunnelEdges: readonly TopoEdge[]): TopoEdge[] {
  const byId = new Map(input.hosts.flatMap((h) => h.namespaces.flatMap((ns) => ns.interfaces.map((i) => [ifaceId(h.name, ns.netns, i.name), i] as const))));
  const byHost = edgesByTargetHost(tunnelEdges, input.hosts);
  const uplinks = input.hosts.map((h) => {
    const fromTunnels = (byHost.get(h.name) ?? []).map((e) => byId.get(e.target)).filter((i): i is Interface => i !== undefined);
    return { host: h.name, addresses: uplinkAddresses(h, fromTunnels, input.cluster) };
  });
  const edges: TopoEdge[] = [];
  for (const [i, j] of hostPairsSharingASubnet(uplinks.map((u) => u.addresses))) {
    const subnet = sharedSubnet(uplinks[i].addresses, uplinks[j].addresses);
    if (subnet === undefined) continue;
    const [a, b] = [hostId(uplinks[i].host), hostId(uplinks[j].host)].sort();
    edges.push({ id: edgeId('underlay', a, b), kind: 'underlay', source: a, target: b, directed: false, label: subnet, marks: [] });
  }
  return edges;
}

export function underlayStage(input: StageInput): StageOutput {
  const tunnelEdges = tunnelUnderlayEdges(input.hosts);
  return { edges: [...tunnelEdges, ...underlayEdges(input, tunnelEdges)] };
}
