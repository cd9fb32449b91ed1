import type { Finding, Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { deviceId, tunnelKind, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { note, sh, where } from '../fix';
import { peerPodTunnelsOn } from '../peerpod-tunnels';
import { finding } from '../finding';

const ID = 'peerpod-vxlan-port-conflict';

/** Ports worth suggesting: IANA VXLAN, the Linux/flannel default, then the ports next to them. */
const PORT_CANDIDATES = [4789, 8472, 4790, 4791, 4792, 8473];

function freePort(topology: Topology, host: HostState): number {
  const used = new Set(host.namespaces.flatMap((ns) => ns.interfaces.map(tunnelPort)));
  for (const d of peerPodTunnelsOn(topology, host)) used.add(tunnelPort(d.iface));
  return PORT_CANDIDATES.find((p) => !used.has(p)) ?? 4790;
}

/**
 * A collect-metadata device and a classic one cannot share a UDP port in one namespace; two classic devices can,
 * unless they also share the VNI.
 */
function clashes(root: Device, tunnel: Device): boolean {
  if (tunnelPort(root.iface) !== tunnelPort(tunnel.iface)) return false;
  const params = tunnelParams(root.iface);
  return params?.external === true || (params?.vni !== undefined && params.vni === tunnelParams(tunnel.iface)?.vni);
}

function victim(root: Device, tunnels: Device[]): string {
  const down = tunnels.filter((t) => !t.iface.up);
  if (down.length > 0) return `${down.map((t) => t.iface.name).join(', ')} could not be brought up: the CNI device held the port first`;
  if (!root.iface.up) return `${root.iface.name} is down: the peer-pod tunnel took the port first`;
  return 'whichever device is set up next (a new peer pod, or the CNI device after an agent restart) fails';
}

function findingFor(topology: Topology, root: Device, tunnels: Device[]): Finding {
  const port = tunnelPort(root.iface);
  const external = tunnelParams(root.iface)?.external === true;
  const free = freePort(topology, root.host);
  const names = tunnels.map((t) => `${t.iface.name}${t.ns.netns ? ` (${t.ns.netns})` : ''}`).join(', ');
  const why = external
    ? `${root.iface.name} is a collect-metadata (external) VXLAN device, and the kernel cannot share one UDP socket between a ` +
      `metadata device and a classic one, so the second to open port ${port} gets "RTNETLINK answers: Address already in use"`
    : `${root.iface.name} uses the same VNI ${tunnelParams(root.iface)?.vni ?? '?'} on the same port, so the kernel cannot tell their packets apart and refuses the second one`;
  return finding(ID, 'critical', {
    title: `${root.iface.name} and peer-pod tunnel ${names} share UDP port ${port} on ${root.host.name}`,
    explanation:
      `${where(root.host.name, null, root.iface.name)} listens on UDP ${port}, and so does the peer-pod tunnel ${names}, ` +
      `which cloud-api-adaptor created in the same root namespace before moving it into the pod. ${why}. ` +
      `Here ${victim(root, tunnels)}. A peer pod without its tunnel is cut off; a CNI without its tunnel device cuts off ` +
      `every pod on the node from other nodes.`,
    evidence: [deviceEvidence(root), ...tunnels.map(deviceEvidence)],
    elements: [deviceId(root), ...tunnels.map(deviceId)],
    fix: [
      sh`kubectl -n confidential-containers-system patch configmap peer-pods-cm --type merge -p ${JSON.stringify({ data: { VXLAN_PORT: String(free) } })}`,
      sh`kubectl -n confidential-containers-system rollout restart daemonset cloud-api-adaptor-daemonset`,
      note`allow UDP ${free} between the workers and the pod VMs (security group / firewall), then recreate the peer pods`,
      note`(OpenShift sandboxed containers keep peer-pods-cm in namespace openshift-sandboxed-containers-operator)`,
    ],
  });
}

export const peerpodVxlanPortConflict: Rule = {
  id: ID,
  severity: 'critical',
  title: 'A CNI VXLAN device and a peer-pod tunnel share one UDP port',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const tunnels = peerPodTunnelsOn(topology, host);
      const root = rootNamespace(host);
      if (!root || tunnels.length === 0) continue;
      for (const iface of root.interfaces) {
        if (tunnelKind(iface) !== 'vxlan') continue;
        const device: Device = { host, ns: root, iface };
        const clashing = tunnels.filter((t) => clashes(device, t));
        if (clashing.length > 0) out.push(findingFor(topology, device, clashing));
      }
    }
    return out;
  },
};
