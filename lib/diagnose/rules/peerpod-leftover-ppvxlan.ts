import type { Finding, Rule } from '../types';
import { deviceId, tunnelKind, tunnelPort } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { note, sh, where } from '../fix';
import { finding } from '../finding';
import { restartAgent } from '../agents';

const ID = 'peerpod-leftover-ppvxlan';

/** cloud-api-adaptor names the device ppvxlan1..ppvxlan5 in the root namespace, then moves it into the pod as vxlan1. */
const CAA_HOST_DEVICE = /^ppvxlan\d+$/;

export const peerpodLeftoverPpvxlan: Rule = {
  id: ID,
  severity: 'warning',
  title: 'A peer-pod tunnel device was left in the root namespace',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      for (const iface of root?.interfaces ?? []) {
        if (!root || !CAA_HOST_DEVICE.test(iface.name) || tunnelKind(iface) !== 'vxlan') continue;
        const device = { host, ns: root, iface };
        const params = tunnelParams(iface);
        const target = params?.remote ?? params?.group;
        out.push(
          finding(ID, 'warning', {
            title: `${iface.name} is still in the root namespace of ${host.name} (VNI ${params?.vni ?? '?'}, UDP ${tunnelPort(iface) ?? '?'})`,
            explanation:
              `cloud-api-adaptor creates a peer pod's tunnel as ${iface.name} in ${where(host.name, null)} and at once moves it ` +
              `into the pod's namespace as vxlan1; a ${iface.name} that stays behind means that setup stopped half-way, so a peer ` +
              `pod${target ? ` (pod VM ${target})` : ''} has no tunnel. The device still holds VNI ${params?.vni ?? '?'} on UDP ` +
              `${tunnelPort(iface) ?? '?'}, and the next peer pod given that VNI cannot create its own; after five such names ` +
              `cloud-api-adaptor fails with "too many".`,
            evidence: [deviceEvidence(device)],
            elements: [deviceId(device)],
            fix: [
              note`check that no running pod namespace expects this tunnel (ip netns list; ip -n <ns> -d link show vxlan1), then:`,
              sh`ip link del ${iface.name}`,
              note`and recreate the peer pod whose setup failed; if setups keep stopping half-way, restart cloud-api-adaptor on ${host.name}`,
              restartAgent(topology, cluster, 'cloud-api-adaptor', host),
            ],
          }),
        );
      }
    }
    return out;
  },
};
