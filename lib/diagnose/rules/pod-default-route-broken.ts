import type { Finding, Rule } from '../types';
import type { Interface, NamespaceState, Route } from '@/lib/parse/types';
import { deviceId, isOperDown, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence } from '../evidence';
import { inNetns, note, sh, where } from '../fix';
import { inCidr } from '../ip';
import { defaultRoutes } from '../routes';
import { podDevices } from '../pods';
import { ranIn } from '@/lib/parse/collected';
import { finding } from '../finding';

const ID = 'pod-default-route-broken';

function gatewayReachable(ns: NamespaceState, route: Route, dev: Interface): boolean {
  if (!route.gateway || route.flags.includes('onlink')) return true;
  const gw = route.gateway;
  if (dev.addresses.some((a) => a.family === 'inet' && inCidr(gw, `${a.local}/${a.prefixlen}`) && a.prefixlen < 32)) return true;
  return ns.routes.some((r) => r.dev === dev.name && r.gateway === undefined && r.dst !== 'default' && inCidr(gw, r.dst));
}

function problem(ns: NamespaceState): { text: string; route?: Route } | undefined {
  const defaults = defaultRoutes(ns);
  if (defaults.length === 0) return { text: 'has no IPv4 default route' };
  for (const route of defaults) {
    const dev = ns.interfaces.find((i) => i.name === route.dev);
    if (!dev) return { text: `has a default route via ${route.dev ?? '?'}, which does not exist`, route };
    if (isOperDown(dev)) return { text: `has its default route via ${dev.name}, which is down`, route };
    if (!gatewayReachable(ns, route, dev)) return { text: `has its default route via ${route.gateway ?? '?'}, which is not on any prefix of ${dev.name}`, route };
  }
  const devs = new Set(defaults.map((r) => r.dev));
  const metrics = new Set(defaults.map((r) => r.metric ?? 0));
  if (devs.size > 1 && metrics.size === 1) return { text: `has equal-metric default routes on ${[...devs].join(' and ')}` };
  return undefined;
}

export const podDefaultRouteBroken: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Pod namespace without a working default route',
  run(topology) {
    const out: Finding[] = [];
    const seen = new Set<NamespaceState>();
    for (const pod of podDevices(topology)) {
      const { host, ns } = pod;
      // Judged only where the whole route table was listed (a capture without the list of collected commands
      // shows it by any route: an address always brings its connected route).
      if (seen.has(ns) || !ranIn(ns, 'ip-route', ns.routes.length > 0)) continue;
      seen.add(ns);
      const p = problem(ns);
      if (!p) continue;
      const primary: Device = pod;
      const gw = ns.routes.find((r) => r.dst !== 'default' && r.dev === primary.iface.name && r.gateway)?.gateway;
      out.push(
        finding(ID, 'warning', {
          title: `${ns.netns ?? 'root'} on ${host.name} ${p.text}`,
          explanation:
            `The pod in ${where(host.name, ns.netns)} ${p.text}. Everything outside its own subnet — services, other nodes, ` +
            `DNS, the internet — is sent nowhere (or into a dead device), while same-subnet traffic may still work.`,
          evidence: [...(p.route ? entityEvidence(host, ns, p.route) : ns.routes.flatMap((r) => entityEvidence(host, ns, r))), deviceEvidence(primary)],
          elements: [deviceId(primary)],
          fix: [inNetns(ns.netns, sh`ip route replace default via ${gw ?? '<gateway>'} dev ${primary.iface.name}`), note`or recreate the pod`],
        }),
      );
    }
    return out;
  },
};
