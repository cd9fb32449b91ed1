'use client';

/**
 * A snapshot (or a live view) on screen: graph, device list, findings, inspector, search, filters and trace.
 * All view state comes from the URL through useViewState; the data for the level shown comes through
 * useGraphData; this component only wires panels to both.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { buildDeviceElements, buildOverviewElements, type FilterFlag } from '@/lib/graph/elements';
import { findingsFor } from '@/lib/view/faults';
import { findingSubject, mostSevere } from '@/lib/snapshot/path-subject';
import { inspect, inspectInCut, type Inspection } from '@/lib/view/inspect';
import { searchTopology, type SearchHit } from '@/lib/view/search';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { FindingSummary } from '@/lib/snapshot/subview';
import type { SnapshotView } from '@/lib/snapshot/types';
import { DeviceList } from './DeviceList';
import { FilterBar } from './FilterBar';
import { FindingsPanel, findingKey } from './FindingsPanel';
import { Inspector } from './Inspector';
import { Legend } from './Legend';
import { pathQuery, searchQuery } from './queries';
import { SearchBox } from './SearchBox';
import { PathView } from './PathView';
import { TopologyCanvas } from './TopologyCanvas';
import { TracePanel, traceMarks, useTrace } from './TracePanel';
import { useGraphData, type GraphData, type GraphSource } from './useGraphData';
import { useTheme } from './useTheme';
import { useViewState } from './useViewState';

export interface TopologyViewProps {
  source: GraphSource;
  /** Embeds show the graph only. */
  chrome?: boolean;
}

function hostOfElement(view: SnapshotView, id: string): string | undefined {
  const node = view.topology.nodes.find((n) => n.id === id);
  if (node) return node.host;
  const edge = view.topology.edges.find((e) => e.id === id);
  return edge ? view.topology.nodes.find((n) => n.id === edge.source)?.host : undefined;
}

/** The selected element as the level's data knows it; host nodes are also known to the overview. */
function inspectSelected(data: GraphData, id: string): Inspection | null {
  const { detail, overview } = data;
  const found = detail ? (detail.cut && detail.host !== undefined ? inspectInCut(detail.topology, id, detail.briefs, detail.host) : inspect(detail.topology, id)) : null;
  if (found || !overview) return found;
  return inspect({ hosts: [], nodes: [...overview.hosts, ...(overview.segments ?? [])], edges: [] }, id, overview.briefs);
}

/** Search in the browser when the whole snapshot is here, else on the server. Undefined while searching. */
function useSearchHits(data: GraphData, snapshotId: string | undefined, query: string, rules: RulesChoice): { hits?: SearchHit[]; error: Error | null } {
  const q = query.trim();
  const local = useMemo(() => (data.whole ? searchTopology(data.whole.topology, q) : undefined), [data.whole, q]);
  const remote = useQuery({ ...searchQuery(snapshotId ?? '', q, rules), enabled: !data.whole && snapshotId !== undefined && q.length >= 2 });
  if (local) return { hits: local, error: null };
  if (q.length < 2 || snapshotId === undefined) return { hits: [], error: null };
  return { hits: remote.data, error: remote.error };
}

const NO_FINDINGS: FindingSummary[] = [];

/** The path view's data: on a snapshot, from the server, which holds the whole topology to trace through. */
function usePath(snapshotId: string | undefined, subject: string, rules: RulesChoice) {
  return useQuery({ ...pathQuery(snapshotId ?? '', subject, rules), enabled: snapshotId !== undefined });
}

function levelNote(level: GraphData['level'], host: string | undefined, pending: boolean): string {
  if (level === 'overview') return 'Overview: double-click a host to open its devices.';
  if (level === 'host') return pending ? `Loading host ${host}…` : `Host ${host}`;
  return pending ? 'Loading every device…' : 'All devices';
}

export function TopologyView({ source, chrome = true }: TopologyViewProps) {
  const [state, update] = useViewState();
  const theme = useTheme();
  const snapshotId = source.kind === 'snapshot' ? source.id : undefined;
  const data = useGraphData(source, state);
  const { overview, level, detail } = data;
  const rules = state.rules ?? 'stored';
  const trace = useTrace(snapshotId, state.trace, rules);
  const marks = useMemo(() => traceMarks(trace.data), [trace.data]);
  const elements = useMemo(() => {
    if (!overview || !level) return undefined;
    if (level === 'overview') return buildOverviewElements(overview, marks);
    if (!detail) return undefined;
    return buildDeviceElements(detail.topology, detail.findings, { host: detail.host, filters: state.filters, trace: marks });
  }, [overview, level, detail, state.filters, marks]);
  const pending = elements === undefined;
  const drawn = useMemo(() => new Set(elements?.map((e) => e.data.id)), [elements]);
  const hosts = useMemo(() => overview?.hosts.map((n) => n.host) ?? [], [overview]);
  const inspection = useMemo(() => (state.sel ? inspectSelected(data, state.sel) : null), [data, state.sel]);
  const search = useSearchHits(data, snapshotId, state.q ?? '', rules);
  const findings = overview?.findings ?? NO_FINDINGS;
  const focusKey = state.focus.join(',');
  // A link that names nothing opens on the most severe finding: its fix first, its path beside it.
  const fresh = focusKey === '' && state.sel === undefined && state.path === undefined && state.trace === undefined;
  const chosen = focusKey === '' ? undefined : findings.find((f) => f.elements.join(',') === focusKey);
  const activeFinding = chosen ?? (fresh ? mostSevere(findings)[0] : undefined);
  const activeDetail = activeFinding && detail?.findings.find((f) => findingKey(f) === findingKey(activeFinding));
  const pathSubject = state.path ?? (state.trace ? `${state.trace.from}>${state.trace.to}` : chosen ? findingSubject(chosen) : '');
  const path = usePath(snapshotId, pathSubject, rules);

  /** Keeps an element visible: leave the overview, or move the drill-down, to the element's host. */
  function hostFor(id: string, known: string | undefined): string | undefined {
    if (drawn.has(id)) return state.host;
    return known ?? (data.whole ? hostOfElement(data.whole, id) : undefined) ?? state.host;
  }

  function openFinding(finding: FindingSummary) {
    if (chosen && findingKey(chosen) === findingKey(finding)) {
      update({ focus: [], path: undefined });
      return;
    }
    const first = finding.first;
    // The overview holds no evidence: a finding always opens on its host, whose data carries it.
    const host = level === 'overview' ? (finding.host ?? state.host) : first ? hostFor(first, finding.host) : state.host;
    update({ focus: finding.elements, sel: first, host, path: findingSubject(finding) });
  }

  /** A pod opens its path; another element keeps the path on screen. */
  function select(id: string | undefined) {
    update({ sel: id, focus: [], ...(id?.startsWith('pod:') ? { path: id } : {}) });
  }

  function pick(hit: SearchHit) {
    update({ sel: hit.id, focus: [hit.id], host: hostFor(hit.id, hit.host) });
  }

  function toggle(flag: FilterFlag) {
    update({ filters: state.filters.includes(flag) ? state.filters.filter((f) => f !== flag) : [...state.filters, flag] });
  }

  if (!overview)
    return (
      <p className="p-6 text-slate-600 dark:text-slate-400" role="status">
        {data.error ? `Could not load the graph: ${data.error.message}` : 'Loading the graph…'}
      </p>
    );

  const canvas = (
    <TopologyCanvas
      elements={elements ?? []}
      pending={pending}
      level={level ?? 'overview'}
      theme={theme}
      selected={state.sel}
      focus={state.focus}
      onSelect={select}
      onOpenHost={(host) => update({ host, focus: [] })}
    />
  );

  const pathView = (
    <PathView
      path={path.data}
      loading={path.isPending && path.fetchStatus !== 'idle'}
      error={path.error}
      onSelect={(id, host) => update({ sel: id, focus: [], host: hostFor(id, host || undefined) })}
    />
  );
  const graphTab = state.tab === 'graph';

  if (!chrome) {
    if (!graphTab && path.data) return <div className="h-screen w-screen overflow-y-auto p-2">{pathView}</div>;
    return <div className="h-screen w-screen">{canvas}</div>;
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2 lg:grid lg:grid-cols-[minmax(0,1fr)_22rem] xl:grid-cols-[14rem_minmax(0,1fr)_24rem]">
      <aside className={`order-4 panel flex min-h-0 flex-col max-lg:max-h-[60vh] lg:max-xl:hidden xl:order-none xl:col-start-1 xl:row-start-1 ${graphTab ? '' : 'max-lg:hidden'}`}>
        <h2 className="panel-title">
          {level === 'overview' ? 'Hosts' : 'Devices'} <span className="font-normal">({elements?.filter((e) => e.group === 'nodes').length ?? '…'})</span>
        </h2>
        <div className="min-h-0 flex-1">
          <DeviceList elements={elements ?? []} selected={state.sel} onSelect={(id) => select(id)} />
        </div>
      </aside>
      <div className="order-2 flex min-h-0 min-w-0 flex-col gap-2 lg:order-none lg:col-start-1 lg:row-start-1 xl:col-start-2">
        <div className="flex gap-1 lg:hidden" role="tablist" aria-label="View">
          <button type="button" role="tab" aria-selected={!graphTab} className="btn" data-testid="tab-path" onClick={() => update({ tab: undefined }, { replace: true })}>
            Packet path
          </button>
          <button type="button" role="tab" aria-selected={graphTab} className="btn" data-testid="tab-graph" onClick={() => update({ tab: 'graph' }, { replace: true })}>
            Device graph
          </button>
        </div>
        <div className={`min-h-0 shrink-0 overflow-y-auto lg:max-h-[55%] ${graphTab ? 'max-lg:hidden' : ''}`}>{pathView}</div>
        <div className={`flex min-h-0 flex-1 flex-col gap-2 ${graphTab ? '' : 'max-lg:hidden'}`}>
          <div className="flex flex-wrap items-center gap-3">
            <SearchBox hits={search.hits} error={search.error} query={state.q} onQuery={(q) => update({ q: q || undefined }, { replace: true })} onPick={pick} />
            <FilterBar
              filters={state.filters}
              onToggle={toggle}
              hosts={hosts}
              host={state.host}
              onHost={(host) => update({ host, focus: [] })}
              level={state.level}
              onLevel={(next) => update({ level: next })}
            />
          </div>
          <section className="panel relative min-h-[24rem] flex-1 overflow-hidden max-lg:h-[70vh] max-lg:flex-none" aria-label="Topology">
            {/* Positioned, so that the canvas has the section's size even where the column's height is auto. */}
            <div className="absolute inset-0">{canvas}</div>
            <div className="absolute bottom-2 left-2 max-w-md rounded bg-white/90 p-2 shadow dark:bg-slate-900/90">
              <p className="text-xs text-slate-600 dark:text-slate-300" role="status">
                {data.error ? `Could not load this level: ${data.error.message}` : levelNote(level, state.host, pending)}
              </p>
              <Legend />
            </div>
          </section>
        </div>
      </div>
      <div className="contents lg:col-start-2 lg:row-start-1 lg:flex lg:min-h-0 lg:flex-col lg:gap-2 lg:overflow-y-auto xl:col-start-3">
        <section className="order-1 panel min-w-0 lg:order-none" aria-label="Findings">
          <h2 className="panel-title">Findings ({findings.length})</h2>
          <FindingsPanel findings={findings} active={activeFinding} detail={activeDetail} loading={pending} onOpen={openFinding} onOpenHost={(host) => update({ host })} />
        </section>
        <section className="order-3 panel min-w-0 lg:order-none" aria-label="Inspector">
          <h2 className="panel-title">Inspector</h2>
          <Inspector selected={state.sel} inspection={inspection} loading={pending} findings={state.sel ? findingsFor(findings, state.sel) : []} />
        </section>
        {snapshotId && (
          <section className="order-3 panel min-w-0 lg:order-none" aria-label="Path trace">
            <h2 className="panel-title">Path trace</h2>
            <TracePanel
              key={state.trace ? `${state.trace.from}>${state.trace.to}` : 'none'}
              selected={state.sel}
              trace={state.trace}
              result={trace}
              onTrace={(t) => update({ trace: t, path: t ? `${t.from}>${t.to}` : undefined })}
              onSelect={(id, host) => update({ sel: id, focus: [], host: hostFor(id, host) })}
            />
          </section>
        )}
      </div>
    </div>
  );
}
