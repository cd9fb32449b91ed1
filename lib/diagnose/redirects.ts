/** tc mirred redirects in one namespace: which device's traffic is stolen and sent to which. */
import type { NamespaceState, TcFilter } from '@/lib/parse/types';

export interface Redirect {
  from: string;
  to: string;
  filter: TcFilter;
}

export function redirectsIn(ns: NamespaceState): Redirect[] {
  const out: Redirect[] = [];
  for (const filter of ns.tcFilters) {
    for (const action of filter.actions) {
      if (action.kind === 'mirred' && action.mirredAction === 'redirect' && action.toDev !== undefined) {
        out.push({ from: filter.dev, to: action.toDev, filter });
      }
    }
  }
  return out;
}
