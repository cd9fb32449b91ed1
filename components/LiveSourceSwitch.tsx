'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { LiveClusterChoices } from './LiveClusterChoices';
import { liveSearch, sourcesQuery, type KubeChoice } from './queries';
import type { LiveKind } from '@/lib/capture/source-kinds';

const PICKED = 'rounded-none bg-slate-200 font-semibold first:rounded-l last:rounded-r dark:bg-slate-700';
const UNPICKED = 'rounded-none first:rounded-l last:rounded-r';

/**
 * Which source the live view shows: each live source, the ones the server cannot capture from now greyed with the
 * reason (the one shown stays a choice, whatever its state). A source by kind alone is a link to its view; a cluster
 * first asks for its choices (context, how nodes are reached, which nodes, pod VMs), as the new-snapshot panel does,
 * and its view's link holds them. `open`: the view could not be shown, so the cluster's choices are open where they
 * can be mended.
 */
export function LiveSourceSwitch({ source, kube, open }: { source: LiveKind; kube?: KubeChoice; open: boolean }) {
  const sources = useQuery(sourcesQuery());
  const [pickingCluster, setPickingCluster] = useState(false);
  const cluster = source === 'kube' || pickingCluster;
  return (
    <div className="space-y-2">
      <div role="group" aria-label="Live source" className="flex items-center gap-2 text-sm" data-testid="live-source">
        <span>Live from</span>
        <span className="inline-flex">
          {sources.data
            ?.filter((s) => s.live)
            .map((s) => {
              const picked = s.choices ? cluster : s.kind === source && !pickingCluster;
              const common = { className: `btn ${picked ? PICKED : UNPICKED}`, title: s.reason ?? s.description, 'data-testid': `live-source-${s.kind}` };
              if (!s.available && s.kind !== source) {
                return (
                  <button key={s.kind} type="button" {...common} disabled>
                    {s.label}
                  </button>
                );
              }
              return s.choices ? (
                <button key={s.kind} type="button" {...common} aria-pressed={picked} onClick={() => setPickingCluster(true)}>
                  {s.label}
                </button>
              ) : (
                <Link key={s.kind} {...common} aria-current={picked ? 'page' : undefined} href={`/live?${liveSearch(s.kind)}`} onClick={() => setPickingCluster(false)}>
                  {s.label}
                </Link>
              );
            })}
        </span>
      </div>
      {cluster && <LiveClusterChoices kube={source === 'kube' ? kube : undefined} open={open || source !== 'kube'} />}
    </div>
  );
}
