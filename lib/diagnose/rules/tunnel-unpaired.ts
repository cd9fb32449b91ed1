import type { Finding, Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import { allDevices, deviceId, globalAddresses, hostAddresses, isPlainTunnel, tunnelParams, type Device } from '../devices';
import { deviceEvidence } from '../evidence';
import { where } from '../fix';
import { peerPodLinks } from '../peerpod';

const ID = 'tunnel-unpaired';

function ownerHost(hosts: HostState[], ip: string): HostState | undefined {
  return hosts.find((h) => hostAddresses(h).includes(ip));
}

/** A point-to-point tunnel on the far host that sends back to this host (any VNI: mismatches are another rule). */
function hasReturnTunnel(devices: Device[], far: HostState, near: HostState): boolean {
  const nearAddrs = hostAddresses(near);
  return devices.some((d) => d.host === far && isPlainTunnel(d.iface) && nearAddrs.includes(tunnelParams(d.iface)?.remote ?? ''));
}

export const tunnelUnpaired: Rule = {
  id: ID,
  severity: 'critical',
  title: 'Tunnel has no matching device on the host it points to',
  run(topology) {
    const devices = allDevices(topology);
    const links = peerPodLinks(topology);
    const out: Finding[] = [];
    for (const d of devices) {
      const remote = tunnelParams(d.iface)?.remote;
      if (!isPlainTunnel(d.iface) || remote === undefined) continue;
      const far = ownerHost(topology.hosts, remote);
      if (!far || far === d.host || far.status === 'failed') continue;
      const link = links.find((l) => l.workerTunnel.iface === d.iface && l.workerTunnel.host === d.host);
      const paired = link ? link.podVm !== undefined : hasReturnTunnel(devices, far, d.host);
      if (paired) continue;
      const podIp = link ? globalAddresses(link.podIf.iface)[0] : undefined;
      out.push({
        rule: ID,
        severity: 'critical',
        title: `${d.iface.name} on ${d.host.name} points to ${remote} (${far.name}), which has no tunnel back`,
        explanation:
          `${where(d.host.name, d.ns.netns, d.iface.name)} encapsulates traffic to ${remote}, an address of ${far.name}, but ` +
          `no tunnel device on ${far.name} ${podIp ? `carries the pod IP ${podIp}` : `sends back to ${d.host.name}`}. ` +
          `The far kernel has no device for these packets and drops them: the ${podIp ? 'peer pod' : 'tunnel'} is cut off.`,
        evidence: [deviceEvidence(d)],
        elements: [deviceId(d)],
        fix: podIp
          ? [`# the pod VM ${far.name} lost its tunnel device for ${podIp}: recreate the peer pod`, 'kubectl delete pod <peer-pod> --namespace <namespace>']
          : [`# recreate the tunnel on ${far.name} with remote ${hostAddresses(d.host)[0] ?? '<this host>'} and VNI ${tunnelParams(d.iface)?.vni ?? '?'}`],
      });
    }
    return out;
  },
};
