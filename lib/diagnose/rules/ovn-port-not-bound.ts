import type { Finding, Rule } from '../types';
import { deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence } from '../evidence';
import { integrationBridge, ovsBridgeOf, ovsInterface, usesOvn } from '../ovs';
import { podVethHostEnds } from '../veth';
import { note, sh } from '../fix';
import { finding } from '../finding';
import { deletePodCommands, podOwningNetns } from '../pod-owner';

const ID = 'ovn-port-not-bound';

export const ovnPortNotBound: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Pod port on the OVN integration bridge is not bound to a logical port',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const integration = integrationBridge(host);
      if (!usesOvn(host) || !integration) continue;
      for (const { hostEnd, podEnd } of podVethHostEnds(host)) {
        if (ovsBridgeOf(host, hostEnd.iface.name)?.name !== integration.name) continue;
        const ovsIf = ovsInterface(host, hostEnd.iface.name);
        if (!ovsIf) continue;
        const ifaceIdValue = ovsIf.externalIds['iface-id'];
        const installed = ovsIf.externalIds['ovn-installed'] === 'true';
        if (ifaceIdValue !== undefined && installed) continue;
        const pod = podOwningNetns(topology, host.name, podEnd.ns.netns);
        const what = ifaceIdValue === undefined ? 'has no external_ids:iface-id' : `has iface-id ${ifaceIdValue} but OVN never marked it ovn-installed`;
        out.push(
          finding(ID, 'warning', {
            title: `${hostEnd.iface.name} on ${integration.name} (${host.name}) ${what}`,
            explanation:
              `${hostEnd.iface.name} is the host end of the veth of the pod in netns ${podEnd.ns.netns ?? '?'} and a port of ${integration.name}, but it ${what}. ` +
              `ovn-controller binds a port to the pod's logical switch port only through iface-id, and installs its flows only then; ` +
              `until that happens ${integration.name} has no flow for this port and the pod's traffic is dropped.`,
            evidence: [...entityEvidence(host, null, ovsIf), deviceEvidence(hostEnd)],
            elements: [deviceId(hostEnd), deviceId(podEnd)],
            fix: [
              ifaceIdValue === undefined
                ? sh`ovs-vsctl set Interface ${hostEnd.iface.name} external_ids:iface-id=${pod ? `${pod.namespace}_${pod.name}` : '<namespace>_<pod>'}`
                : note`check ovn-controller on ${host.name} (ovn-remote, chassis registration) for port ${ifaceIdValue}`,
              note`or delete the pod so the CNI plugs it again`,
              ...deletePodCommands(topology, podEnd),
            ],
          }),
        );
      }
    }
    return out;
  },
};
