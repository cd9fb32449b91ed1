'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import { queryKeys } from './queries';

/** Where a new snapshot leads: the list is stale now, and the page goes to the snapshot. */
export function useStoredSnapshot(): (snapshot: { id: string }) => void {
  const router = useRouter();
  const client = useQueryClient();
  return useCallback(
    (snapshot) => {
      void client.invalidateQueries({ queryKey: queryKeys.snapshots() });
      router.push(`/s/${encodeURIComponent(snapshot.id)}`);
    },
    [client, router],
  );
}
