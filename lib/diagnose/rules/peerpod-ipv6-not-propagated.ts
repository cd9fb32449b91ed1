import type { Finding, Rule } from '../types';
import { deviceId, globalAddresses } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { note, where } from '../fix';
import { peerPodLinks } from '../peerpod';
import { finding } from '../finding';

const ID = 'peerpod-ipv6-not-propagated';

export const peerpodIpv6NotPropagated: Rule = {
  id: ID,
  severity: 'info',
  title: 'The peer pod has IPv6 addresses that the pod VM does not carry',
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, podVm, tunnelEdge } of peerPodLinks(topology)) {
      const v6 = globalAddresses(podIf.iface, 'inet6');
      if (!podVm || v6.length === 0 || globalAddresses(podVm.iface, 'inet6').length > 0) continue;
      out.push(
        finding(ID, 'info', {
          title: `Pod IPv6 ${v6.join(', ')} is not on ${podVm.iface.name} in pod VM ${podVm.host.name}`,
          explanation:
            `The cluster gave the pod ${v6.join(', ')} on ${where(podIf.host.name, podIf.ns.netns, podIf.iface.name)}, but ` +
            `${where(podVm.host.name, podVm.ns.netns, podVm.iface.name)}, where the workload runs, has no global IPv6 address. ` +
            `cloud-api-adaptor carries exactly one IPv4 address into the pod VM (getPodIP; its NOTRACK rules are IPv4 only), so ` +
            `IPv6 traffic to this pod reaches the worker and ends there. This is a limitation of peer pods, not a broken setup.`,
          evidence: [deviceEvidence(podIf), deviceEvidence(podVm)],
          elements: [deviceId(podIf), deviceId(podVm), ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: [note`peer pods carry IPv4 only: run them on a single-stack IPv4 network, or reach them over IPv4`],
        }),
      );
    }
    return out;
  },
};
