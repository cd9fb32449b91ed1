/**
 * Path trace: follow a packet from a device, namespace, pod or host to an IP through the topology, the way the
 * kernel and OVS would forward it (routes → neighbour → egress device → bridge / veth / tc redirect / tunnel),
 * and report every hop with why it was taken and the first hop that breaks.
 */
import { edgeId, hostId, ovsBridgeId } from '@/lib/topology/ids';
import { addressesOnHost, tunnelParams } from '@/lib/topology/inventory';
import { bridgeInterfaces } from '@/lib/topology/ovs';
import { ipFamily, sameIp } from '@/lib/topology/ip';
import { edgesOf, findInterface, interfacesOwningIp, namespaceOf, nodeById, otherEnd } from '@/lib/topology/query/graph';
import { isUnresolved, lookupNeighbor, lookupRoute } from '@/lib/topology/routing';
import type { NamespaceState, TcAction } from '@/lib/parse/types';
import type { Finding } from './types';
import { encapIps } from './open-vswitch';
import type { Topology, TopoEdge, TopoNode } from '@/lib/topology/types';

export interface TraceHop {
  /** Topology id of the element the hop acts on or arrives at. */
  element: string;
  /** Topology id of the edge crossed, when the hop crosses one. */
  edge?: string;
  /** What happened, e.g. 'route 10.132.2.0/23 dev ovn-k8s-mp0', 'tc redirect eth0 → vxlan1'. */
  action: string;
  ok: boolean;
  why?: string;
  /** The path goes on beyond what the capture holds (a namespace, a peer or a far host not captured). */
  uncaptured?: boolean;
}

export interface TraceResult {
  from: string;
  to: string;
  hops: TraceHop[];
  ok: boolean;
  /** Index into `hops` of the first failing hop. */
  brokenAt?: number;
  reason?: string;
}

/** Longer than any real path (a peer-pod path is about 8 hops); stops forwarding loops. */
const MAX_STEPS = 64;
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

type Position = { at: 'stack'; host: string; netns: string | null; via?: TopoNode } | { at: 'tx'; node: TopoNode } | { at: 'rx'; node: TopoNode } | { at: 'done' };

interface Walk {
  t: Topology;
  to: string;
  hops: TraceHop[];
  /** Destination MAC of the frame as the last sender resolved it. */
  dstMac?: string;
  nextHop?: string;
  seen: Set<string>;
  failed?: string;
  /** Take FAILED/INCOMPLETE neighbour entries as the next packet would: asked for again, not as a dead end. */
  reresolve?: boolean;
}

export interface TraceOptions {
  /**
   * Walk past FAILED or INCOMPLETE neighbour entries as if they were absent: the kernel asks again with the next
   * packet, so this tells whether the path as captured would carry it (a rule asks this of an entry left over
   * from an earlier failure).
   */
  reresolve?: boolean;
}

const DONE: Position = { at: 'done' };

function pass(w: Walk, hop: Omit<TraceHop, 'ok'>): void {
  w.hops.push({ ...hop, ok: true });
}

function fail(w: Walk, hop: Omit<TraceHop, 'ok'>, reason: string): Position {
  w.hops.push({ ...hop, ok: false, why: hop.why ?? reason });
  w.failed = reason;
  return DONE;
}

function macEq(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function nsName(netns: string | null | undefined): string {
  return netns === null || netns === undefined ? 'the root namespace' : `ns ${netns}`;
}

function isInternalOvsPort(node: TopoNode): boolean {
  return node.ovsInterface?.type === 'internal' || node.iface?.kind === 'tun' || node.iface?.kind === 'openvswitch';
}

function ovsBridgeEdge(w: Walk, node: TopoNode): TopoEdge | undefined {
  return edgesOf(w.t, node.id, 'ovs-port').find((e) => e.source === node.id && nodeById(w.t, e.target)?.kind === 'ovs-bridge');
}

function linuxBridgeEdge(w: Walk, node: TopoNode): TopoEdge | undefined {
  return edgesOf(w.t, node.id, 'bridge-port').find((e) => e.source === node.id);
}

function ownsTarget(node: TopoNode | undefined, ip: string): boolean {
  return node?.iface?.addresses.some((a) => sameIp(a.local, ip)) ?? false;
}

/** The namespace behind a veth port owns the IP (the pod side of a pod's host-end veth). */
function vethPeerOwns(w: Walk, port: TopoNode): boolean {
  const veth = edgesOf(w.t, port.id, 'veth')[0];
  const peer = veth === undefined ? undefined : nodeById(w.t, otherEnd(veth, port.id));
  if (peer === undefined) return false;
  return interfacesOwningIp(w.t, w.to).some((n) => n.host === peer.host && (n.netns ?? null) === (peer.netns ?? null));
}

// ── start ────────────────────────────────────────────────────────────────────────────────────────────────

function startPosition(t: Topology, from: string): Position | undefined {
  const node = nodeById(t, from) ?? nodeById(t, hostId(from));
  if (node === undefined || node.kind === 'segment') return undefined;
  if (node.kind === 'pod') {
    const links = edgesOf(t, node.id, 'pod-netns').map((e) => nodeById(t, otherEnd(e, node.id)));
    const ns = links.find((n) => n !== undefined && t.hosts.find((h) => h.name === n.host)?.role !== 'podvm') ?? links[0];
    return ns === undefined ? undefined : { at: 'stack', host: ns.host, netns: ns.netns ?? null };
  }
  const netns = node.kind === 'netns' || node.kind === 'interface' ? (node.netns ?? null) : null;
  return { at: 'stack', host: node.host, netns };
}

// ── L3: a namespace's stack ──────────────────────────────────────────────────────────────────────────────

function deliverOrForward(w: Walk, ns: NamespaceState, pos: Extract<Position, { at: 'stack' }>): Position | undefined {
  const owner = ns.interfaces.find((i) => i.addresses.some((a) => sameIp(a.local, w.to)));
  const via = pos.via;
  if (via === undefined) {
    if (owner === undefined) return undefined;
    pass(w, { element: findInterface(w.t, pos.host, pos.netns, owner.name)?.id ?? hostId(pos.host), action: `local: ${owner.name} owns ${w.to}` });
    return DONE;
  }
  const frameOk = w.dstMac === undefined || macEq(w.dstMac, BROADCAST) || macEq(w.dstMac, via.iface?.mac);
  if (owner !== undefined) {
    if (!frameOk) {
      const reason = `frame to ${w.dstMac ?? '?'} arrives on ${via.label} (${via.iface?.mac ?? 'no MAC'}): the kernel drops it as addressed to another host`;
      return fail(
        w,
        {
          element: via.id,
          action: `delivered: ${via.label} ${owner.name === via.label ? 'owns' : `(${owner.name} owns)`} ${w.to} but MAC differs from the frame destination`,
        },
        reason,
      );
    }
    pass(w, {
      element: via.id,
      action: `delivered: ${owner.name} owns ${w.to}`,
      why: w.dstMac === undefined ? undefined : `frame destination ${w.dstMac} matches ${via.label}`,
    });
    return DONE;
  }
  if (!frameOk) {
    return fail(w, { element: via.id, action: `drop: frame to ${w.dstMac ?? '?'} is not for ${via.label}` }, `${via.label} has MAC ${via.iface?.mac ?? '?'}, the frame was sent to ${w.dstMac ?? '?'}`);
  }
  const forwarding = ipFamily(w.to) === 'inet6' ? ns.sysctls['net.ipv6.conf.all.forwarding'] : ns.sysctls['net.ipv4.ip_forward'];
  if (forwarding === '0') {
    return fail(w, { element: via.id, action: `forward in ${nsName(pos.netns)}` }, `IP forwarding is off in ${nsName(pos.netns)} on ${pos.host}`);
  }
  return undefined;
}

function routeStep(w: Walk, ns: NamespaceState, pos: Extract<Position, { at: 'stack' }>): Position {
  const nsElement = pos.netns === null ? hostId(pos.host) : `${hostId(pos.host)}/ns:${pos.netns}`;
  const route = lookupRoute(ns, w.to);
  if (route === undefined) return fail(w, { element: nsElement, action: `no route to ${w.to}` }, `no route to ${w.to} in ${nsName(pos.netns)} on ${pos.host}`);
  if (route.type === 'blackhole' || route.type === 'unreachable' || route.type === 'prohibit') {
    return fail(w, { element: nsElement, action: `route ${route.dst} ${route.type}` }, `${route.type} route ${route.dst} in ${nsName(pos.netns)} on ${pos.host}`);
  }
  const dev = route.dev === undefined ? undefined : findInterface(w.t, pos.host, pos.netns, route.dev);
  const action = `route ${route.dst}${route.gateway ? ` via ${route.gateway}` : ''} dev ${route.dev ?? '?'}`;
  if (dev === undefined) return fail(w, { element: nsElement, action }, `route ${route.dst} names device ${route.dev ?? '?'}, which is not in ${nsName(pos.netns)}`);
  if (dev.iface?.up !== true) return fail(w, { element: dev.id, action }, `${dev.label} is down`);
  pass(w, { element: dev.id, action, why: `longest prefix match for ${w.to} in ${nsName(pos.netns)} on ${pos.host}` });
  return neighbourStep(w, ns, dev, route.gateway ?? w.to);
}

function neighbourStep(w: Walk, ns: NamespaceState, dev: TopoNode, nextHop: string): Position {
  w.nextHop = nextHop;
  w.dstMac = undefined;
  const neighbour = lookupNeighbor(ns, nextHop, dev.label);
  if (neighbour === undefined) {
    if (!dev.iface?.flags.includes('NOARP')) pass(w, { element: dev.id, action: `neighbour ${nextHop}: no entry captured`, why: 'resolved when the first packet is sent' });
    return { at: 'tx', node: dev };
  }
  const action = `neighbour ${nextHop} → ${neighbour.lladdr ?? '?'} (${neighbour.state.join(',') || 'no state'})`;
  if (isUnresolved(neighbour) && w.reresolve) {
    pass(w, { element: dev.id, action, why: 'asked for again by the next packet' });
    return { at: 'tx', node: dev };
  }
  if (isUnresolved(neighbour))
    return fail(w, { element: dev.id, action }, `neighbour ${nextHop} on ${dev.label} is ${neighbour.state.join(',') || 'without a MAC'}: the kernel cannot address the frame`);
  w.dstMac = neighbour.lladdr;
  pass(w, { element: dev.id, action, why: `ip neigh on ${dev.label}` });
  return { at: 'tx', node: dev };
}

function stackStep(w: Walk, pos: Extract<Position, { at: 'stack' }>): Position {
  const ns = namespaceOf(w.t, pos.host, pos.netns);
  if (ns === undefined) return fail(w, { element: hostId(pos.host), action: `enter ${nsName(pos.netns)}`, uncaptured: true }, `${nsName(pos.netns)} on ${pos.host} was not captured`);
  return deliverOrForward(w, ns, pos) ?? routeStep(w, ns, pos);
}

// ── L2: bridges ──────────────────────────────────────────────────────────────────────────────────────────

interface PortChoice {
  port: TopoNode;
  edge: TopoEdge;
  why: string;
}

function ovnPortOwns(w: Walk, port: TopoNode): boolean {
  const ifaceIdValue = port.ovsInterface?.externalIds['iface-id'];
  if (ifaceIdValue === undefined) return false;
  const lsp = w.t.hosts.find((h) => h.name === port.host)?.ovnLogicalPorts?.find((p) => p.name === ifaceIdValue);
  return lsp?.addresses.some((a) => a.split(/\s+/).some((x) => sameIp(x, w.to))) ?? false;
}

/**
 * With no neighbour entry captured, the frame's destination MAC is whatever answers ARP. On an OVN logical
 * switch that is OVN's ARP responder, with the MAC of the logical port that holds the IP.
 */
function ovnArpAnswer(w: Walk, port: TopoNode): string | undefined {
  const ifaceIdValue = port.ovsInterface?.externalIds['iface-id'];
  if (ifaceIdValue === undefined) return undefined;
  const lsp = w.t.hosts.find((h) => h.name === port.host)?.ovnLogicalPorts?.find((p) => p.name === ifaceIdValue);
  for (const entry of lsp?.addresses ?? []) {
    const [mac, ...ips] = entry.split(/\s+/);
    if (ips.some((ip) => sameIp(ip, w.to)) && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac ?? '')) return mac;
  }
  return undefined;
}

function chooseOvsPort(w: Walk, ports: PortChoice[]): PortChoice | undefined {
  const tests: Array<[string, (p: TopoNode) => boolean]> = [
    ['its attached_mac is the frame destination', (p) => macEq(p.ovsInterface?.externalIds.attached_mac, w.dstMac)],
    ['its iface-id names the OVN logical port holding the IP', (p) => ovnPortOwns(w, p)],
    ['its ip_addresses hold the IP', (p) => (p.ovsInterface?.externalIds.ip_addresses ?? '').split(',').some((c) => sameIp(c.split('/')[0], w.to))],
    ['the port device owns the IP', (p) => ownsTarget(p, w.to)],
    ['its veth peer namespace owns the IP', (p) => vethPeerOwns(w, p)],
    ['its MAC is the frame destination', (p) => macEq(p.iface?.mac, w.dstMac)],
  ];
  for (const [why, test] of tests) {
    const hit = ports.find((p) => test(p.port));
    if (hit !== undefined) return { ...hit, why };
  }
  return undefined;
}

/** An OVS tunnel port of a bridge, as OVS lists it (these have no kernel device, so no node of their own). */
interface OvsTunnelPort {
  name: string;
  remoteIp?: string;
  error?: string;
  ofport: number | null;
}

function tunnelPortsOf(w: Walk, host: string, bridge: string): OvsTunnelPort[] {
  const ovs = w.t.hosts.find((h) => h.name === host)?.ovs;
  const row = ovs?.bridges.find((b) => b.name === bridge);
  if (ovs === undefined || row === undefined) return [];
  return bridgeInterfaces(ovs, row)
    .filter((i) => i.type === 'geneve' || i.type === 'vxlan' || i.type === 'stt')
    .map((i) => ({ name: i.name, remoteIp: i.options.remote_ip, error: i.error, ofport: i.ofport }));
}

/**
 * Where no port of an OVN bridge holds the IP, OVN sends the packet over a tunnel port to the chassis that does:
 * the captured host owning the IP, reached by the tunnel whose remote_ip is that host's ovn-encap-ip (or one of
 * its addresses). The walk goes on at that host's bridge of the same name, with the destination MAC that OVN's
 * logical router writes for the logical port.
 */
function crossOvnTunnel(w: Walk, bridge: TopoNode, inHost: string): Position | undefined {
  const tunnels = tunnelPortsOf(w, inHost, bridge.label);
  if (tunnels.length === 0) return undefined;
  const holder = interfacesOwningIp(w.t, w.to).find((n) => n.host !== inHost && nodeById(w.t, ovsBridgeId(n.host, bridge.label)) !== undefined);
  const label = `OVS ${bridge.label}`;
  if (holder === undefined) {
    return fail(
      w,
      { element: bridge.id, action: `${label}: ${w.to} is behind no port or captured chassis`, uncaptured: true },
      `no port of ${bridge.label} on ${inHost} holds ${w.to}, and no captured host does: OVN would tunnel it to the chassis holding it, which is not in the capture`,
    );
  }
  const far = w.t.hosts.find((h) => h.name === holder.host);
  const encap = far === undefined ? [] : encapIps(far);
  const encapIp = encap.length > 0 ? encap.join(', ') : undefined;
  const farAddresses = far === undefined ? [] : addressesOnHost(far);
  const reaches = (ip: string): boolean => encap.some((e) => sameIp(e, ip)) || farAddresses.some((a) => sameIp(a, ip));
  const port = tunnels.find((t) => t.remoteIp !== undefined && reaches(t.remoteIp));
  const action = `${label} → tunnel ${port?.name ?? '?'} → ${holder.host}`;
  if (port === undefined) {
    return fail(
      w,
      { element: bridge.id, action },
      `${holder.host} holds ${w.to}, but ${bridge.label} on ${inHost} has no tunnel port to it (remote_ip ${encapIp ?? 'of its encap IP'}; tunnels go to ${tunnels.map((t) => t.remoteIp ?? '?').join(', ')})`,
    );
  }
  if (port.ofport === -1 || port.error !== undefined) return fail(w, { element: bridge.id, action }, `OVS could not add tunnel port ${port.name}: ${port.error ?? 'ofport -1'}`);
  const farBridge = ovsBridgeId(holder.host, bridge.label);
  pass(w, { element: farBridge, action, why: `remote_ip ${port.remoteIp ?? '?'} is ${holder.host}${encapIp ? `'s ovn-encap-ip` : ''}, and ${holder.host} holds ${w.to}` });
  w.dstMac = undefined;
  return crossOvs(w, farBridge);
}

function crossOvs(w: Walk, bridgeId: string, inPort?: TopoNode): Position {
  const bridge = nodeById(w.t, bridgeId);
  const ports = edgesOf(w.t, bridgeId, 'ovs-port')
    .map((edge) => ({ edge, port: nodeById(w.t, edge.source), why: '' }))
    .filter((p): p is PortChoice => p.port !== undefined && p.port.id !== inPort?.id);
  const choice = chooseOvsPort(w, ports);
  const label = bridge?.label ?? bridgeId;
  if (choice === undefined) {
    const tunnelled = bridge !== undefined && inPort !== undefined ? crossOvnTunnel(w, bridge, inPort.host) : undefined;
    if (tunnelled !== undefined) return tunnelled;
    return fail(w, { element: bridgeId, action: `OVS ${label}: no port leads to ${w.to}` }, `no port of ${label} on ${bridge?.host ?? '?'} owns ${w.to} or leads to it`);
  }
  const ofport = choice.port.ovsInterface?.ofport;
  if (ofport === -1 || choice.port.ovsInterface?.error !== undefined) {
    return fail(
      w,
      { element: choice.port.id, edge: choice.edge.id, action: `OVS ${label} → port ${choice.port.label}` },
      `OVS could not add ${choice.port.label}: ${choice.port.ovsInterface?.error ?? 'ofport -1'}`,
    );
  }
  const answered = w.dstMac === undefined ? ovnArpAnswer(w, choice.port) : undefined;
  if (answered !== undefined) w.dstMac = answered;
  const why = answered === undefined ? choice.why : `${choice.why}; OVN answers ARP for ${w.to} with the logical port MAC ${answered}`;
  pass(w, { element: bridgeId, edge: choice.edge.id, action: `OVS ${label} → port ${choice.port.label}`, why });
  return isInternalOvsPort(choice.port) ? { at: 'rx', node: choice.port } : { at: 'tx', node: choice.port };
}

function fdbPort(w: Walk, bridge: TopoNode, ports: PortChoice[]): PortChoice | undefined {
  const ns = namespaceOf(w.t, bridge.host, bridge.netns ?? null);
  const entry = ns?.fdb.find((e) => macEq(e.mac, w.dstMac) && ports.some((p) => p.port.label === e.dev));
  const hit = entry === undefined ? undefined : ports.find((p) => p.port.label === entry.dev);
  return hit === undefined ? undefined : { ...hit, why: `bridge fdb: ${entry?.mac ?? ''} on ${hit.port.label}` };
}

function crossLinuxBridge(w: Walk, bridge: TopoNode, inPort?: TopoNode): Position {
  const ports = edgesOf(w.t, bridge.id, 'bridge-port')
    .map((edge) => ({ edge, port: nodeById(w.t, edge.source), why: '' }))
    .filter((p): p is PortChoice => p.port !== undefined && p.port.id !== bridge.id && p.port.id !== inPort?.id);
  const viaPeer = ports.find((p) => vethPeerOwns(w, p.port));
  const choice = fdbPort(w, bridge, ports) ?? (viaPeer === undefined ? undefined : { ...viaPeer, why: 'its veth peer namespace owns the IP' });
  if (choice === undefined) return fail(w, { element: bridge.id, action: `bridge ${bridge.label}: no port leads to ${w.to}` }, `no port of ${bridge.label} has ${w.dstMac ?? w.to} behind it`);
  pass(w, { element: bridge.id, edge: choice.edge.id, action: `bridge ${bridge.label} → port ${choice.port.label}`, why: choice.why });
  return { at: 'tx', node: choice.port };
}

// ── transmit and receive on a device ─────────────────────────────────────────────────────────────────────

function chooseTunnel(w: Walk, node: TopoNode, edges: TopoEdge[]): TopoEdge | undefined {
  const far = (e: TopoEdge): TopoNode | undefined => nodeById(w.t, otherEnd(e, node.id));
  return edges.find((e) => macEq(far(e)?.iface?.mac, w.dstMac)) ?? edges.find((e) => interfacesOwningIp(w.t, w.to).some((n) => n.host === far(e)?.host)) ?? edges[0];
}

function tunnelRemote(w: Walk, node: TopoNode, far: TopoNode): string {
  const params = node.iface === undefined ? undefined : tunnelParams(node.iface);
  const fromFdb = namespaceOf(w.t, node.host, node.netns ?? null)?.fdb.find((e) => e.dev === node.label && macEq(e.mac, far.iface?.mac))?.dst;
  return params?.remote ?? params?.group ?? fromFdb ?? far.host;
}

function crossTunnel(w: Walk, node: TopoNode): Position {
  const params = node.iface === undefined ? undefined : tunnelParams(node.iface);
  const kind = node.iface?.geneve !== undefined || node.iface?.kind === 'geneve' ? 'Geneve' : 'VXLAN';
  if (params?.external === true) {
    return fail(
      w,
      { element: node.id, action: `${kind} ${node.label} (collect-metadata)`, uncaptured: true },
      `${node.label} picks its far end per packet (BPF or OVS metadata); the capture does not say which`,
    );
  }
  const edge = chooseTunnel(w, node, edgesOf(w.t, node.id, 'tunnel'));
  if (edge === undefined)
    return fail(
      w,
      { element: node.id, action: `${kind} ${node.label}: no far end`, uncaptured: true },
      `${node.label} has no paired tunnel end in the capture (VNI ${params?.vni ?? '?'}, remote ${params?.remote ?? params?.group ?? 'none'})`,
    );
  const far = nodeById(w.t, otherEnd(edge, node.id));
  const action = `${kind} VNI ${params?.vni ?? edge.vni ?? '?'} → ${far === undefined ? '?' : tunnelRemote(w, node, far)}`;
  if (far === undefined) return fail(w, { element: node.id, edge: edge.id, action }, 'tunnel edge without a far end');
  if (edge.marks.includes('unpaired')) return fail(w, { element: far.id, edge: edge.id, action }, `unpaired tunnel: ${edge.label ?? 'parameters differ'}`);
  pass(w, { element: far.id, edge: edge.id, action, why: `paired with ${far.label} on ${far.host} (${edge.label ?? ''})` });
  return { at: 'rx', node: far };
}

function crossUnderlay(w: Walk, node: TopoNode): Position {
  const nextHop = w.nextHop ?? w.to;
  const target = interfacesOwningIp(w.t, nextHop).find((n) => n.host !== node.host);
  if (target === undefined) {
    return fail(
      w,
      { element: node.id, action: `out of ${node.label} towards ${nextHop}`, uncaptured: true },
      `${nextHop} is not an address of any captured host: the path leaves the capture at ${node.host} ${node.label}`,
    );
  }
  const link = underlayLink(w.t, node.host, target.host);
  const via = link?.segment === undefined ? '' : ` via ${link.segment.label}`;
  pass(w, {
    element: target.id,
    edge: link?.edge,
    action: `underlay ${node.label} → ${target.host} ${target.label}${via}`,
    why: `${target.label} owns next hop ${nextHop}`,
  });
  return { at: 'rx', node: target };
}

/**
 * The underlay edge a packet from host `from` to host `to` crosses: the direct one between two hosts alone on
 * their subnet, else `from`'s edge to a segment that `to` is on too.
 */
function underlayLink(t: Topology, from: string, to: string): { edge: string; segment?: TopoNode } | undefined {
  const direct = edgeId('underlay', hostId(from), hostId(to));
  if (t.edges.some((e) => e.id === direct)) return { edge: direct };
  const segmentsOf = (host: string) => new Map(edgesOf(t, hostId(host), 'underlay').map((e) => [otherEnd(e, hostId(host)), e.id] as const));
  const far = segmentsOf(to);
  for (const [end, edge] of segmentsOf(from)) {
    const segment = nodeById(t, end);
    if (segment?.kind === 'segment' && far.has(end)) return { edge, segment };
  }
  return undefined;
}

function txStep(w: Walk, node: TopoNode): Position {
  if (node.iface?.up !== true) return fail(w, { element: node.id, action: `transmit on ${node.label}` }, `${node.label} is down`);
  const ovs = ovsBridgeEdge(w, node);
  if (ovs !== undefined && isInternalOvsPort(node)) return crossOvs(w, ovs.target, node);
  if (node.iface.kind === 'veth') {
    const veth = edgesOf(w.t, node.id, 'veth')[0];
    const peer = veth === undefined ? undefined : nodeById(w.t, otherEnd(veth, node.id));
    if (veth === undefined || peer === undefined) return fail(w, { element: node.id, action: `veth ${node.label} → ?`, uncaptured: true }, `the veth peer of ${node.label} is missing or not captured`);
    pass(w, {
      element: peer.id,
      edge: veth.id,
      action: `veth ${node.label} → ${peer.label} in ${nsName(peer.netns)}`,
      why: peer.host === node.host ? undefined : `on ${peer.host}`,
    });
    return { at: 'rx', node: peer };
  }
  if (node.iface.kind === 'bridge') return crossLinuxBridge(w, node);
  if (tunnelParams(node.iface) !== undefined || node.iface.kind === 'vxlan' || node.iface.kind === 'geneve') return crossTunnel(w, node);
  return crossUnderlay(w, node);
}

function ingressRedirect(ns: NamespaceState, dev: string): TcAction | undefined {
  return ns.tcFilters
    .filter((f) => f.dev === dev && f.hook === 'ingress')
    .flatMap((f) => f.actions)
    .find((a) => a.mirredAction === 'redirect');
}

function tcStep(w: Walk, node: TopoNode, ns: NamespaceState): Position | undefined {
  const redirect = ingressRedirect(ns, node.label);
  if (redirect === undefined) {
    const reverse = ns.tcFilters.find((f) => f.actions.some((a) => a.mirredAction === 'redirect' && a.toDev === node.label));
    if (reverse === undefined) return undefined;
    return fail(
      w,
      { element: node.id, action: `tc: no ingress redirect on ${node.label}` },
      `${reverse.dev} redirects into ${node.label}, but ${node.label} has no ingress redirect back: frames arriving on ${node.label} stop in ${nsName(node.netns)}`,
    );
  }
  const target = redirect.toDev === undefined ? undefined : findInterface(w.t, node.host, node.netns ?? null, redirect.toDev);
  const action = `tc redirect ${node.label} → ${redirect.toDev ?? '?'}`;
  if (target === undefined) return fail(w, { element: node.id, action }, `tc redirect target ${redirect.toDev ?? '?'} does not exist in ${nsName(node.netns)}`);
  if (target.iface?.up !== true) return fail(w, { element: target.id, action }, `tc redirect target ${target.label} is down`);
  pass(w, { element: target.id, edge: edgeId('tc-redirect', node.id, target.id, true), action, why: `tc ingress filter on ${node.label}` });
  return redirect.direction === 'ingress' ? { at: 'rx', node: target } : { at: 'tx', node: target };
}

function rxStep(w: Walk, node: TopoNode): Position {
  if (node.iface?.up !== true) return fail(w, { element: node.id, action: `receive on ${node.label}` }, `${node.label} is down`);
  const ns = namespaceOf(w.t, node.host, node.netns ?? null);
  if (ns === undefined) return fail(w, { element: node.id, action: `receive on ${node.label}`, uncaptured: true }, `${nsName(node.netns)} on ${node.host} was not captured`);
  const redirected = tcStep(w, node, ns);
  if (redirected !== undefined) return redirected;
  const ovs = ovsBridgeEdge(w, node);
  if (ovs !== undefined && !isInternalOvsPort(node)) return crossOvs(w, ovs.target, node);
  const bridgeEdge = linuxBridgeEdge(w, node);
  const bridge = bridgeEdge === undefined ? undefined : nodeById(w.t, bridgeEdge.target);
  if (bridge !== undefined) {
    if (macEq(w.dstMac, bridge.iface?.mac)) {
      pass(w, {
        element: bridge.id,
        edge: bridgeEdge?.id,
        action: `bridge ${bridge.label}: frame for the bridge itself`,
        why: `destination ${w.dstMac ?? ''} is ${bridge.label}'s MAC: routed by ${nsName(bridge.netns)}`,
      });
      return { at: 'stack', host: bridge.host, netns: bridge.netns ?? null, via: bridge };
    }
    return crossLinuxBridge(w, bridge, node);
  }
  return { at: 'stack', host: node.host, netns: node.netns ?? null, via: node };
}

// ── the walk ─────────────────────────────────────────────────────────────────────────────────────────────

function positionKey(pos: Position): string {
  if (pos.at === 'stack') return `stack:${pos.host}/${pos.netns ?? ''}/${pos.via?.id ?? ''}`;
  if (pos.at === 'done') return 'done';
  return `${pos.at}:${pos.node.id}`;
}

function step(w: Walk, pos: Position): Position {
  if (pos.at === 'stack') return stackStep(w, pos);
  if (pos.at === 'tx') return txStep(w, pos.node);
  if (pos.at === 'rx') return rxStep(w, pos.node);
  return DONE;
}

function result(from: string, to: string, w: Walk): TraceResult {
  if (w.failed === undefined) return { from, to, hops: w.hops, ok: true };
  const brokenAt = w.hops.findIndex((h) => !h.ok);
  return { from, to, hops: w.hops, ok: false, brokenAt: brokenAt < 0 ? undefined : brokenAt, reason: w.failed };
}

/**
 * The BPF programs attached in the namespace where the walk returned to itself: a datapath such as Cilium's
 * forwards in BPF (bpf_redirect), so the kernel's routes alone loop where the programs would redirect.
 */
function bpfPrograms(t: Topology, pos: Exclude<Position, { at: 'done' }>): string[] {
  const host = pos.at === 'stack' ? pos.host : pos.node.host;
  const netns = pos.at === 'stack' ? pos.netns : (pos.node.netns ?? null);
  const filters = namespaceOf(t, host, netns)?.tcFilters ?? [];
  return [...new Set(filters.filter((f) => f.kind === 'bpf').map((f) => `${f.bpfName ?? 'bpf'} on ${f.dev}`))];
}

export function traceRoute(t: Topology, from: string, to: string, options: TraceOptions = {}): TraceResult {
  const w: Walk = { t, to, hops: [], seen: new Set(), reresolve: options.reresolve };
  if (ipFamily(to) === null) return { from, to, hops: [], ok: false, reason: `${to} is not an IP address` };
  let pos = startPosition(t, from);
  if (pos === undefined) {
    const reason =
      nodeById(t, from)?.kind === 'segment'
        ? `${from} is a shared underlay segment, which sends nothing itself: trace from a host or device on it`
        : `${from} is neither an element id nor a host name in this topology`;
    return { from, to, hops: [], ok: false, reason };
  }
  for (let i = 0; i < MAX_STEPS && pos.at !== 'done'; i += 1) {
    const key = positionKey(pos);
    if (w.seen.has(key)) {
      const element = pos.at === 'stack' ? hostId(pos.host) : pos.node.id;
      const bpf = bpfPrograms(t, pos);
      if (bpf.length > 0) fail(w, { element, action: 'forwarded by BPF', uncaptured: true }, `BPF programs forward here (${bpf.join(', ')}), past what routes and tc redirects say`);
      else fail(w, { element, action: 'loop' }, `the path returns to ${key}: forwarding loop`);
      return result(from, to, w);
    }
    w.seen.add(key);
    pos = step(w, pos);
  }
  if (pos.at !== 'done') fail(w, { element: w.hops[w.hops.length - 1]?.element ?? from, action: 'stop' }, `more than ${MAX_STEPS} steps`);
  return result(from, to, w);
}

/** The finding that explains a broken trace: the first one that names the breaking hop's element or edge. */
export function findingForTrace(result: TraceResult, findings: readonly Finding[]): Finding | undefined {
  if (result.ok || result.brokenAt === undefined) return undefined;
  const hop = result.hops[result.brokenAt];
  if (hop === undefined) return undefined;
  return findings.find((f) => f.elements.includes(hop.element) || (hop.edge !== undefined && f.elements.includes(hop.edge)));
}
