'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { parseViewState, withViewState, type ViewState } from '@/lib/view/view-state';

export type ViewUpdate = Partial<ViewState> | ((current: ViewState) => Partial<ViewState>);

/** View state read from and written to the URL; each change is a history entry so back/forward work. */
export function useViewState(): [ViewState, (update: ViewUpdate, options?: { replace?: boolean }) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const state = useMemo(() => parseViewState(params), [params]);
  const update = useCallback(
    (change: ViewUpdate, options?: { replace?: boolean }) => {
      const patch = typeof change === 'function' ? change(state) : change;
      const query = withViewState(params, { ...state, ...patch });
      const url = query ? `${pathname}?${query}` : pathname;
      if (options?.replace) router.replace(url, { scroll: false });
      else router.push(url, { scroll: false });
    },
    [params, state, pathname, router],
  );
  return [state, update];
}
