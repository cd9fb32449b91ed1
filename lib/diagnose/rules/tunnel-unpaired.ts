import type { Finding, Rule } from '../types';
import type { HostState, Interface } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { hostOwningRootAddress, plainTunnelsOn, rootAddressesOf } from '@/lib/topology/query/device-index';
import { allDevices, deviceId, globalAddresses, hostAddresses, isPlainTunnel } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { note, where } from '../fix';
import { peerPodLinks, type PeerPodLink } from '../peerpod';
import { deletePodCommands } from '../pod-owner';
import { finding } from '../finding';
import { on } from '../fix-host';

const ID = 'tunnel-unpaired';

/** A point-to-point tunnel on the far host that sends back to this host (any VNI: mismatches are another rule). */
function hasReturnTunnel(topology: Topology, far: HostState, near: HostState): boolean {
  const nearAddrs = rootAddressesOf(topology, near);
  return plainTunnelsOn(topology, far).some((d) => nearAddrs.has(tunnelParams(d.iface)?.remote ?? ''));
}

function linksByTunnel(links: readonly PeerPodLink[]): Map<Interface, PeerPodLink[]> {
  const out = new Map<Interface, PeerPodLink[]>();
  for (const link of links) out.set(link.workerTunnel.iface, [...(out.get(link.workerTunnel.iface) ?? []), link]);
  return out;
}

export const tunnelUnpaired: Rule = {
  id: ID,
  severity: 'critical',
  title: 'Tunnel has no matching device on the host it points to',
  run(topology) {
    const links = linksByTunnel(peerPodLinks(topology));
    // A pod VM end paired with its worker end by the pod IP is judged by the peer-pod rules (endpoints, VNI, port).
    const vmEnds = new Set(peerPodLinks(topology).flatMap((l) => (l.podVm ? [l.podVm.iface] : [])));
    const out: Finding[] = [];
    for (const d of allDevices(topology)) {
      const remote = tunnelParams(d.iface)?.remote;
      if (!isPlainTunnel(d.iface) || remote === undefined) continue;
      const far = hostOwningRootAddress(topology, remote);
      if (!far || far === d.host || far.status === 'failed') continue;
      const link = links.get(d.iface)?.find((l) => l.workerTunnel.host === d.host);
      const paired = link ? link.podVm !== undefined : vmEnds.has(d.iface) || hasReturnTunnel(topology, far, d.host);
      if (paired) continue;
      const podIp = link ? globalAddresses(link.podIf.iface)[0] : undefined;
      out.push(
        finding(ID, 'critical', {
          title: `${d.iface.name} on ${d.host.name} points to ${remote} (${far.name}), which has no tunnel back`,
          explanation:
            `${where(d.host.name, d.ns.netns, d.iface.name)} encapsulates traffic to ${remote}, an address of ${far.name}, but ` +
            `no tunnel device on ${far.name} ${podIp ? `carries the pod IP ${podIp}` : `sends back to ${d.host.name}`}. ` +
            `The far kernel has no device for these packets and drops them: the ${podIp ? 'peer pod' : 'tunnel'} is cut off.`,
          evidence: [deviceEvidence(d)],
          elements: [deviceId(d)],
          fix:
            link && podIp
              ? [note`the pod VM ${far.name} lost its tunnel device for ${podIp}: recreate the peer pod`, ...deletePodCommands(topology, link.podIf)]
              : [
                  on(far),
                  note`recreate the tunnel on ${far.name} with remote ${tunnelParams(d.iface)?.local ?? hostAddresses(d.host)[0] ?? '<this host>'} and VNI ${tunnelParams(d.iface)?.vni ?? '?'}`,
                ],
        }),
      );
    }
    return out;
  },
};
