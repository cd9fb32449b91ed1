/** Longest-prefix route lookup in one namespace's main table, as `ip route get` would answer. */
import type { NamespaceState, Route } from '@/lib/parse/types';
import { inCidr, isIpv4, parseCidr } from './ip';

function prefixLength(route: Route): number {
  if (route.dst === 'default') return 0;
  return parseCidr(route.dst)?.prefixlen ?? -1;
}

/** The longest prefix, then the lowest metric; of equals the first listed, as a stable sort would put first. */
export function lookupRoute(ns: NamespaceState, ip: string): Route | undefined {
  const family = isIpv4(ip) ? 'inet' : 'inet6';
  let best: Route | undefined;
  let bestLength = 0;
  for (const r of ns.routes) {
    if (r.family !== family || (r.table !== undefined && r.table !== 'main') || !inCidr(ip, r.dst)) continue;
    const length = prefixLength(r);
    if (best === undefined || length > bestLength || (length === bestLength && (r.metric ?? 0) < (best.metric ?? 0))) {
      best = r;
      bestLength = length;
    }
  }
  return best;
}

export function defaultRoutes(ns: NamespaceState, family: 'inet' | 'inet6' = 'inet'): Route[] {
  return ns.routes.filter((r) => r.dst === 'default' && r.family === family && (r.table === undefined || r.table === 'main'));
}

/** The device of the lowest-metric default route: the host's uplink. */
export function uplinkName(ns: NamespaceState): string | undefined {
  let best: Route | undefined;
  for (const r of defaultRoutes(ns)) if (best === undefined || (r.metric ?? 0) < (best.metric ?? 0)) best = r;
  return best?.dev;
}

export function isUnusableRoute(route: Route): boolean {
  return route.type === 'blackhole' || route.type === 'unreachable' || route.type === 'prohibit';
}
