'use client';

/**
 * What a snapshot page reads for the level it shows. A stored snapshot is read level by level: always its
 * overview (hosts, fault counts, findings list), plus one host's cut for a drill-down or the whole view when
 * every device is drawn. A live view holds the whole view already and cuts its own overview. Every read of a
 * stored snapshot is under the rules the view state names: those stored with it, or this server's.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Finding } from '@/lib/diagnose/types';
import { chooseLevel } from '@/lib/graph/elements';
import type { GraphLevel } from '@/lib/graph/layout';
import type { ViewState } from '@/lib/view/view-state';
import { overviewOf, type HostBrief, type SnapshotOverview } from '@/lib/snapshot/subview';
import type { SnapshotView } from '@/lib/snapshot/types';
import type { Topology } from '@/lib/topology/types';
import { snapshotHostQuery, snapshotOverviewQuery, snapshotQuery } from './queries';

export type GraphSource = { kind: 'snapshot'; id: string } | { kind: 'view'; view: SnapshotView };

/** The device-level data behind the host and full levels. */
export interface LevelDetail {
  topology: Topology;
  findings: Finding[];
  briefs: HostBrief[];
  /** The drill-down host, when the level is one host. */
  host?: string;
  /** True for one host's cut of the snapshot (other hosts' devices are only far ends there). */
  cut: boolean;
}

export interface GraphData {
  overview?: SnapshotOverview;
  level?: GraphLevel;
  /** The host and full levels once their data is in. */
  detail?: LevelDetail;
  /** The whole view, when the page holds it: search and lookups then run in the browser. */
  whole?: SnapshotView;
  error: Error | null;
}

export function useGraphData(source: GraphSource, state: Pick<ViewState, 'host' | 'level' | 'rules'>): GraphData {
  const view = source.kind === 'view' ? source.view : undefined;
  const id = source.kind === 'snapshot' ? source.id : '';
  const stored = source.kind === 'snapshot';
  const { host, level: requested } = state;
  const rules = state.rules ?? 'stored';

  const overviewRead = useQuery({ ...snapshotOverviewQuery(id, rules), enabled: stored });
  const localOverview = useMemo(() => (view ? overviewOf(view) : undefined), [view]);
  const overview = view ? localOverview : overviewRead.data;
  const hosts = useMemo(() => overview?.hosts.map((n) => n.host) ?? [], [overview]);
  const level = overview ? chooseLevel(overview.size, hosts, { host, level: requested }) : undefined;

  // A link that names a host or the full level starts that read together with the overview.
  const wantHost = host !== undefined && (level === undefined || level === 'host');
  const hostRead = useQuery({ ...snapshotHostQuery(id, host ?? '', rules), enabled: stored && wantHost });
  const wantFull = level === 'full' || (level === undefined && requested === 'full' && host === undefined);
  const fullRead = useQuery({ ...snapshotQuery(id, rules), enabled: stored && wantFull });
  const whole = view ?? fullRead.data;
  const cut = hostRead.data;

  const detail = useMemo((): LevelDetail | undefined => {
    if (level === 'full' && whole) return { topology: whole.topology, findings: whole.findings, briefs: [], cut: false };
    if (level !== 'host' || host === undefined) return undefined;
    if (whole) return { topology: whole.topology, findings: whole.findings, briefs: [], host, cut: false };
    if (cut) return { topology: cut.topology, findings: cut.findings, briefs: cut.briefs, host, cut: true };
    return undefined;
  }, [level, host, whole, cut]);

  const levelError = level === 'host' && !whole ? hostRead.error : level === 'full' ? fullRead.error : null;
  return { overview, level, detail, whole, error: overviewRead.error ?? levelError };
}
