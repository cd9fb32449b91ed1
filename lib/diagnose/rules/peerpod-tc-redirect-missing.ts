import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import { deviceEvidence, entityEvidence } from '../evidence';
import { inNetns, note, part, sh, type ShellLine, where } from '../fix';
import { peerPodLinks } from '../peerpod';
import { redirectsIn } from '../redirects';
import { tcFiltersKnown } from '@/lib/parse/collected';
import { finding } from '../finding';

const ID = 'peerpod-tc-redirect-missing';

/** On a clsact qdisc the filter goes on its ingress hook (an ingress qdisc cannot be added next to it); else on the legacy ingress qdisc. */
function addRedirect(ns: NamespaceState, from: string, to: string): ShellLine[] {
  const redirect = part`protocol all u32 match u32 0 0 action mirred egress redirect dev ${to}`;
  if (ns.qdiscs.some((q) => q.dev === from && q.kind === 'clsact')) return [inNetns(ns.netns, sh`tc filter add dev ${from} ingress ${redirect}`)];
  return [inNetns(ns.netns, sh`tc qdisc add dev ${from} ingress`), inNetns(ns.netns, sh`tc filter add dev ${from} parent ffff: ${redirect}`)];
}

function brokenTargets(host: HostState, ns: NamespaceState): Finding[] {
  const out: Finding[] = [];
  for (const r of redirectsIn(ns)) {
    const target = ns.interfaces.find((i) => i.name === r.to);
    // A target without carrier is the link rule's finding; here only a missing or admin-down target counts.
    if (target && target.up) continue;
    const from = ifaceId(host.name, ns.netns, r.from);
    const to = ifaceId(host.name, ns.netns, r.to);
    const dangling = /^if\d+$/.test(r.to) || !target;
    out.push(
      finding(ID, 'critical', {
        title: dangling ? `tc on ${r.from} redirects to ${r.to}, which does not exist` : `tc on ${r.from} redirects to ${r.to}, which is down`,
        explanation:
          `Every frame arriving on ${where(host.name, ns.netns, r.from)} is stolen by a tc mirred redirect and sent out of ` +
          `${r.to}. ${dangling ? `That device no longer exists in this namespace (tc prints a bare ifindex), so` : `That device is down, so`} ` +
          `the frames are dropped and nothing leaves this way.`,
        evidence: [...entityEvidence(host, ns, r.filter), ...(target ? [deviceEvidence({ host, ns, iface: target })] : [])],
        elements: [from, ...(target ? [to, edgeId('tc-redirect', from, to, true)] : [])],
        fix: dangling
          ? [inNetns(ns.netns, sh`tc filter del dev ${r.from} ingress`), note`then recreate the pod so the tunnel and redirects are rebuilt`]
          : [inNetns(ns.netns, sh`ip link set ${r.to} up`)],
      }),
    );
  }
  return out;
}

export const peerpodTcRedirectMissing: Rule = {
  id: ID,
  severity: 'critical',
  title: 'tc redirect between the pod interface and its tunnel is missing or broken',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) for (const ns of host.namespaces) out.push(...brokenTargets(host, ns));
    for (const { podIf, workerTunnel } of peerPodLinks(topology)) {
      const { host, ns } = podIf;
      const redirects = redirectsIn(ns);
      // No tc output at all in this namespace means tc was not collected, not that the filters are gone.
      if (redirects.length === 0 && ns.qdiscs.length === 0 && ns.tcFilters.length === 0) continue;
      const pod = podIf.iface.name;
      const tun = workerTunnel.iface.name;
      // A direction counts as missing only where the filters of the device it starts from were listed.
      const missing = (
        [
          [pod, tun],
          [tun, pod],
        ] as [string, string][]
      ).filter(([from, to]) => !redirects.some((r) => r.from === from && r.to === to) && tcFiltersKnown(host, ns, from));
      if (missing.length === 0) continue;
      const wrong = redirects.filter((r) => missing.some(([from]) => r.from === from));
      out.push(
        finding(ID, 'critical', {
          title: `No tc redirect ${missing.map(([a, b]) => `${a} → ${b}`).join(' and ')} in ${ns.netns ?? 'root'} on ${host.name}`,
          explanation:
            `A peer pod's traffic crosses ${where(host.name, ns.netns)} only through two tc redirects: ${pod} → ${tun} (pod to VM) ` +
            `and ${tun} → ${pod} (VM to pod). ${missing.map(([a, b]) => `${a} → ${b}`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} ` +
            `missing${wrong.length > 0 ? ` (${wrong.map((r) => `${r.from} redirects to ${r.to} instead`).join('; ')})` : ''}, so ` +
            `frames in that direction stop here${missing.length === 1 ? ' while the other direction still works (one-way traffic)' : ''}.`,
          evidence: [deviceEvidence(podIf), deviceEvidence(workerTunnel), ...redirects.flatMap((r) => entityEvidence(host, ns, r.filter))],
          elements: [ifaceId(host.name, ns.netns, pod), ifaceId(host.name, ns.netns, tun)],
          fix: missing.flatMap(([a, b]) => addRedirect(ns, a, b)),
        }),
      );
    }
    return out;
  },
};
