import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState, Neighbor } from '@/lib/parse/types';
import { ownersOf } from '@/lib/topology/query/device-index';
import { deviceId, findDevice } from '@/lib/topology/query/devices';
import { entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, note, part, sh } from '../fix';
import { isZeroMac, sameMac } from '../ip';
import { isSpecialAddress } from '@/lib/topology/ip';
import { finding } from '../finding';
import { on } from '../fix-host';
import { restartOverlayAgent } from '../agents';
import { publishedVtepMac } from '../flannel';

const ID = 'vtep-mac-disagreement';

interface Held {
  host: HostState;
  ns: NamespaceState;
  neigh: Neighbor;
}

/**
 * Overlays (flannel, Calico VXLAN) install one PERMANENT neighbour entry per remote VTEP on the overlay device of
 * every node: the same VTEP address must resolve to the same MAC everywhere. Where the VTEP's own device was not
 * captured (neighbor-mac-mismatch judges against it when it was), nodes that disagree show that at least one of
 * them keeps a stale MAC, typically from before the remote node re-created its VTEP.
 */
export const vtepMacDisagreement: Rule = {
  id: ID,
  severity: 'warning',
  title: 'One VTEP address resolved to different MACs on different nodes',
  run(topology, cluster) {
    const byKey = new Map<string, Held[]>();
    for (const host of topology.hosts) {
      for (const ns of host.namespaces) {
        for (const neigh of ns.neighbors) {
          if (!neigh.lladdr || isZeroMac(neigh.lladdr) || isSpecialAddress(neigh.dst) || !neigh.state.includes('PERMANENT')) continue;
          const key = `${neigh.dev} ${neigh.dst}`;
          const list = byKey.get(key) ?? [];
          list.push({ host, ns, neigh });
          byKey.set(key, list);
        }
      }
    }
    const out: Finding[] = [];
    for (const held of byKey.values()) {
      const hosts = new Set(held.map((h) => h.host));
      if (hosts.size < 2) continue;
      const macs = [...new Set(held.map((h) => h.neigh.lladdr?.toLowerCase() ?? ''))];
      if (macs.length < 2) continue;
      const { dst, dev } = held[0].neigh;
      // Where the owner's device or its node's published MAC is known, entries are judged against it instead.
      if (ownersOf(topology, dst).some((o) => o.iface.mac !== undefined) || publishedVtepMac(cluster, dst) !== undefined) continue;
      const groups = macs.map((mac) => ({ mac, on: held.filter((h) => sameMac(h.neigh.lladdr, mac)) }));
      const list = groups.map((g) => `${g.mac} on ${g.on.map((h) => h.host.name).join(', ')}`).join('; ');
      out.push(
        finding(ID, 'warning', {
          title: `VTEP ${dst} resolves to ${macs.length} different MACs: ${list}`,
          explanation:
            `Every node keeps a permanent neighbour entry for the remote VTEP ${dst} on ${dev}, and they disagree: ${list}. ` +
            `Only one of them is the MAC of ${dst}'s own ${dev}; frames sent to the others are dropped by that node, so ` +
            `pods on the nodes holding a stale entry cannot reach pods behind ${dst}. The capture does not hold the device ` +
            `that owns ${dst}: read its MAC on its node (ip -br link show ${dev}) to tell which entries are stale.`,
          evidence: mergeEvidence(held.flatMap((h) => entityEvidence(h.host, h.ns, h.neigh))),
          elements: held.flatMap((h) => {
            const d = findDevice(h.host, h.ns, dev);
            return d ? [deviceId(d)] : [];
          }),
          fix: groups.flatMap((g) =>
            g.on.flatMap((h) => [
              on(h.host),
              note`if ${g.mac} is stale (the node that owns ${dst} shows its MAC with: ip -br link show ${dev}):`,
              inNetns(h.ns.netns, sh`ip neigh replace ${dst} lladdr <MAC of the VTEP device on its node> dev ${dev} nud permanent`),
              ...restartOverlayAgent(topology, cluster, h.host, dev, part`writes the entry again from the node records`),
            ]),
          ),
        }),
      );
    }
    return out;
  },
};
