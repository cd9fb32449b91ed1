import type { Finding, Rule } from '../types';
import { deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inNetns, note, sh } from '../fix';
import { deletePodCommands } from '../pod-owner';
import { peerPodLinks } from '../peerpod';
import { finding } from '../finding';

const ID = 'peerpod-mtu-mismatch';

export const peerpodMtuMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Pod VM tunnel MTU differs from the pod interface MTU',
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, podVm, tunnelEdge } of peerPodLinks(topology)) {
      const pod = podIf.iface.mtu;
      const vm = podVm?.iface.mtu;
      if (!podVm || pod === undefined || vm === undefined || pod === vm) continue;
      // The pod VM sending more than the worker pod veth accepts drops replies at the veth; the reverse overflows the VM device.
      const why =
        vm > pod
          ? `The pod VM sends packets up to ${vm} bytes; the worker redirects them out of ${podIf.iface.name}, a veth that drops anything above ${pod}, so large replies from the pod never arrive.`
          : `The cluster sends the pod packets up to ${pod} bytes, but ${podVm.iface.name} in the pod VM only takes ${vm}, so large packets to the pod are lost and TCP negotiates an MSS the VM cannot honour.`;
      out.push(
        finding(ID, 'warning', {
          title: `Peer pod MTU ${pod} on ${podIf.host.name} but ${vm} on ${podVm.iface.name} (${podVm.host.name})`,
          explanation: `The worker pod interface and the pod VM tunnel device carry the same pod and must agree on the MTU. ${why}`,
          evidence: [deviceEvidence(podIf), deviceEvidence(podVm)],
          elements: [deviceId(podVm), deviceId(podIf), ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: [
            inNetns(podVm.ns.netns, sh`ip link set dev ${podVm.iface.name} mtu ${pod}`),
            note`durable: recreate the peer pod; cloud-api-adaptor gives the new pod VM's device the pod's MTU`,
            ...deletePodCommands(topology, podIf),
          ],
        }),
      );
    }
    return out;
  },
};
