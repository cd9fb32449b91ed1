/** Resolves the other end of a veth from link_index / link_netnsid, as iproute2 prints them. */
import type { HostState, Interface, NamespaceState, NetnsId } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';
import { devicesListed } from './collected';
import type { Device } from './devices';

export type VethPeer =
  | { status: 'found'; peer: Device }
  /** The kernel reports no peer (`"link": null`, text `@NONE`), or the named peer is not in its namespace's full listing. */
  | { status: 'missing' }
  /** The peer's namespace has a name that was not collected, or no name from the root namespace. */
  | { status: 'uncollected'; netns?: string };

/*
 * Every pod's veth is resolved from the root namespace, where a node has one veth and one nsid per pod: lists
 * scanned per veth are quadratic in the pods of a node. Parsed state never changes, so these maps are built once
 * per namespace or host, each list in the order a scan would meet its entries.
 */
function groupBy<K, V>(items: readonly V[], key: (item: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list === undefined) out.set(key(item), [item]);
    else list.push(item);
  }
  return out;
}

const interfacesByIfindex = memoize((ns: NamespaceState): Map<number | undefined, Interface[]> => groupBy(ns.interfaces, (i) => i.ifindex));
const nsidsOf = memoize((ns: NamespaceState): Map<number, NetnsId[]> => groupBy(ns.netnsIds, (n) => n.nsid));
const namespacesByName = memoize((host: HostState): Map<string | null, NamespaceState[]> => groupBy(host.namespaces, (ns) => ns.netns));

function reciprocal(device: Device, candidate: NamespaceState): Device | undefined {
  const iface = interfacesByIfindex(candidate)
    .get(device.iface.linkIndex)
    ?.find((i) => i.kind === 'veth' && (i.linkIndex === undefined || i.linkIndex === device.iface.ifindex));
  return iface ? { host: device.host, ns: candidate, iface } : undefined;
}

function namespaceOfNsid(host: HostState, from: NamespaceState, nsid: number): NamespaceState | 'unnamed' | string {
  const entry = nsidsOf(from).get(nsid)?.[0];
  if (entry?.name !== undefined) return namespacesByName(host).get(entry.name)?.[0] ?? entry.name;
  // From a named namespace the one unnamed nsid is the root namespace, as on a real node.
  if (from.netns !== null) return namespacesByName(host).get(null)?.[0] ?? 'unnamed';
  return 'unnamed';
}

/** A peer not found in `ns`: gone when every device of ns was listed, else perhaps among those not shown. */
function absentFrom(ns: NamespaceState): VethPeer {
  return devicesListed(ns) ? { status: 'missing' } : { status: 'uncollected', netns: ns.netns ?? undefined };
}

export function vethPeer(device: Device): VethPeer {
  const { host, ns, iface } = device;
  if (iface.link === null) return { status: 'missing' };
  if (typeof iface.link === 'string' && iface.linkNetnsId === undefined) {
    const peer = ns.interfaces.find((i) => i.name === iface.link);
    return peer ? { status: 'found', peer: { host, ns, iface: peer } } : absentFrom(ns);
  }
  if (iface.linkIndex === undefined) return { status: 'uncollected' };
  if (iface.linkNetnsId === undefined) {
    const same = reciprocal(device, ns);
    return same ? { status: 'found', peer: same } : absentFrom(ns);
  }
  const target = namespaceOfNsid(host, ns, iface.linkNetnsId);
  if (typeof target !== 'string') {
    const peer = reciprocal(device, target);
    return peer ? { status: 'found', peer } : absentFrom(target);
  }
  // Without a usable nsid map, find the one namespace of this host that holds the reciprocal end.
  for (const candidate of host.namespaces) {
    if (candidate === ns) continue;
    const peer = reciprocal(device, candidate);
    if (peer) return { status: 'found', peer };
  }
  return { status: 'uncollected', netns: target === 'unnamed' ? undefined : target };
}

/** A pod's veth: the end in the root namespace whose peer sits in a named (pod) namespace. */
export function podVethHostEnds(host: HostState): { hostEnd: Device; podEnd: Device }[] {
  const root = host.namespaces.find((ns) => ns.netns === null);
  if (!root) return [];
  const out: { hostEnd: Device; podEnd: Device }[] = [];
  for (const iface of root.interfaces) {
    if (iface.kind !== 'veth') continue;
    const hostEnd = { host, ns: root, iface };
    const peer = vethPeer(hostEnd);
    if (peer.status === 'found' && peer.peer.ns.netns !== null) out.push({ hostEnd, podEnd: peer.peer });
  }
  return out;
}
