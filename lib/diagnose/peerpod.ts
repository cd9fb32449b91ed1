/**
 * Peer-pod tunnels (cloud-api-adaptor): on the worker a pod namespace holds the CNI's veth with the pod IP
 * and a tunnel device without an address, joined by tc redirects; on the pod VM a tunnel device carries the
 * pod IP itself. The two tunnel ends are paired by the tunnel edge when the graph has one, else by pod IP.
 */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { edgeId } from '@/lib/topology/ids';
import { memoize } from '@/lib/topology/memoize';
import { edgesOf, otherEnd } from '@/lib/topology/query/graph';
import { deviceById, plainTunnelsCarrying, rootAddressesOf } from '@/lib/topology/query/device-index';
import { deviceId, globalAddresses, isPlainTunnel, type Device } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { redirectsIn } from './redirects';

export interface PeerPodLink {
  /** The pod's primary interface on the worker (usually eth0, the CNI veth). */
  podIf: Device;
  /** The tunnel device in the worker pod namespace (usually vxlan1). */
  workerTunnel: Device;
  /** The tunnel device in the pod VM that carries the pod IP, when that host was collected. */
  podVm?: Device;
  tunnelEdge?: string;
}

function primaryInterface(host: HostState, ns: NamespaceState, tunnelName: string): Device | undefined {
  const linked = redirectsIn(ns)
    .flatMap((r) => (r.to === tunnelName ? [r.from] : r.from === tunnelName ? [r.to] : []))
    .map((name) => ns.interfaces.find((i) => i.name === name))
    .find((i) => i !== undefined && globalAddresses(i).length > 0);
  if (linked) return { host, ns, iface: linked };
  const defaultDev = ns.routes.find((r) => r.dst === 'default' && r.family === 'inet')?.dev;
  const candidates = ns.interfaces.filter((i) => !isPlainTunnel(i) && i.kind !== 'loopback' && globalAddresses(i).length > 0);
  const iface = candidates.find((i) => i.name === defaultDev) ?? (candidates.length === 1 ? candidates[0] : undefined);
  return iface ? { host, ns, iface } : undefined;
}

function workerSides(topology: Topology): { podIf: Device; workerTunnel: Device }[] {
  const out: { podIf: Device; workerTunnel: Device }[] = [];
  for (const host of topology.hosts) {
    for (const ns of host.namespaces) {
      if (ns.netns === null) continue;
      for (const iface of ns.interfaces) {
        if (!isPlainTunnel(iface) || globalAddresses(iface).length > 0) continue;
        const podIf = primaryInterface(host, ns, iface.name);
        if (podIf) out.push({ podIf, workerTunnel: { host, ns, iface } });
      }
    }
  }
  return out;
}

function farEndFromGraph(topology: Topology, tunnel: Device): { device: Device; edge: string } | undefined {
  const id = deviceId(tunnel);
  for (const edge of edgesOf(topology, id, 'tunnel')) {
    const device = deviceById(topology, otherEnd(edge, id));
    if (device) return { device, edge: edge.id };
  }
  return undefined;
}

/** The other host's tunnel carrying the pod IP; the same VNI counts most, then a remote that is that host. */
function farEndByPodIp(topology: Topology, podIf: Device, tunnel: Device): Device | undefined {
  const vni = tunnelParams(tunnel.iface)?.vni;
  const remote = tunnelParams(tunnel.iface)?.remote;
  const score = (d: Device): number => (tunnelParams(d.iface)?.vni === vni ? 2 : 0) + (remote !== undefined && rootAddressesOf(topology, d.host).has(remote) ? 1 : 0);
  let best: { device: Device; score: number } | undefined;
  for (const d of plainTunnelsCarrying(topology, globalAddresses(podIf.iface))) {
    if (d.host === podIf.host) continue;
    const s = score(d);
    if (best === undefined || s > best.score) best = { device: d, score: s };
  }
  return best?.device;
}

/** Every peer pod seen from its worker, with the pod VM end when that host was collected. Computed once per topology. */
export const peerPodLinks = memoize((topology: Topology): readonly PeerPodLink[] =>
  workerSides(topology).map(({ podIf, workerTunnel }) => {
    const fromGraph = farEndFromGraph(topology, workerTunnel);
    const podVm = fromGraph?.device ?? farEndByPodIp(topology, podIf, workerTunnel);
    const tunnelEdge = fromGraph?.edge ?? (podVm ? edgeId('tunnel', deviceId(workerTunnel), deviceId(podVm)) : undefined);
    return { podIf, workerTunnel, podVm, tunnelEdge };
  }),
);

/**
 * Tunnel ends of paired peer pods that send to an address their far end's host does not have (or to none), each with
 * that host: the endpoint-mismatch rule reports them; what other rules expect of such a tunnel (NOTRACK rules for its
 * remote, a tunnel back) follows the host it was meant to reach, not the wrong address.
 */
export const misdirectedTunnels = memoize((topology: Topology): ReadonlyMap<Interface, HostState> => {
  const out = new Map<Interface, HostState>();
  const misses = (from: Device, to: HostState) => !rootAddressesOf(topology, to).has(tunnelParams(from.iface)?.remote ?? '');
  for (const { workerTunnel, podVm } of peerPodLinks(topology)) {
    if (!podVm) continue;
    if (misses(workerTunnel, podVm.host)) out.set(workerTunnel.iface, podVm.host);
    if (misses(podVm, workerTunnel.host)) out.set(podVm.iface, workerTunnel.host);
  }
  return out;
});

/** Device ids of the pod VM tunnel end and the worker pod interface: the pair that legitimately shares IP and MAC. */
export const peerPodPairKeys = memoize((topology: Topology): ReadonlySet<string> => {
  const keys = new Set<string>();
  for (const link of peerPodLinks(topology)) {
    if (link.podVm) keys.add(pairKey(deviceId(link.podIf), deviceId(link.podVm)));
  }
  return keys;
});

export function pairKey(a: string, b: string): string {
  return a <= b ? `${a}|${b}` : `${b}|${a}`;
}
