'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CollectionProgress } from './CollectionProgress';
import { LiveSourceSwitch } from './LiveSourceSwitch';
import { LIVE_INTERVAL_MS, liveQuery, liveSearch, type KubeChoice } from './queries';
import { useCollection } from './useCollection';
import { useStoredSnapshot } from './useStoredSnapshot';
import { LoadState } from './SnapshotDashboard';
import { SnapshotHeader } from './SnapshotHeader';
import { TopologyView } from './TopologyView';
import type { GraphSource } from './useGraphData';
import type { LiveKind } from '@/lib/capture/source-kinds';

/** `kube`: the cluster choices, for a source that is a cluster. */
export function LiveView({ source, kube }: { source: LiveKind; kube?: KubeChoice }) {
  const live = useQuery(liveQuery(source, kube));
  const freeze = useCollection(useStoredSnapshot(), `live:${source}:${kube?.context ?? ''}`);
  const graphSource = useMemo((): GraphSource | undefined => live.data && { kind: 'view', view: live.data }, [live.data]);
  // Keyed by the link: another view's choices start from what that link says.
  const choices = <LiveSourceSwitch key={liveSearch(source, kube)} source={source} kube={kube} open={live.error !== null} />;
  if (!live.data || !graphSource) {
    return (
      <div className="space-y-2 p-3">
        {choices}
        <LoadState error={live.error} what={`the live ${kube ? `cluster${kube.context ? ` ${kube.context}` : ''}` : source} view`} />
      </div>
    );
  }
  return (
    <div className="flex h-[calc(100vh-3.5rem)] min-h-[36rem] flex-col gap-2 p-3">
      {choices}
      <SnapshotHeader meta={live.data.meta}>
        <span className="text-xs text-slate-500" role="status">
          {live.isFetching ? 'refreshing…' : `live, every ${LIVE_INTERVAL_MS / 1000}s`}
          {live.error ? ` · last refresh failed: ${live.error.message}` : ''}
        </span>
        <button type="button" className="btn-primary" data-testid="freeze" disabled={freeze.running} onClick={() => freeze.start(kube ? { source, kube } : { source })}>
          Freeze into a snapshot
        </button>
      </SnapshotHeader>
      <CollectionProgress collection={freeze} />
      <TopologyView source={graphSource} />
    </div>
  );
}
