'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';

type Params = { get(name: string): string | null };

/**
 * Any page's view state, read from and written to the URL through its own parse/serialise pair; each change
 * is a history entry (unless `replace`) so back and forward work.
 */
export function useSearchState<T>(parse: (params: Params) => T, serialize: (state: T) => string): [T, (patch: Partial<T>, options?: { replace?: boolean }) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const state = useMemo(() => parse(params), [parse, params]);
  const update = useCallback(
    (patch: Partial<T>, options?: { replace?: boolean }) => {
      const query = serialize({ ...state, ...patch });
      const url = query ? `${pathname}?${query}` : pathname;
      if (options?.replace) router.replace(url, { scroll: false });
      else router.push(url, { scroll: false });
    },
    [state, serialize, pathname, router],
  );
  return [state, update];
}
