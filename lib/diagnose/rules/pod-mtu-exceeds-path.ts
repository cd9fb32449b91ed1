import type { Finding, Rule } from '../types';
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { peerIndex } from '@/lib/topology/veth-peer';
import { deviceEvidence } from '../evidence';
import { inNetns, note, part, sh, type ShellLine, type ShellPart } from '../fix';
import { defaultRoutes, uplinkName } from '../routes';
import { vethPeer } from '../veth';
import { finding } from '../finding';

const ID = 'pod-mtu-exceeds-path';

/** Kinds `ip -d link` prints for devices that encapsulate pod traffic between nodes. */
const OVERLAY_KINDS = new Set(['vxlan', 'geneve', 'ipip', 'sit', 'ip6tnl', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'wireguard']);

type Cni = 'Calico' | 'flannel' | 'Cilium' | 'Antrea' | 'Weave Net';

/**
 * The names CNIs document for their overlay devices. A name is trusted for the kind only where the listing printed
 * no kind (plain `ip a`); it also says whose MTU setting is the durable fix. The generic OVS and kernel fallback
 * devices name no CNI: several use them.
 */
const OVERLAY_NAMES: readonly { name: RegExp; cni?: Cni }[] = [
  { name: /^flannel(?:-v6)?\.(?:\d+|ipip)$/, cni: 'flannel' },
  { name: /^flannel-wg(?:-v6)?$/, cni: 'flannel' },
  { name: /^vxlan(?:-v6)?\.calico$/, cni: 'Calico' },
  { name: /^(?:wireguard|wg-v6)\.cali$/, cni: 'Calico' },
  { name: /^cilium_(?:vxlan|geneve|wg0)$/, cni: 'Cilium' },
  { name: /^antrea-tun0$/, cni: 'Antrea' },
  { name: /^vxlan-\d+$/, cni: 'Weave Net' },
  { name: /^(?:genev_sys|vxlan_sys)_\d+$/ },
  { name: /^tunl0$/ },
];

function documentedOverlay(iface: Interface): { cni?: Cni } | undefined {
  return OVERLAY_NAMES.find((o) => o.name.test(iface.name));
}

function isOverlay(iface: Interface): boolean {
  if (OVERLAY_KINDS.has(iface.kind) || iface.vxlan !== undefined || iface.geneve !== undefined) return true;
  return iface.kind === 'device' && documentedOverlay(iface) !== undefined;
}

/** The CNI's own setting, so the lowered MTU survives the next pod, and what makes it take effect. */
const DURABLE: Record<Cni, { setting: ShellPart; then: ShellPart }> = {
  Calico: {
    setting: part`Calico's MTU (veth_mtu in the calico-config ConfigMap, or spec.calicoNetwork.mtu of the operator's Installation; FelixConfiguration vxlanMTU/ipipMTU/wireguardMTU for the tunnel)`,
    then: part`restart calico-node`,
  },
  flannel: { setting: part`flannel's MTU (FLANNEL_MTU in /run/flannel/subnet.env, which the CNI plugin gives new pods)`, then: part`restart the flannel agent` },
  Cilium: { setting: part`Cilium's MTU (the mtu key of the cilium-config ConfigMap, Helm value MTU)`, then: part`restart the cilium agent` },
  Antrea: { setting: part`defaultMTU in antrea-agent.conf (the antrea-config ConfigMap)`, then: part`restart antrea-agent` },
  'Weave Net': { setting: part`WEAVE_MTU on the weave DaemonSet`, then: part`let the weave pods restart` },
};

interface PodLink {
  hostEnd: Device;
  /** The pod's own end, where its namespace was captured. */
  podEnd?: Device;
}

/**
 * Root-namespace veth ends whose peer lives in a pod's namespace: the peer was found in a named namespace, or the
 * kernel names it (`link-netns NAME`). A bare `link-netnsid N` or `@ifN` says only that the peer is elsewhere, and
 * the node's own uplink looks the same when the node is a container (kind, LXD); such an end counts as a pod's only
 * where another pod-facing end faces the same index, as CNIs build every pod namespace alike and create the veth
 * inside it, so the pods' interfaces share an index. An end holding an address on a subnet is the node's, not a pod's.
 */
function podLinks(host: HostState, root: NamespaceState, uplink: Interface | undefined): PodLink[] {
  const sure: PodLink[] = [];
  const bare: PodLink[] = [];
  for (const iface of root.interfaces) {
    if (iface === uplink || (iface.kind !== 'veth' && iface.kind !== 'device') || iface.link === null || holdsSubnet(iface)) continue;
    if (peerIndex(iface) === undefined) continue;
    const hostEnd = { host, ns: root, iface };
    const peer = vethPeer(hostEnd);
    if (peer.status === 'found') {
      if (peer.peer.ns.netns !== null) sure.push({ hostEnd, podEnd: peer.peer });
    } else if (iface.linkNetns !== undefined) sure.push({ hostEnd });
    else if (peer.status === 'uncollected') bare.push({ hostEnd });
  }
  const indexes = [...sure, ...bare].map((l) => peerIndex(l.hostEnd.iface));
  const shared = (l: PodLink): boolean => indexes.filter((i) => i === peerIndex(l.hostEnd.iface)).length > 1;
  return [...sure, ...bare.filter(shared)];
}

/** Global unicast addresses of a device, as they name an uplink (a pod end's /32 gateway address does not). */
function holdsSubnet(iface: Interface): boolean {
  return globalAddresses(iface, 'any').some((a) => iface.addresses.some((x) => x.local === a && x.prefixlen < (x.family === 'inet' ? 32 : 128)));
}

/** The uplink: the default route's device, else the one device holding the node's address on a subnet. */
function uplinkOf(root: NamespaceState): Interface | undefined {
  const byRoute = uplinkName(root) ?? defaultRoutes(root, 'inet6')[0]?.dev;
  if (byRoute !== undefined) return root.interfaces.find((i) => i.name === byRoute);
  const masters = new Set(root.interfaces.map((i) => i.master).filter((m) => m !== undefined));
  const holders = root.interfaces.filter((i) => i.kind !== 'loopback' && i.kind !== 'bridge' && !masters.has(i.name) && !isOverlay(i) && i.linkNetns === undefined && holdsSubnet(i));
  return holders.length === 1 ? holders[0] : undefined;
}

/** The overlay devices pods' cross-node traffic goes through: those routes use, where routes were captured; else every one that is up. */
function overlaysOf(root: NamespaceState): Interface[] {
  const up = root.interfaces.filter((i) => isOverlay(i) && i.up && i.mtu !== undefined);
  const routed = up.filter((i) => root.routes.some((r) => r.dev === i.name));
  return routed.length > 0 ? routed : up;
}

/**
 * What the pod sends at most beyond its node: its end's MTU, lowered by an `mtu` on every route through a gateway
 * out of that end (on-link routes reach the node's own pods, which no overlay or uplink limits).
 */
function podSendMtu(link: PodLink): number | undefined {
  const mtu = link.podEnd?.iface.mtu ?? link.hostEnd.iface.mtu;
  const podEnd = link.podEnd;
  if (!podEnd || mtu === undefined) return mtu;
  const routeMtus = podEnd.ns.routes.filter((r) => r.dev === podEnd.iface.name && r.gateway !== undefined && (r.table === undefined || r.table === 'main')).map((r) => r.mtu);
  if (routeMtus.length === 0 || routeMtus.some((m) => m === undefined)) return mtu;
  return Math.min(mtu, Math.max(...routeMtus.map((m) => m ?? mtu)));
}

function lowerCommands(links: readonly PodLink[], mtu: number): ShellLine[] {
  const out: ShellLine[] = [];
  for (const l of links) {
    if (l.podEnd) out.push(inNetns(l.podEnd.ns.netns, sh`ip link set dev ${l.podEnd.iface.name} mtu ${mtu}`));
    else if (l.hostEnd.iface.linkNetns !== undefined) out.push(inNetns(l.hostEnd.iface.linkNetns, sh`ip link set dev <pod interface> mtu ${mtu}`));
    out.push(sh`ip link set dev ${l.hostEnd.iface.name} mtu ${mtu}`);
  }
  return out;
}

export const podMtuExceedsPath: Rule = {
  id: ID,
  severity: 'warning',
  title: "Pods' MTU exceeds what the path out of the node carries (overlay device or uplink)",
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      if (!root) continue;
      const uplink = uplinkOf(root);
      const overlays = overlaysOf(root);
      const overlayMtu = overlays.length > 0 ? Math.max(...overlays.map((o) => o.mtu ?? 0)) : undefined;
      const overlay = overlays.find((o) => o.mtu === overlayMtu);
      const limits = [overlay, uplink].filter((d): d is Interface => d?.mtu !== undefined);
      if (limits.length === 0) continue;
      const limit = Math.min(...limits.map((d) => d.mtu ?? Infinity));
      const by = limits.find((d) => d.mtu === limit);
      if (!by) continue;
      const over = podLinks(host, root, uplink)
        .filter((l) => !overlays.includes(l.hostEnd.iface))
        .map((l) => ({ link: l, mtu: podSendMtu(l) }))
        .filter((p) => p.mtu !== undefined && p.mtu > limit);
      if (over.length === 0) continue;
      const cni = overlay ? documentedOverlay(overlay)?.cni : undefined;
      const sizes = [...new Set(over.map((p) => p.mtu))].join('/');
      const names = over.map((p) => p.link.hostEnd.iface.name);
      const byDevice = { host, ns: root, iface: by };
      const through =
        by === overlay ? `the overlay device ${by.name} (MTU ${limit}) that carries their traffic to other nodes` : `the node's uplink ${by.name} (MTU ${limit}), which their traffic leaves by`;
      out.push(
        finding(ID, 'warning', {
          title: `${over.length} pod interface${over.length > 1 ? 's' : ''} on ${host.name} at MTU ${sizes} > ${by.name} MTU ${limit}`,
          explanation:
            `The pods behind ${names.join(', ')} send packets of up to ${sizes} bytes, but ${through} takes at most ${limit}. ` +
            'Larger packets are fragmented, or, with DF set, dropped with an ICMP "fragmentation needed" that helps only where it ' +
            'reaches the sender and the sender acts on it (firewalls, NAT and UDP applications often defeat it): small requests ' +
            `work while large transfers stall or crawl. The pods' interfaces must be at most ${limit}` +
            `${uplink && overlay && by === overlay ? ` (the uplink ${uplink.name} has ${uplink.mtu ?? '?'}, the tunnel takes its encapsulation out of that)` : ''}.`,
          evidence: [...over.flatMap((p) => [deviceEvidence(p.link.hostEnd), ...(p.link.podEnd ? [deviceEvidence(p.link.podEnd)] : [])]), deviceEvidence(byDevice)],
          elements: [...over.flatMap((p) => [deviceId(p.link.hostEnd), ...(p.link.podEnd ? [deviceId(p.link.podEnd)] : [])]), deviceId(byDevice)],
          fix: [
            note`on ${host.name}: lower each pod's interface and its host end to ${limit}`,
            ...lowerCommands(
              over.map((p) => p.link),
              limit,
            ),
            ...(over.some((p) => !p.link.podEnd && p.link.hostEnd.iface.linkNetns === undefined)
              ? [note`inside each pod whose namespace is not in the capture, its end of the veth too (nsenter -t <pod PID> -n ip link set dev <its interface> mtu ${limit})`]
              : []),
            cni
              ? note`durable: set ${DURABLE[cni].setting} to ${limit}, ${DURABLE[cni].then} on ${host.name}, then recreate its pods (a veth keeps the MTU it was created with)`
              : note`durable: set the CNI's MTU setting to ${limit}, then recreate the pods on ${host.name} (a veth keeps the MTU it was created with)`,
          ],
        }),
      );
    }
    return out;
  },
};
