import type { Finding, Rule } from '../types';
import { ovsBridgeId, ifaceId } from '@/lib/topology/ids';
import { isOperDown } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { integrationBridge, ovsBridgeInterfaces, usesOvn } from '../ovs';
import { devicesListed } from '@/lib/parse/collected';
import { note, sh } from '../fix';
import { finding } from '../finding';
import { restartAgent } from '../agents';

const ID = 'ovn-mgmt-port-broken';

export const ovnMgmtPortBroken: Rule = {
  id: ID,
  severity: 'critical',
  title: 'OVN management port is missing or down',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const bridge = integrationBridge(host);
      const root = rootNamespace(host);
      if (!usesOvn(host) || !bridge || !root || root.interfaces.length === 0) continue;
      const ports = ovsBridgeInterfaces(host, bridge);
      const pods = ports.filter((p) => p.type !== 'internal' && p.externalIds['iface-id'] !== undefined);
      const mgmt = ports.find((p) => p.type === 'internal' && p.name !== bridge.name && p.externalIds['iface-id'] !== undefined);
      if (!mgmt) {
        if (pods.length === 0) continue;
        out.push(
          finding(ID, 'critical', {
            title: `No OVN management port on ${bridge.name} (${host.name})`,
            explanation:
              `${bridge.name} on ${host.name} has bound pod ports but no internal port bound to OVN (the management port, ` +
              `ovn-k8s-mp0 in OVN-Kubernetes). The node reaches its pods, and services reach endpoints, only through that port: ` +
              `health checks, kubelet probes and host-network traffic to pods fail.`,
            evidence: pods.flatMap((p) => entityEvidence(host, null, p)),
            elements: [ovsBridgeId(host.name, bridge.name)],
            fix: [
              sh`ovs-vsctl --may-exist add-port ${bridge.name} ovn-k8s-mp0 -- set interface ovn-k8s-mp0 type=internal external-ids:iface-id=k8s-${host.name}`,
              note`durable: restart the ovnkube-node pod on ${host.name}; it recreates the management port`,
              restartAgent(topology, cluster, 'ovn-kubernetes', host),
            ],
          }),
        );
        continue;
      }
      const kernel = root.interfaces.find((i) => i.name === mgmt.name);
      if (kernel ? !isOperDown(kernel) : !devicesListed(root)) continue;
      const device = kernel ? { host, ns: root, iface: kernel } : undefined;
      out.push(
        finding(ID, 'critical', {
          title: kernel ? `OVN management port ${mgmt.name} on ${host.name} is down` : `OVN management port ${mgmt.name} has no kernel device on ${host.name}`,
          explanation:
            `${mgmt.name} is the node's own port into the OVN network (iface-id ${mgmt.externalIds['iface-id'] ?? '?'}). ` +
            (kernel ? 'The kernel device is down, ' : 'OVS lists it but the kernel has no such device, ') +
            `so the node cannot reach any pod and service traffic from the host dies.`,
          evidence: [...entityEvidence(host, null, mgmt), ...(device ? [deviceEvidence(device)] : [])],
          elements: [kernel ? ifaceId(host.name, null, mgmt.name) : ovsBridgeId(host.name, bridge.name)],
          fix: [
            ...(kernel ? [sh`ip link set ${mgmt.name} up`] : [note`restart the ovnkube-node pod on ${host.name}: it recreates the device`]),
            restartAgent(topology, cluster, 'ovn-kubernetes', host),
          ],
        }),
      );
    }
    return out;
  },
};
