/** Resolves the other end of a veth (lib/topology/veth-peer.ts) for the rules. */
import type { HostState } from '@/lib/parse/types';
import { peerIndex, resolveVethPeer } from '@/lib/topology/veth-peer';
import type { Device } from '@/lib/topology/query/devices';

export type VethPeer =
  | { status: 'found'; peer: Device }
  /** The kernel reports no peer (`"link": null`, text `@NONE`), or the peer is not in its namespace's full listing. */
  | { status: 'missing' }
  /** The peer's namespace was not collected, or cannot be told from the capture. */
  | { status: 'uncollected'; netns?: string };

export function vethPeer(device: Device): VethPeer {
  const r = resolveVethPeer(device.host, device.ns, device.iface);
  if (r.status === 'found') return { status: 'found', peer: { host: device.host, ns: r.ns, iface: r.peer } };
  if (r.status === 'missing') return { status: 'missing' };
  return r.netns !== undefined ? { status: 'uncollected', netns: r.netns } : { status: 'uncollected' };
}

/** A pod's veth: the end in the root namespace whose peer sits in a named (pod) namespace. */
export function podVethHostEnds(host: HostState): { hostEnd: Device; podEnd: Device }[] {
  const root = host.namespaces.find((ns) => ns.netns === null);
  if (!root) return [];
  const out: { hostEnd: Device; podEnd: Device }[] = [];
  for (const iface of root.interfaces) {
    // Plain `ip link`/`ip a` print no kind: a `name@ifN` device whose peer is found is a veth end too.
    if (iface.kind !== 'veth' && (iface.kind !== 'device' || peerIndex(iface) === undefined)) continue;
    const hostEnd = { host, ns: root, iface };
    const peer = vethPeer(hostEnd);
    if (peer.status === 'found' && peer.peer.ns.netns !== null) out.push({ hostEnd, podEnd: peer.peer });
  }
  return out;
}
