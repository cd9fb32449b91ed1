import type { Finding, Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { integrationBridge, ovsBridgeOf, usesOvn } from '../ovs';
import { redirectsIn } from '../redirects';
import { podVethHostEnds } from '../veth';
import { note, sh } from '../fix';
import { finding } from '../finding';

const ID = 'pod-veth-not-on-bridge';

function attachment(host: HostState, d: Device): string | undefined {
  const ovs = ovsBridgeOf(host, d.iface.name);
  if (ovs) return `ovs:${ovs.name}`;
  if (d.iface.master) return `bridge:${d.iface.master}`;
  return undefined;
}

/**
 * Where this host's pod veths belong: OVN's integration bridge when the node runs OVN (pods are always its
 * ports), otherwise the bridge most of the other pod veths are on. Undefined for routed CNIs.
 */
function expectedBridge(host: HostState, hostEnds: Device[]): string | undefined {
  const integration = usesOvn(host) ? integrationBridge(host) : undefined;
  if (integration) return `ovs:${integration.name}`;
  const attached = hostEnds.map((e) => attachment(host, e)).filter((a): a is string => a !== undefined);
  if (attached.length === 0 || attached.length * 2 < hostEnds.length) return undefined;
  const counts = new Map<string, number>();
  for (const a of attached) counts.set(a, (counts.get(a) ?? 0) + 1);
  // The most common attachment; on a tie the one seen first.
  return attached.reduce((best, a) => ((counts.get(a) ?? 0) > (counts.get(best) ?? 0) ? a : best));
}

/** Routed CNIs (Calico, Cilium) never bridge pod veths; only judge hosts where the other pods are bridged. */
export const podVethNotOnBridge: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Pod veth host end is on no bridge while the other pods are',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const ends = podVethHostEnds(host);
      const bridge = expectedBridge(
        host,
        ends.map((e) => e.hostEnd),
      );
      if (bridge === undefined) continue;
      const [kind, name] = bridge.split(':');
      for (const { hostEnd, podEnd } of ends) {
        if (attachment(host, hostEnd)) continue;
        const tc = redirectsIn(hostEnd.ns).some((r) => r.from === hostEnd.iface.name) || hostEnd.ns.tcFilters.some((f) => f.dev === hostEnd.iface.name);
        if (tc) continue;
        out.push(
          finding(ID, 'warning', {
            title: `${hostEnd.iface.name} on ${host.name} is not a port of ${name ?? 'any bridge'}`,
            explanation:
              `${hostEnd.iface.name} is the host end of the pod veth in netns ${podEnd.ns.netns ?? '?'}. The other pods on ${host.name} ` +
              `are ports of ${name ?? '?'}, but this one is on no bridge (neither in OVS's Port table nor enslaved by master), ` +
              `so frames from the pod reach nothing and the pod is isolated.`,
            evidence: [deviceEvidence(hostEnd), deviceEvidence(podEnd)],
            elements: [deviceId(hostEnd), deviceId(podEnd)],
            fix: [
              kind === 'ovs' ? sh`ovs-vsctl add-port ${name ?? '<bridge>'} ${hostEnd.iface.name}` : sh`ip link set ${hostEnd.iface.name} master ${name ?? '<bridge>'}`,
              note`or delete the pod so the CNI plugs it again`,
            ],
          }),
        );
      }
    }
    return out;
  },
};
