import type { Neighbor } from '@/lib/parse/types';
import type { Finding, Rule } from '../types';
import { deviceId, findDevice } from '@/lib/topology/query/devices';
import { entityEvidence } from '../evidence';
import { inNetns, sh, where } from '../fix';
import { podIps } from '../pods';
import { traceRoute } from '../trace';
import { finding } from '../finding';

const ID = 'neighbor-unresolved';

/** "12 s ago", from `ip -s neigh`; empty where the listing had no ages. */
function age(neigh: Neighbor): string {
  return neigh.age === undefined ? '' : ` (state set ${neigh.age.updated} s before the capture)`;
}

/**
 * The entry of an earlier listing of the same namespace where the address answered, when no later listing shows it
 * answering again: a paste that ran `arp -an` before and after a change. Undefined when the capture has no such pair.
 */
function answeredBefore(neighbors: readonly Neighbor[], at: number): Neighbor | undefined {
  const { dst, dev } = neighbors[at];
  const same = (n: Neighbor) => n.dst === dst && n.dev === dev && n.lladdr !== undefined && !n.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE');
  if (neighbors.slice(at + 1).some(same)) return undefined;
  return neighbors.slice(0, at).findLast(same);
}

/**
 * A FAILED neighbour entry records the last attempt: it stays FAILED until the next packet asks again (the kernel
 * then turns it INCOMPLETE and probes) or until garbage collection. So an entry left by traffic during a fault
 * outlives the fault. What tells a live failure from a leftover is the rest of the capture: if the path to the pod
 * as captured carries the packet (routes, bridge, veth, tc redirects, tunnel, all the way to the device holding the
 * IP), the next packet gets an answer and the entry is history; if the path breaks, or leaves what was captured,
 * nothing here says the pod would answer, and the unanswered request is a live symptom.
 */
export const neighborUnresolved: Rule = {
  id: ID,
  severity: 'warning',
  title: 'A pod IP does not answer ARP/ND (FAILED or INCOMPLETE neighbour)',
  run(topology) {
    const pods = podIps(topology);
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      for (const ns of host.namespaces) {
        for (const [at, neigh] of ns.neighbors.entries()) {
          const state = neigh.state.find((s) => s === 'FAILED' || s === 'INCOMPLETE');
          if (!state) continue;
          const dev = findDevice(host, ns, neigh.dev);
          const elements = dev ? [deviceId(dev)] : [];
          const before = pods.has(neigh.dst) ? undefined : answeredBefore(ns.neighbors, at);
          if (before !== undefined) {
            out.push(
              finding(ID, 'warning', {
                title: `${neigh.dst} stopped answering ARP/ND on ${neigh.dev} (${host.name})`,
                explanation:
                  `${where(host.name, ns.netns)} listed ${neigh.dst} on ${neigh.dev} at ${before.lladdr ?? ''}, and in a later listing as ${state}${age(neigh)}: ` +
                  `the address answered before and no longer does, so packets to it are queued and then dropped. Look at what changed ` +
                  `on the device that holds ${neigh.dst} (its routes, its link, its ARP settings) between the two listings.`,
                evidence: [...entityEvidence(host, ns, before), ...entityEvidence(host, ns, neigh)],
                elements,
                fix: [inNetns(ns.netns, sh`ping -c1 -W1 ${neigh.dst}`), inNetns(ns.netns, sh`ip -s neigh show ${neigh.dst} dev ${neigh.dev}`)],
              }),
            );
            continue;
          }
          if (!pods.has(neigh.dst)) continue;
          const evidence = entityEvidence(host, ns, neigh);
          const path = dev ? traceRoute(topology, deviceId(dev), neigh.dst, { reresolve: true }) : undefined;
          if (path?.ok) {
            out.push(
              finding(ID, 'info', {
                title: `${neigh.dst} is ${state} on ${neigh.dev} (${host.name}), but the path to it as captured works`,
                explanation:
                  `${where(host.name, ns.netns)} holds a ${state} neighbour entry for pod IP ${neigh.dst} on ${neigh.dev}${age(neigh)}: ` +
                  `an earlier request got no answer. The path to ${neigh.dst} as captured now carries packets all the way to the device ` +
                  `that holds the address (${path.hops.length} hops), so the entry is most likely left over from a fault that has since ` +
                  `been fixed; the kernel asks again with the next packet. If a new ping leaves it ${state} again, the cause is outside ` +
                  `what was captured (the pod's own firewall or ARP settings, or a host not captured).`,
                evidence,
                elements,
                fix: [inNetns(ns.netns, sh`ping -c1 -W1 ${neigh.dst}`), inNetns(ns.netns, sh`ip -s neigh show ${neigh.dst} dev ${neigh.dev}`)],
              }),
            );
            continue;
          }
          const breaks = path && !path.ok && path.reason ? ` The path as captured breaks: ${path.reason}.` : '';
          const hop = path?.brokenAt === undefined ? undefined : path.hops[path.brokenAt];
          const causedAt = hop === undefined ? undefined : [hop.element, ...(hop.edge === undefined ? [] : [hop.edge])];
          out.push(
            finding(ID, 'warning', {
              title: `${neigh.dst} is ${state} on ${neigh.dev} (${host.name})`,
              explanation:
                `${where(host.name, ns.netns)} asked for the MAC of pod IP ${neigh.dst} on ${neigh.dev} and got no answer ` +
                `(neighbour state ${state}${age(neigh)}). Packets to the pod are queued and then dropped, so the pod is unreachable from here. ` +
                `Look at the next hop towards the pod: the veth, bridge port or tunnel behind ${neigh.dev}.${breaks}`,
              evidence,
              elements,
              fix: [inNetns(ns.netns, sh`ip neigh del ${neigh.dst} dev ${neigh.dev}`), inNetns(ns.netns, sh`ping -c1 -W1 ${neigh.dst}`)],
              causedAt,
            }),
          );
        }
      }
    }
    return out;
  },
};
