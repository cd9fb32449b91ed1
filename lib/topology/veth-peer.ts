/**
 * The other end of a veth, as iproute2 names it: by name in the same namespace (`veth0@veth1`, JSON `link`), or by
 * ifindex (`@ifN`, `link_index`) in the namespace that `link-netnsid K` / `link-netns NAME` names.
 *
 * An nsid means something only in the namespace that printed it: nsid 0 seen from inside a pod is the node's root
 * namespace, nsid 0 seen from the root is some pod. It is read through the `ip netns list-id` of the device's own
 * namespace, never another's. Where that map is missing, the peer is the one captured device whose own reference
 * points back (its ifindex is our `@ifN`, its `@ifN` is our ifindex). A pair is called broken only where the kernel
 * says so (`@NONE`), or where the namespace holding the peer is known for certain, its whole device listing ran,
 * and the peer is not in it. Otherwise the peer is unknown, and nothing is claimed about it.
 */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { devicesListed } from '@/lib/parse/collected';
import { memoize } from './memoize';

export type PeerResolution =
  | { status: 'found'; ns: NamespaceState; peer: Interface }
  /** Broken for certain: the kernel says so, or the peer is absent from a whole listing of its known namespace. */
  | { status: 'missing'; target?: string; reason: string }
  /** Not knowable from the capture: its namespace was not captured, or cannot be told. */
  | { status: 'unknown'; netns?: string; target?: string; reason: string };

/** The peer's ifindex: `link_index`, or the N of a text `@ifN`. */
export function peerIndex(iface: Interface): number | undefined {
  if (iface.linkIndex !== undefined) return iface.linkIndex;
  const m = /^if(\d+)$/.exec(iface.link ?? '');
  return m ? Number(m[1]) : undefined;
}

function groupBy<K, V>(items: readonly V[], key: (item: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list === undefined) out.set(key(item), [item]);
    else list.push(item);
  }
  return out;
}

// A node has one veth per pod: the maps are built once per namespace/host, not scanned per veth.
const byIfindex = memoize((ns: NamespaceState): Map<number | undefined, Interface[]> => groupBy(ns.interfaces, (i) => i.ifindex));
const byName = memoize((host: HostState): Map<string | null, NamespaceState[]> => groupBy(host.namespaces, (ns) => ns.netns));

/** Could `candidate` be the other end of `iface`? Its kind and its own back reference must not contradict it. */
function couldBePeer(iface: Interface, from: NamespaceState, candidate: Interface): boolean {
  if (candidate === iface) return false;
  if (candidate.kind !== 'veth' && candidate.kind !== 'device') return false;
  if (candidate.link === null) return false;
  const back = peerIndex(candidate);
  if (back !== undefined && iface.ifindex !== undefined && back !== iface.ifindex) return false;
  // A back reference by name names the namespace we are in (when ours has a name the kernel could print).
  if (candidate.linkNetns !== undefined && from.netns !== null && !from.netns.startsWith('pid:') && candidate.linkNetns !== from.netns) return false;
  return true;
}

/** Points back for certain: its `@ifN` is our ifindex. */
function pointsBack(iface: Interface, candidate: Interface): boolean {
  return iface.ifindex !== undefined && peerIndex(candidate) === iface.ifindex;
}

function peerIn(iface: Interface, from: NamespaceState, target: NamespaceState, index: number): Interface | undefined {
  return byIfindex(target)
    .get(index)
    ?.find((c) => couldBePeer(iface, from, c));
}

/** Where the nsid points, as far as the device's own namespace's `ip netns list-id` tells. */
type NsidView =
  | { kind: 'named'; name: string }
  /** Listed without a name: from a named namespace most likely the root; from the root an unnamed container's. */
  | { kind: 'unnamed' }
  | { kind: 'unlisted' };

function nsidView(ns: NamespaceState, nsid: number): NsidView {
  const entry = ns.netnsIds.find((e) => e.nsid === nsid);
  if (entry === undefined) return { kind: 'unlisted' };
  return entry.name !== undefined ? { kind: 'named', name: entry.name } : { kind: 'unnamed' };
}

/** Captured namespaces that cannot be the one nsid `nsid` names from `ns`: names the map gives another id. */
function excludedBy(ns: NamespaceState, nsid: number | undefined): Set<string | null> {
  const out = new Set<string | null>();
  if (nsid === undefined) return out;
  for (const e of ns.netnsIds) if (e.name !== undefined && e.nsid !== nsid) out.add(e.name);
  // Seen from the root, a listed nsid is another namespace; an nsid is never the viewer's own.
  out.add(ns.netns);
  return out;
}

/**
 * The one captured device pointing back at `iface`, preferring `preferred` namespaces. Ambiguity (several pods'
 * eth0 are ifindex 2 and point at @ifN of their own host ends) is left unknown.
 */
function mutual(
  host: HostState,
  from: NamespaceState,
  iface: Interface,
  index: number,
  preferred: readonly (NamespaceState | undefined)[],
  excluded: Set<string | null>,
): { ns: NamespaceState; peer: Interface } | 'ambiguous' | undefined {
  for (const ns of preferred) {
    if (!ns || excluded.has(ns.netns)) continue;
    const peer = byIfindex(ns)
      .get(index)
      ?.find((c) => couldBePeer(iface, from, c) && pointsBack(iface, c));
    if (peer) return { ns, peer };
  }
  const found: { ns: NamespaceState; peer: Interface }[] = [];
  for (const ns of host.namespaces) {
    if (excluded.has(ns.netns) || (ns === from && iface.linkNetnsId !== undefined)) continue;
    for (const c of byIfindex(ns).get(index) ?? []) if (couldBePeer(iface, from, c) && pointsBack(iface, c)) found.push({ ns, peer: c });
  }
  if (found.length > 1) {
    // A back reference that names our namespace outranks one that does not say.
    const named = found.filter((f) => f.peer.linkNetns !== undefined && f.peer.linkNetns === from.netns);
    return named.length === 1 ? named[0] : 'ambiguous';
  }
  return found[0];
}

/** In a namespace known for certain: there, or missing when its whole listing ran. */
function inKnown(iface: Interface, from: NamespaceState, target: NamespaceState, index: number): PeerResolution {
  const peer = peerIn(iface, from, target, index);
  if (peer) return { status: 'found', ns: target, peer };
  const where = target.netns ?? 'root';
  if (devicesListed(target)) return { status: 'missing', target: `if${index}`, reason: `no ifindex ${index} in namespace ${where}, whose devices were all listed` };
  return { status: 'unknown', netns: target.netns ?? undefined, target: `if${index}`, reason: `namespace ${where} was not listed whole` };
}

export function resolveVethPeer(host: HostState, ns: NamespaceState, iface: Interface): PeerResolution {
  if (iface.link === null) return { status: 'missing', reason: 'the kernel reports no peer (@NONE)' };
  const index = peerIndex(iface);
  // Same namespace, by name: iproute2 printed the name because the peer was there.
  if (iface.link !== undefined && index === undefined && iface.linkNetnsId === undefined && iface.linkNetns === undefined) {
    const peer = ns.interfaces.find((i) => i.name === iface.link);
    if (peer) return { status: 'found', ns, peer };
    if (devicesListed(ns)) return { status: 'missing', target: iface.link, reason: `no device ${iface.link} in the same namespace` };
    return { status: 'unknown', target: iface.link, reason: `the listing does not show ${iface.link}` };
  }
  if (index === undefined) return { status: 'unknown', reason: 'the capture shows no peer index or name' };
  const target = `if${index}`;
  // A namespace name for the peer (text `link-netns NAME`, or the nsid in this namespace's own list-id).
  const view = iface.linkNetnsId !== undefined ? nsidView(ns, iface.linkNetnsId) : undefined;
  const name = iface.linkNetns ?? (view?.kind === 'named' ? view.name : undefined);
  if (name !== undefined) {
    const known = byName(host).get(name)?.[0];
    if (known) return inKnown(iface, ns, known, index);
    // Captured under another key (nsenter -t PID): only a device pointing back can tell.
    const found = mutual(host, ns, iface, index, [], excludedBy(ns, iface.linkNetnsId));
    if (found && found !== 'ambiguous' && found.ns.netns?.startsWith('pid:')) return { status: 'found', ...found };
    return { status: 'unknown', netns: name, target, reason: `peer is in namespace ${name}, which was not captured` };
  }
  // No name. Same namespace first when no nsid is printed; from a named namespace, an unnamed nsid is most likely the root.
  const root = byName(host).get(null)?.[0];
  const preferred = iface.linkNetnsId === undefined ? [ns] : ns.netns !== null ? [root] : [];
  const excluded = excludedBy(ns, iface.linkNetnsId);
  if (iface.linkNetnsId !== undefined && ns.netns === null && view?.kind === 'unnamed') {
    // From the root, an nsid listed without a name is a namespace nobody named (a container's, a VM's uplink).
    for (const n of host.namespaces) if (n.netns !== null && !n.netns.startsWith('pid:')) excluded.add(n.netns);
  }
  const found = mutual(host, ns, iface, index, preferred, excluded);
  if (found === 'ambiguous') return { status: 'unknown', target, reason: `several captured devices with ifindex ${index} point back; the nsid map (ip netns list-id) would tell` };
  if (found) return { status: 'found', ...found };
  // From a pod's namespace, the one nsid without a name is the node's root namespace: the listing that would show
  // the peer. Several unnamed ids, and it could be any of them.
  const unnamedIds = ns.netnsIds.filter((e) => e.name === undefined).length;
  if (iface.linkNetnsId !== undefined && ns.netns !== null && view?.kind !== 'named' && unnamedIds <= 1 && root) {
    const inRoot = inKnown(iface, ns, root, index);
    const elsewhere = host.namespaces.some((n) => n !== root && !excluded.has(n.netns) && peerIn(iface, ns, n, index) !== undefined);
    if (inRoot.status !== 'missing' || !elsewhere) return inRoot;
  }
  // A same-namespace peer by ifindex that does not say where it points (busybox, old iproute2).
  if (iface.linkNetnsId === undefined) {
    const local = peerIn(iface, ns, ns, index);
    if (local && local.kind === 'veth' && local.linkNetnsId === undefined && local.linkNetns === undefined) return { status: 'found', ns, peer: local };
  }
  const nsid = iface.linkNetnsId !== undefined ? `nsid ${iface.linkNetnsId}` : 'another namespace';
  return { status: 'unknown', target, reason: `the peer is in ${nsid}, and no captured device points back` };
}
