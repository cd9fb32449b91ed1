import type { Finding, Rule } from '../types';
import type { Interface } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { allDevices, deviceId, isPlainTunnel, tunnelKind, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { inNetns, note, part, sh } from '../fix';
import { isIpv4 } from '../ip';
import { peerPodLinks } from '../peerpod';
import { memoize } from '@/lib/topology/memoize';
import { redirectsIn } from '../redirects';
import { lookupRoute } from '../routes';
import { finding } from '../finding';
import { overlayVteps, vtepAddress } from '../vteps';
import { restartOverlayAgent } from '../agents';

const ID = 'tunnel-mtu-blackhole';

/**
 * Encapsulation overhead: VXLAN over IPv4 adds 50 bytes (14 Ethernet + 20 IP + 8 UDP + 8 VXLAN), over IPv6 70;
 * Geneve as OVN uses it adds 58 / 78 (8 more bytes of options).
 */
function overhead(iface: Interface, remote: string): number {
  const v4 = isIpv4(remote);
  return tunnelKind(iface) === 'geneve' ? (v4 ? 58 : 78) : v4 ? 50 : 70;
}

/** The underlay device the encapsulated packet leaves by: the lower device, else the route to the remote in the root namespace (where the UDP socket lives). */
function underlay(tunnel: Device, remote: string): { device: Device; routeMtu?: number; route?: Device['ns']['routes'][number] } | undefined {
  const params = tunnelParams(tunnel.iface);
  const lower = tunnel.ns.interfaces.find((i) => i.name === params?.dev);
  if (lower) return { device: { ...tunnel, iface: lower } };
  const root = rootNamespace(tunnel.host);
  if (!root) return undefined;
  const route = lookupRoute(root, remote);
  const iface = root.interfaces.find((i) => i.name === route?.dev);
  return iface ? { device: { host: tunnel.host, ns: root, iface }, routeMtu: route?.mtu, route } : undefined;
}

/** Each peer pod's worker tunnel → its pod interface, once per topology (a scan per tunnel is quadratic). */
const podIfByWorkerTunnel = memoize((topology: Topology): ReadonlyMap<Interface, Device> => new Map(peerPodLinks(topology).map((l) => [l.workerTunnel.iface, l.podIf])));

/**
 * For a tunnel fed by a tc redirect, the inner packets come from the redirecting device, so its MTU is what counts.
 * A peer pod's worker tunnel is fed by the pod interface alone, also while that redirect is missing (the redirect
 * rule's finding): its own MTU never limits anything.
 */
function innerDevice(topology: Topology, tunnel: Device): Device {
  const podIf = podIfByWorkerTunnel(topology).get(tunnel.iface);
  if (podIf) return podIf;
  const feeder = redirectsIn(tunnel.ns).find((r) => r.to === tunnel.iface.name);
  const iface = tunnel.ns.interfaces.find((i) => i.name === feeder?.from);
  return iface ? { ...tunnel, iface } : tunnel;
}

/**
 * An overlay VTEP has no remote of its own: its packets go to the underlay addresses of its FDB entries, else (no
 * FDB captured) the family of its own underlay address decides the overhead and the route to it the device.
 */
function overlayRemote(vtep: Device): string | undefined {
  return vtep.ns.fdb.find((e) => e.dev === vtep.iface.name && e.dst !== undefined)?.dst ?? vtepAddress(vtep);
}

export const tunnelMtuBlackhole: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Tunnel MTU plus encapsulation overhead exceeds the underlay MTU',
  run(topology, cluster) {
    const out: Finding[] = [];
    const vteps = new Set([...overlayVteps(topology).values()].flat().map((d) => d.iface));
    for (const tunnel of allDevices(topology)) {
      const overlay = vteps.has(tunnel.iface);
      const remote = tunnelParams(tunnel.iface)?.remote ?? (overlay ? overlayRemote(tunnel) : undefined);
      if (!isPlainTunnel(tunnel.iface) || remote === undefined) continue;
      const inner = innerDevice(topology, tunnel);
      const under = underlay(tunnel, remote);
      const innerMtu = inner.iface.mtu;
      const underMtu = under ? Math.min(under.device.iface.mtu ?? Infinity, under.routeMtu ?? Infinity) : undefined;
      if (!under || innerMtu === undefined || underMtu === undefined || !Number.isFinite(underMtu)) continue;
      const extra = overhead(tunnel.iface, remote);
      if (innerMtu + extra <= underMtu) continue;
      const fitting = underMtu - extra;
      out.push(
        finding(ID, 'warning', {
          title: `${inner.iface.name} MTU ${innerMtu} + ${extra} bytes of ${tunnelKind(tunnel.iface)} > ${under.device.iface.name} MTU ${underMtu} on ${tunnel.host.name}`,
          explanation:
            `Packets of ${innerMtu} bytes entering ${tunnel.iface.name} grow by ${extra} bytes of encapsulation and leave through ` +
            `${under.device.iface.name}, which carries at most ${underMtu}. VXLAN/Geneve endpoints must not fragment (RFC 7348 §4.3), ` +
            `so full-size packets are dropped: small requests work, large transfers and TLS handshakes hang. The inner MTU must ` +
            `be at most ${fitting}.`,
          evidence: [
            deviceEvidence(inner),
            ...(inner === tunnel ? [] : [deviceEvidence(tunnel)]),
            deviceEvidence(under.device),
            ...(under.route ? entityEvidence(tunnel.host, under.device.ns, under.route) : []),
          ],
          elements: [...new Set([deviceId(inner), deviceId(tunnel), deviceId(under.device)])],
          fix: [
            inNetns(inner.ns.netns, sh`ip link set dev ${inner.iface.name} mtu ${fitting}`),
            note`and set the CNI MTU to ${fitting} (or raise the underlay MTU of ${under.device.iface.name} to ${innerMtu + extra})`,
            ...(overlay
              ? restartOverlayAgent(topology, cluster, tunnel.host, tunnel.iface.name, part`sets the MTU of ${tunnel.iface.name} from the underlay again; then recreate the pods of this node`)
              : []),
          ],
        }),
      );
    }
    return out;
  },
};
