'use client';

import { useQuery } from '@tanstack/react-query';
import { CompareControl } from './CompareControl';
import { snapshotQuery } from './queries';
import { ShareControls } from './ShareControls';
import { SnapshotHeader } from './SnapshotHeader';
import { TopologyView } from './TopologyView';

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

export function SnapshotDashboard({ id }: { id: string }) {
  const { data, error } = useQuery(snapshotQuery(id));
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
      <TopologyView view={data} snapshotId={id} />
    </div>
  );
}

export function EmbedGraph({ id }: { id: string }) {
  const { data, error } = useQuery(snapshotQuery(id));
  if (!data) return <LoadState error={error} what="the snapshot" />;
  return <TopologyView view={data} snapshotId={id} chrome={false} />;
}
