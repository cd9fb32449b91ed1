/** Pod addresses: what lives in named (pod) namespaces on any host. Computed once per topology. */
import { memoize } from '@/lib/topology/memoize';
import type { Topology } from '@/lib/topology/types';
import { allDevices, globalAddresses, type Device } from '@/lib/topology/query/devices';

export const podDevices = memoize((topology: Topology): readonly Device[] =>
  allDevices(topology).filter((d) => d.ns.netns !== null && d.iface.kind !== 'loopback' && globalAddresses(d.iface).length > 0),
);

export const podIps = memoize((topology: Topology): ReadonlySet<string> => new Set(podDevices(topology).flatMap((d) => globalAddresses(d.iface))));
