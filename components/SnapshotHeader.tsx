import type { SnapshotMeta } from '@/lib/snapshot/types';
import { SEVERITY_ORDER } from '@/lib/graph/palette';
import { SeverityChip } from './SeverityChip';

export function FaultCounts({ counts }: { counts: SnapshotMeta['counts'] }) {
  const present = SEVERITY_ORDER.filter((s) => counts[s] > 0);
  if (present.length === 0) return <span className="text-xs text-slate-600 dark:text-slate-400">no faults</span>;
  return (
    <span className="inline-flex gap-1">
      {present.map((s) => (
        <span key={s} className="inline-flex items-center gap-0.5">
          <SeverityChip severity={s} />
          <span className="text-xs font-semibold">{counts[s]}</span>
        </span>
      ))}
    </span>
  );
}

export interface SnapshotHeaderProps {
  meta: SnapshotMeta;
  /** The counts of the findings on screen; the stored ones by default. */
  counts?: SnapshotMeta['counts'];
  /** Shown in place of the stored rules version, e.g. with a control to re-check. */
  rules?: React.ReactNode;
  children?: React.ReactNode;
}

export function SnapshotHeader({ meta, counts = meta.counts, rules, children }: SnapshotHeaderProps) {
  return (
    <div className="flex flex-wrap items-center gap-3">
      <h1 className="text-lg font-semibold" data-testid="snapshot-title">
        {meta.title}
      </h1>
      <span className="text-sm text-slate-600 dark:text-slate-400">
        <time dateTime={meta.createdAt}>{new Date(meta.createdAt).toLocaleString()}</time> · {meta.hosts.length} host{meta.hosts.length === 1 ? '' : 's'} · {meta.source.kind}
        {meta.cluster ? ` · ${meta.cluster}` : ''}
      </span>
      {rules ?? <span className="text-sm text-slate-600 dark:text-slate-400">rules {meta.rulesVersion}</span>}
      <FaultCounts counts={counts} />
      {meta.partialHosts.length > 0 && <span className="text-xs text-sev-warning">partial capture: {meta.partialHosts.join(', ')}</span>}
      <div className="flex flex-wrap items-center gap-2 sm:ml-auto">{children}</div>
    </div>
  );
}
