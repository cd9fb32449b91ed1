/** Pod addresses: what lives in named (pod) namespaces on any host. */
import type { Topology } from '@/lib/topology/types';
import { allDevices, globalAddresses, type Device } from './devices';

export function podDevices(topology: Topology): Device[] {
  return allDevices(topology).filter((d) => d.ns.netns !== null && d.iface.kind !== 'loopback' && globalAddresses(d.iface).length > 0);
}

export function podIps(topology: Topology): Set<string> {
  return new Set(podDevices(topology).flatMap((d) => globalAddresses(d.iface)));
}
