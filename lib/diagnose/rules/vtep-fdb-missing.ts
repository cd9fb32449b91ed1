import type { Finding, Rule } from '../types';
import { ranFor } from '@/lib/parse/collected';
import { deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence } from '../evidence';
import { isZeroMac, sameMac } from '../ip';
import { overlayVteps, vtepAddress } from '../vteps';
import { part, sh } from '../fix';
import { restartOverlayAgent } from '../agents';
import { finding } from '../finding';

const ID = 'vtep-fdb-missing';

export const vtepFdbMissing: Rule = {
  id: ID,
  severity: 'critical',
  title: 'Overlay forwarding entry for a remote node is missing or stale',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const [name, vteps] of overlayVteps(topology)) {
      for (const local of vteps) {
        // Without `bridge fdb` output for this device the FDB is unknown, not empty: nothing to judge.
        const entries = local.ns.fdb.filter((e) => e.dev === name);
        if (!ranFor(local.ns, 'bridge-fdb', name, entries.length > 0)) continue;
        for (const remote of vteps) {
          if (remote === local || !remote.iface.mac) continue;
          const dst = vtepAddress(remote);
          if (dst === undefined) continue;
          const exact = entries.find((e) => sameMac(e.mac, remote.iface.mac) && e.dst === dst);
          if (exact) continue;
          // An all-zero entry to the remote floods unknown destinations to it (head-end replication): a learning
          // overlay needs no entry per VTEP. A VTEP that is a bridge port carries the pods' own MACs, so an entry of
          // another MAC towards the remote is a pod behind it, not a stale VTEP entry.
          const towards = entries.filter((e) => e.dst === dst);
          if (towards.some((e) => isZeroMac(e.mac))) continue;
          if (local.iface.master !== undefined && towards.length > 0) continue;
          const stale = entries.find((e) => !isZeroMac(e.mac) && (e.dst === dst || sameMac(e.mac, remote.iface.mac)));
          out.push(
            finding(ID, 'critical', {
              title: stale
                ? `${local.host.name} ${name}: FDB entry for ${remote.host.name} is stale (${stale.mac} → ${stale.dst ?? '?'})`
                : `${local.host.name} ${name}: no FDB entry for ${remote.host.name} (${remote.iface.mac} → ${dst})`,
              explanation:
                `To reach pods on ${remote.host.name}, ${local.host.name} resolves the remote VTEP MAC ${remote.iface.mac} through ` +
                `the forwarding database of ${name} to the underlay address ${dst}. ` +
                (stale ? `The entry it has points to ${stale.mac} → ${stale.dst ?? '?'}, which is not ${remote.host.name}'s current VTEP (recreated device or new IP), ` : `There is no such entry, `) +
                `so encapsulated packets go nowhere and pods on the two nodes cannot talk.`,
              evidence: [...(stale ? entityEvidence(local.host, local.ns, stale) : []), deviceEvidence(local), deviceEvidence(remote)],
              elements: [deviceId(local), deviceId(remote)],
              fix: [
                sh`bridge fdb replace ${remote.iface.mac ?? '<mac>'} dev ${name} dst ${dst} self permanent`,
                ...restartOverlayAgent(topology, cluster, local.host, name, part`rewrites its FDB entries from the nodes' records`),
              ],
            }),
          );
        }
      }
    }
    return out;
  },
};
