'use client';

import { useQueries } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState } from 'react';
import { compareCandidates, diffHref } from '@/lib/diff/view-state';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { snapshotsOnHostQuery } from './queries';

/** One list request per host; a snapshot of a big cluster asks about its first hosts only. */
export const MAX_HOSTS_ASKED = 8;

/** "Compare…": pick another recent snapshot of the same hosts and open the diff of the two, under the page's rules. */
export function CompareControl({ meta, rules = 'stored' }: { meta: SnapshotMeta; rules?: RulesChoice }) {
  const selectId = useId();
  const [chosen, setChosen] = useState<string>();
  const { others, pending } = useQueries({
    queries: meta.hosts.slice(0, MAX_HOSTS_ASKED).map((host) => snapshotsOnHostQuery(host)),
    combine: (results) => ({
      others: compareCandidates(
        results.map((r) => r.data?.items ?? []),
        meta.id,
      ),
      pending: results.some((r) => r.isPending),
    }),
  });
  if (others.length === 0) {
    return pending ? null : <span className="text-xs text-slate-600 dark:text-slate-400">No other snapshot of these hosts to compare with</span>;
  }
  const target = others.find((o) => o.id === chosen) ?? others[0];
  return (
    <div className="flex items-center gap-1" data-testid="compare">
      <label htmlFor={selectId} className="sr-only">
        Snapshot to compare with
      </label>
      <select id={selectId} className="input max-w-[16rem]" value={target.id} onChange={(e) => setChosen(e.target.value)} data-testid="compare-select">
        {others.map((o) => (
          <option key={o.id} value={o.id}>
            {o.title} · {new Date(o.createdAt).toLocaleString()}
          </option>
        ))}
      </select>
      <Link className="btn" href={diffHref(meta, target, rules)} data-testid="compare-link">
        Compare…
      </Link>
    </div>
  );
}
