/** Longest-prefix route lookup in one namespace's main table, as `ip route get` would answer. */
import type { NamespaceState, Route } from '@/lib/parse/types';
import { inCidr, isIpv4, parseCidr } from './ip';

function prefixLength(route: Route): number {
  if (route.dst === 'default') return 0;
  return parseCidr(route.dst)?.prefixlen ?? -1;
}

export function lookupRoute(ns: NamespaceState, ip: string): Route | undefined {
  const family = isIpv4(ip) ? 'inet' : 'inet6';
  const candidates = ns.routes.filter((r) => r.family === family && (r.table === undefined || r.table === 'main') && inCidr(ip, r.dst));
  return [...candidates].sort((a, b) => prefixLength(b) - prefixLength(a) || (a.metric ?? 0) - (b.metric ?? 0))[0];
}

export function defaultRoutes(ns: NamespaceState, family: 'inet' | 'inet6' = 'inet'): Route[] {
  return ns.routes.filter((r) => r.dst === 'default' && r.family === family && (r.table === undefined || r.table === 'main'));
}

/** The device of the lowest-metric default route: the host's uplink. */
export function uplinkName(ns: NamespaceState): string | undefined {
  return [...defaultRoutes(ns)].sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0]?.dev;
}

export function isUnusableRoute(route: Route): boolean {
  return route.type === 'blackhole' || route.type === 'unreachable' || route.type === 'prohibit';
}
