/**
 * Lookups over every device of a topology, built once per topology object: rules ask "who holds this address",
 * "which tunnels does that host have" for every device, and a scan per question is quadratic on a big cluster.
 * Every list keeps topology order, so a lookup returns what a scan over allDevices() would find first.
 */
import type { HostState, NamespaceState, Neighbor, OvsInterface } from '@/lib/parse/types';
import { memoize } from '../memoize';
import type { Topology } from '../types';
import { allDevices, deviceId, globalAddresses, hostAddresses, isPlainTunnel, type Device } from './devices';

export interface NeighborEntry {
  host: HostState;
  ns: NamespaceState;
  neigh: Neighbor;
  /** Position in topology order (hosts, namespaces, entries): merged lookups sort by it. */
  order: number;
}

export interface AttachedOvsInterface {
  host: HostState;
  ovsIf: OvsInterface;
}

interface DeviceIndex {
  order: Map<Device, number>;
  byId: Map<string, Device>;
  byAddress: Map<string, Device[]>;
  plainTunnels: Map<HostState, Device[]>;
  plainTunnelsByAddress: Map<string, Device[]>;
  rootAddresses: Map<HostState, Set<string>>;
  hostByRootAddress: Map<string, HostState>;
  neighborsByDst: Map<string, NeighborEntry[]>;
  ovsByAttachedMac: Map<string, AttachedOvsInterface[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function indexDevices(index: DeviceIndex, devices: readonly Device[]): void {
  devices.forEach((d, i) => {
    index.order.set(d, i);
    const id = deviceId(d);
    if (!index.byId.has(id)) index.byId.set(id, d);
    for (const ip of new Set(d.iface.addresses.map((a) => a.local))) push(index.byAddress, ip, d);
    if (!isPlainTunnel(d.iface)) return;
    push(index.plainTunnels, d.host, d);
    for (const ip of new Set(globalAddresses(d.iface))) push(index.plainTunnelsByAddress, ip, d);
  });
}

function indexHosts(index: DeviceIndex, hosts: readonly HostState[]): void {
  let order = 0;
  for (const host of new Set(hosts)) {
    const root = new Set(hostAddresses(host));
    index.rootAddresses.set(host, root);
    for (const ip of root) if (!index.hostByRootAddress.has(ip)) index.hostByRootAddress.set(ip, host);
    for (const ns of host.namespaces) {
      for (const neigh of ns.neighbors) push(index.neighborsByDst, neigh.dst, { host, ns, neigh, order: order++ });
    }
    for (const ovsIf of host.ovs?.interfaces ?? []) {
      const mac = ovsIf.externalIds['attached_mac'];
      if (mac !== undefined) push(index.ovsByAttachedMac, mac.toLowerCase(), { host, ovsIf });
    }
  }
}

const deviceIndex = memoize((topology: Topology): DeviceIndex => {
  const index: DeviceIndex = {
    order: new Map(),
    byId: new Map(),
    byAddress: new Map(),
    plainTunnels: new Map(),
    plainTunnelsByAddress: new Map(),
    rootAddresses: new Map(),
    hostByRootAddress: new Map(),
    neighborsByDst: new Map(),
    ovsByAttachedMac: new Map(),
  };
  indexDevices(index, allDevices(topology));
  indexHosts(index, topology.hosts);
  return index;
});

/** The first device with this element id. */
export function deviceById(topology: Topology, id: string): Device | undefined {
  return deviceIndex(topology).byId.get(id);
}

/** Every device holding `ip` exactly as printed, on any host and namespace. */
export function ownersOf(topology: Topology, ip: string): readonly Device[] {
  return deviceIndex(topology).byAddress.get(ip) ?? [];
}

/** Point-to-point and FDB-driven tunnel devices of one host. */
export function plainTunnelsOn(topology: Topology, host: HostState): readonly Device[] {
  return deviceIndex(topology).plainTunnels.get(host) ?? [];
}

/** Plain tunnel devices carrying any of `ips` as a global IPv4 address, each once, in topology order. */
export function plainTunnelsCarrying(topology: Topology, ips: readonly string[]): Device[] {
  const index = deviceIndex(topology);
  const found = new Set<Device>();
  for (const ip of ips) for (const d of index.plainTunnelsByAddress.get(ip) ?? []) found.add(d);
  return [...found].sort((a, b) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0));
}

/** Addresses of a host's root namespace. */
export function rootAddressesOf(topology: Topology, host: HostState): ReadonlySet<string> {
  return deviceIndex(topology).rootAddresses.get(host) ?? new Set(hostAddresses(host));
}

/** The first host whose root namespace holds `ip`. */
export function hostOwningRootAddress(topology: Topology, ip: string): HostState | undefined {
  return deviceIndex(topology).hostByRootAddress.get(ip);
}

/** Neighbour entries for any of `ips`, in any host and namespace, each once, in topology order. */
export function neighborsTo(topology: Topology, ips: readonly string[]): NeighborEntry[] {
  const index = deviceIndex(topology);
  const found = new Set<NeighborEntry>();
  for (const ip of ips) for (const entry of index.neighborsByDst.get(ip) ?? []) found.add(entry);
  return [...found].sort((a, b) => a.order - b.order);
}

/** OVS interfaces whose external_ids:attached_mac is `mac` (any case), in topology order. */
export function ovsInterfacesAttaching(topology: Topology, mac: string | undefined): readonly AttachedOvsInterface[] {
  return mac === undefined ? [] : (deviceIndex(topology).ovsByAttachedMac.get(mac.toLowerCase()) ?? []);
}
