/**
 * Peer-pod tunnel devices per host: the worker end (vxlan1 in the pod namespace) and the pod VM end (the device
 * carrying the pod IP in podns). cloud-api-adaptor creates both in the root namespace and moves them, so their
 * UDP sockets, VNIs and NOTRACK rules belong to the host's root namespace.
 */
import type { HostState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { memoize } from '@/lib/topology/memoize';
import type { Device } from '@/lib/topology/query/devices';
import { peerPodLinks } from './peerpod';

const byHost = memoize((topology: Topology): Map<HostState, Device[]> => {
  const out = new Map<HostState, Device[]>();
  const add = (d: Device): void => {
    const list = out.get(d.host) ?? [];
    if (!list.some((x) => x.iface === d.iface)) list.push(d);
    out.set(d.host, list);
  };
  for (const link of peerPodLinks(topology)) {
    add(link.workerTunnel);
    if (link.podVm) add(link.podVm);
  }
  return out;
});

export function peerPodTunnelsOn(topology: Topology, host: HostState): readonly Device[] {
  return byHost(topology).get(host) ?? [];
}
