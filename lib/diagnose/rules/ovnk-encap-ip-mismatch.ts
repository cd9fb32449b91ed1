import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { hostId } from '@/lib/topology/ids';
import { ranIn } from '@/lib/parse/collected';
import { deviceEvidence } from '../evidence';
import { deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { encapIps, externalIdEvidence } from '../open-vswitch';
import { uplinkName } from '../routes';
import { note, sh } from '../fix';
import { finding } from '../finding';
import { restartAgent } from '../agents';
import { kubeNodeName } from '../fix-host';
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';

const ID = 'ovnk-encap-ip-mismatch';

/** The device of the default route: the node's own address lives there (br-ex with OVN-Kubernetes). */
function nodeDevice(host: HostState, root: NamespaceState): Device | undefined {
  const iface = root.interfaces.find((i) => i.name === uplinkName(root));
  return iface ? { host, ns: root, iface } : undefined;
}

/** The node's InternalIP as the cluster context records it, when the capture shows no address on the uplink. */
function internalIp(topology: Topology, cluster: ClusterContext | undefined, host: HostState): string | undefined {
  const node = kubeNodeName(topology, cluster, host);
  return cluster?.nodes.find((n) => n.name === node)?.internalIPs[0];
}

function findingFor(topology: Topology, cluster: ClusterContext | undefined, host: HostState, root: NamespaceState, missing: string[]): Finding {
  const node = nodeDevice(host, root);
  const nodeIp = (node ? globalAddresses(node.iface)[0] : undefined) ?? internalIp(topology, cluster, host);
  const wanted = encapIps(host)
    .map((ip) => (missing.includes(ip) ? (nodeIp ?? '<node IP>') : ip))
    .join(',');
  return finding(ID, 'warning', {
    title: `ovn-encap-ip ${missing.join(', ')} is not an address of ${host.name}`,
    explanation:
      `OVN tells every other node to send Geneve traffic for ${host.name}'s pods to external_ids:ovn-encap-ip ` +
      `(${missing.join(', ')}), and ovn-controller sources this node's tunnels from it. No interface in the root namespace of ` +
      `${host.name} holds that address${node && nodeIp ? `; the node's address is ${nodeIp} on ${node.iface.name}` : ''}, so ` +
      `tunnel packets to this node go to a machine that is not there (or another one), and pods on ${host.name} cannot reach ` +
      `pods on other nodes. It happens when the node's IP changed (DHCP, re-IP) or the encap IP was taken from another NIC.`,
    evidence: [...externalIdEvidence(host, 'ovn-encap-ip'), ...(node ? [deviceEvidence(node)] : [])],
    elements: [hostId(host.name), ...(node ? [deviceId(node)] : [])],
    fix: [
      sh`ovs-vsctl set Open_vSwitch . external_ids:ovn-encap-ip=${wanted}`,
      note`then restart ovnkube-node on ${host.name} so the chassis record carries the new address`,
      restartAgent(topology, cluster, 'ovn-kubernetes', host),
    ],
  });
}

export const ovnkEncapIpMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: 'ovn-encap-ip is not an address of the node',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      const ips = encapIps(host);
      if (!root || ips.length === 0) continue;
      const addresses = new Set(root.interfaces.flatMap((i) => i.addresses.map((a) => a.local)));
      if (!ranIn(root, 'ip-addr', addresses.size > 0)) continue;
      const missing = ips.filter((ip) => !addresses.has(ip));
      if (missing.length > 0) out.push(findingFor(topology, cluster, host, root, missing));
    }
    return out;
  },
};
