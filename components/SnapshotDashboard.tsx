'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { severityCounts } from '@/lib/snapshot/meta';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { SnapshotOverview } from '@/lib/snapshot/subview';
import { CompareControl } from './CompareControl';
import { RecaptureControl } from './RecaptureControl';
import { ExportControls } from './ExportControls';
import { snapshotOverviewQuery } from './queries';
import { RulesControl } from './RulesControl';
import { ShareControls } from './ShareControls';
import { SnapshotHeader } from './SnapshotHeader';
import { TopologyView } from './TopologyView';
import type { GraphSource } from './useGraphData';
import { useViewState } from './useViewState';

export function LoadState({ error, what }: { error: Error | null; what: string }) {
  if (error) {
    return (
      <p role="alert" className="p-6 text-sev-critical">
        Could not load {what}: {error.message}
      </p>
    );
  }
  return (
    <p className="p-6 text-slate-600 dark:text-slate-400" role="status">
      Loading {what}…
    </p>
  );
}

function useSource(id: string): GraphSource {
  return useMemo(() => ({ kind: 'snapshot', id }), [id]);
}

/** The overview under the rules the URL names; while switching rules, the header keeps the previous one. */
function useOverview(id: string, rules: RulesChoice) {
  return useQuery({
    ...snapshotOverviewQuery(id, rules),
    placeholderData: (previous: SnapshotOverview | undefined) => (previous?.meta.id === id ? previous : undefined),
  });
}

/** Re-checked findings were counted now, not when the snapshot was stored. */
function shownCounts(overview: SnapshotOverview) {
  return overview.rediagnosed ? severityCounts(overview.findings) : overview.meta.counts;
}

export function SnapshotDashboard({ id }: { id: string }) {
  const [state, update] = useViewState();
  const rules = state.rules ?? 'stored';
  const { data, error, isPlaceholderData } = useOverview(id, rules);
  const source = useSource(id);
  if (!data) return <LoadState error={error} what="the snapshot" />;
  const rulesControl = <RulesControl overview={data} choice={rules} pending={isPlaceholderData} onChoose={(next) => update({ rules: next })} />;
  return (
    <div className="flex flex-col gap-2 p-2 sm:p-3 lg:h-[calc(100vh-3.5rem)] lg:min-h-[36rem]">
      <SnapshotHeader meta={data.meta} counts={shownCounts(data)} rules={rulesControl}>
        <CompareControl meta={data.meta} rules={rules} />
        <RecaptureControl meta={data.meta} rules={rules} />
        <ExportControls id={id} />
        <ShareControls id={id} />
      </SnapshotHeader>
      <TopologyView source={source} />
    </div>
  );
}

export function EmbedGraph({ id }: { id: string }) {
  const [state] = useViewState();
  const { data, error } = useQuery(snapshotOverviewQuery(id, state.rules));
  const source = useSource(id);
  if (!data) return <LoadState error={error} what="the snapshot" />;
  return <TopologyView source={source} chrome={false} />;
}
