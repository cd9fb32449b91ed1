/** tc mirred redirects in one namespace: which device's traffic is stolen and sent to which. */
import type { NamespaceState, TcFilter } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';

export interface Redirect {
  from: string;
  to: string;
  filter: TcFilter;
}

/** Read once per filter list: rules ask for every device of a namespace. */
const redirectsOf = memoize((filters: readonly TcFilter[]): readonly Redirect[] => {
  const out: Redirect[] = [];
  for (const filter of filters) {
    for (const action of filter.actions) {
      if (action.kind === 'mirred' && action.mirredAction === 'redirect' && action.toDev !== undefined) {
        out.push({ from: filter.dev, to: action.toDev, filter });
      }
    }
  }
  return out;
});

export function redirectsIn(ns: NamespaceState): readonly Redirect[] {
  return redirectsOf(ns.tcFilters);
}
