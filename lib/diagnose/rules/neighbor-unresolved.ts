import type { Finding, Rule } from '../types';
import { deviceId, findDevice } from '../devices';
import { entityEvidence } from '../evidence';
import { inNetns, sh, where } from '../fix';
import { podIps } from '../pods';

const ID = 'neighbor-unresolved';

export const neighborUnresolved: Rule = {
  id: ID,
  severity: 'warning',
  title: 'A pod IP does not answer ARP/ND (FAILED or INCOMPLETE neighbour)',
  run(topology) {
    const pods = podIps(topology);
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      for (const ns of host.namespaces) {
        for (const neigh of ns.neighbors) {
          const state = neigh.state.find((s) => s === 'FAILED' || s === 'INCOMPLETE');
          if (!state || !pods.has(neigh.dst)) continue;
          const dev = findDevice(host, ns, neigh.dev);
          out.push({
            rule: ID,
            severity: 'warning',
            title: `${neigh.dst} is ${state} on ${neigh.dev} (${host.name})`,
            explanation:
              `${where(host.name, ns.netns)} asked for the MAC of pod IP ${neigh.dst} on ${neigh.dev} and got no answer ` +
              `(neighbour state ${state}). Packets to the pod are queued and then dropped, so the pod is unreachable from here. ` +
              `Look at the next hop towards the pod: the veth, bridge port or tunnel behind ${neigh.dev}.`,
            evidence: entityEvidence(host, ns, neigh),
            elements: dev ? [deviceId(dev)] : [],
            fix: [inNetns(ns.netns, sh`ip neigh del ${neigh.dst} dev ${neigh.dev}`), inNetns(ns.netns, sh`ping -c1 -W1 ${neigh.dst}`)],
          });
        }
      }
    }
    return out;
  },
};
