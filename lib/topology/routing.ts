/** Route and neighbour lookups in one namespace, as the kernel would do them for the main table. */
import type { Neighbor, NamespaceState, Route } from '@/lib/parse/types';
import { ipFamily, ipInCidr, prefixLength, sameIp } from './ip';

function inMainTable(route: Route): boolean {
  return route.table === undefined || route.table === 'main' || route.table === '254';
}

/** Longest-prefix match in the main table; the lowest metric breaks ties. Local/broadcast entries are skipped. */
export function lookupRoute(ns: NamespaceState, ip: string): Route | undefined {
  const family = ipFamily(ip);
  if (family === null) return undefined;
  let best: Route | undefined;
  let bestLen = 0;
  const routes = ns.routes;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (!inMainTable(route) || route.family !== family) continue;
    if (route.type === 'local' || route.type === 'broadcast' || route.type === 'multicast') continue;
    if (!ipInCidr(ip, route.dst, family)) continue;
    const len = prefixLength(route.dst) ?? 0;
    if (best === undefined || len > bestLen || (len === bestLen && (route.metric ?? 0) < (best.metric ?? 0))) {
      best = route;
      bestLen = len;
    }
  }
  return best;
}

export function lookupNeighbor(ns: NamespaceState, ip: string, dev?: string): Neighbor | undefined {
  return ns.neighbors.find((n) => sameIp(n.dst, ip) && (dev === undefined || n.dev === dev));
}

/** FAILED and INCOMPLETE entries mean the kernel could not resolve the address: frames to it are dropped. */
export function isUnresolved(neighbor: Neighbor): boolean {
  return neighbor.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE') || neighbor.lladdr === undefined;
}
