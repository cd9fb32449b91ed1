import type { Finding, Rule } from '../types';
import type { Neighbor } from '@/lib/parse/types';
import { ranIn } from '@/lib/parse/collected';
import { deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, note, sh, where } from '../fix';
import { sameMac } from '../ip';
import { peerPodLinks } from '../peerpod';
import { finding } from '../finding';

const ID = 'peerpod-permanent-neigh-not-propagated';

function permanent(neigh: Neighbor): boolean {
  return neigh.state.includes('PERMANENT');
}

export const peerpodPermanentNeighNotPropagated: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Static neighbour entries of the peer pod are missing in the pod VM',
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, podVm, tunnelEdge } of peerPodLinks(topology)) {
      if (!podVm || !ranIn(podVm.ns, 'ip-neigh', podVm.ns.neighbors.length > 0)) continue;
      const pinned = podIf.ns.neighbors.filter((n) => n.dev === podIf.iface.name && permanent(n) && n.lladdr !== undefined);
      const missing = pinned.filter((n) => !podVm.ns.neighbors.some((v) => v.dst === n.dst && sameMac(v.lladdr, n.lladdr)));
      if (missing.length === 0) continue;
      const list = missing.map((n) => `${n.dst} lladdr ${n.lladdr ?? '?'}`).join(', ');
      out.push(
        finding(ID, 'warning', {
          title: `Pod VM ${podVm.host.name} lacks the pod's static neighbour${missing.length > 1 ? 's' : ''} ${list}`,
          explanation:
            `${where(podIf.host.name, podIf.ns.netns, podIf.iface.name)} has PERMANENT neighbour entries (${list}) that the CNI ` +
            `pinned because nothing answers ARP for that address: the EKS VPC CNI, for one, routes the pod via 169.254.1.1 and ` +
            `only a static entry resolves it. The pod's traffic leaves from ${where(podVm.host.name, podVm.ns.netns, podVm.iface.name)}, ` +
            `which has no such entry, so its ARP requests for the gateway go unanswered and everything beyond the pod's own ` +
            `subnet is unreachable. cloud-api-adaptor copies these entries since v0.10.0 (PR #1983).`,
          evidence: mergeEvidence([
            ...missing.flatMap((n) => entityEvidence(podIf.host, podIf.ns, n)),
            ...podVm.ns.neighbors.flatMap((n) => entityEvidence(podVm.host, podVm.ns, n)),
            deviceEvidence(podVm),
          ]),
          elements: [deviceId(podVm), deviceId(podIf), ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: [
            ...missing.map((n) => inNetns(podVm.ns.netns, sh`ip neigh replace ${n.dst} lladdr ${n.lladdr ?? '<mac>'} dev ${podVm.iface.name} nud permanent`)),
            note`and recreate the pod with cloud-api-adaptor v0.10.0 or later so the entries are copied at setup`,
          ],
        }),
      );
    }
    return out;
  },
};
