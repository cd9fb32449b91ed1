'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CompareControl } from './CompareControl';
import { snapshotOverviewQuery } from './queries';
import { ShareControls } from './ShareControls';
import { SnapshotHeader } from './SnapshotHeader';
import { TopologyView } from './TopologyView';
import type { GraphSource } from './useGraphData';

export function LoadState({ error, what }: { error: Error | null; what: string }) {
  if (error) {
    return (
      <p role="alert" className="p-6 text-sev-critical">
        Could not load {what}: {error.message}
      </p>
    );
  }
  return (
    <p className="p-6 text-slate-500" role="status">
      Loading {what}…
    </p>
  );
}

function useSource(id: string): GraphSource {
  return useMemo(() => ({ kind: 'snapshot', id }), [id]);
}

export function SnapshotDashboard({ id }: { id: string }) {
  const { data, error } = useQuery(snapshotOverviewQuery(id));
  const source = useSource(id);
  if (!data) return <LoadState error={error} what="the snapshot" />;
  return (
    <div className="flex h-[calc(100vh-3.5rem)] min-h-[36rem] flex-col gap-2 p-3">
      <SnapshotHeader meta={data.meta}>
        <CompareControl meta={data.meta} />
        <a className="btn" href={`/api/snapshots/${encodeURIComponent(id)}/report.md`}>
          report.md
        </a>
        <ShareControls id={id} />
      </SnapshotHeader>
      <TopologyView source={source} />
    </div>
  );
}

export function EmbedGraph({ id }: { id: string }) {
  const { data, error } = useQuery(snapshotOverviewQuery(id));
  const source = useSource(id);
  if (!data) return <LoadState error={error} what="the snapshot" />;
  return <TopologyView source={source} chrome={false} />;
}
