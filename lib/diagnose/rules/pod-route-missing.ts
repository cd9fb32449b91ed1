import type { Finding, Rule } from '../types';
import type { Interface, NamespaceState } from '@/lib/parse/types';
import { deviceId, globalAddresses, isOperDown, isPlainTunnel } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { inCidr, networkOf } from '../ip';
import { deviceEvidence, entityEvidence } from '../evidence';
import { lookupRoute, isUnusableRoute, uplinkName } from '../routes';
import { podDevices } from '../pods';
import { ranIn } from '@/lib/parse/collected';
import { note, sh } from '../fix';
import { finding } from '../finding';

const ID = 'pod-route-missing';

/** The node's device that sits in the pod's subnet (a management port or CNI bridge), if any. */
function podFacingDevice(root: NamespaceState, ip: string): { iface: Interface; network: string } | undefined {
  for (const iface of root.interfaces) {
    for (const a of iface.addresses) {
      if (a.family !== 'inet' || a.scope === 'host' || a.prefixlen >= 32 || a.prefixlen === 0) continue;
      const network = networkOf(a.local, a.prefixlen);
      if (network !== undefined && inCidr(ip, network)) return { iface, network };
    }
  }
  return undefined;
}

/** The node must route each of its own pods' IPs to a pod-facing device, not out of the uplink or nowhere. */
export const podRouteMissing: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Node has no route to one of its pods, or routes it out of the uplink',
  run(topology) {
    const out: Finding[] = [];
    for (const pod of podDevices(topology)) {
      const root = rootNamespace(pod.host);
      if (!root || pod.host.role === 'podvm' || isPlainTunnel(pod.iface)) continue;
      const uplink = uplinkName(root);
      for (const ip of globalAddresses(pod.iface)) {
        // The table of the pod address's family must have been listed whole: a missing route is not seen in part of it.
        if (!ranIn(root, ip.includes(':') ? 'ip6-route' : 'ip-route', root.routes.length > 0)) continue;
        const facing = podFacingDevice(root, ip);
        // A down device takes its connected route with it; the link rule reports that root cause.
        if (facing && isOperDown(facing.iface)) continue;
        const route = lookupRoute(root, ip);
        const wrong = !route || isUnusableRoute(route) || route.dst === 'default' || (uplink !== undefined && route.dev === uplink && route.gateway !== undefined);
        if (!wrong) continue;
        const what = !route ? 'has no route' : isUnusableRoute(route) ? `has a ${route.type ?? ''} route` : `only matches ${route.dst} via ${route.dev ?? '?'}`;
        const dev = route?.dev ? root.interfaces.find((i) => i.name === route.dev) : undefined;
        out.push(
          finding(ID, 'warning', {
            title: `${pod.host.name} ${what} for its pod ${ip}`,
            explanation:
              `Pod ${ip} lives in netns ${pod.ns.netns ?? '?'} on ${pod.host.name}, but the node's routing table ${what} for it. ` +
              `Traffic from the node (kubelet probes, host-network pods, service NAT) to the pod ${route && !isUnusableRoute(route) ? `leaves through ${route.dev ?? '?'} towards the outside` : 'is dropped'} ` +
              `instead of going to the pod's veth, bridge or management port.`,
            evidence: [deviceEvidence(pod), ...(route ? entityEvidence(pod.host, root, route) : [])],
            elements: [deviceId(pod), ...(dev ? [deviceId({ host: pod.host, ns: root, iface: dev })] : [])],
            fix: [
              note`restart the CNI agent on this node so it restores the pod-subnet route, or add it by hand:`,
              facing ? sh`ip route replace ${facing.network} dev ${facing.iface.name}` : sh`ip route replace ${ip}/32 dev <pod-facing device>`,
            ],
          }),
        );
      }
    }
    return out;
  },
};
