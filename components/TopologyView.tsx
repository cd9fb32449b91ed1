'use client';

/**
 * A snapshot (or a live view) on screen: graph, device list, findings, inspector, search, filters and trace.
 * All view state comes from the URL through useViewState; this component only wires panels to it.
 */
import { useMemo } from 'react';
import type { Finding } from '@/lib/diagnose/types';
import { buildGraph } from '@/lib/graph/elements';
import { findingsFor } from '@/lib/graph/faults';
import { inspect } from '@/lib/graph/inspect';
import type { SearchHit } from '@/lib/graph/search';
import type { FilterFlag } from '@/lib/graph/view-state';
import type { SnapshotView } from '@/lib/store/types';
import { DeviceList } from './DeviceList';
import { FilterBar } from './FilterBar';
import { FindingsPanel, findingKey } from './FindingsPanel';
import { Inspector } from './Inspector';
import { Legend } from './Legend';
import { SearchBox } from './SearchBox';
import { TopologyCanvas } from './TopologyCanvas';
import { TracePanel, traceMarks, useTrace } from './TracePanel';
import { useTheme } from './useTheme';
import { useViewState } from './useViewState';

export interface TopologyViewProps {
  view: SnapshotView;
  /** Set for stored snapshots: enables path trace. */
  snapshotId?: string;
  /** Embeds show the graph only. */
  chrome?: boolean;
}

function hostOfElement(view: SnapshotView, id: string): string | undefined {
  const node = view.topology.nodes.find((n) => n.id === id);
  if (node) return node.host;
  const edge = view.topology.edges.find((e) => e.id === id);
  return edge ? view.topology.nodes.find((n) => n.id === edge.source)?.host : undefined;
}

export function TopologyView({ view, snapshotId, chrome = true }: TopologyViewProps) {
  const [state, update] = useViewState();
  const theme = useTheme();
  const trace = useTrace(snapshotId, state.trace);
  const marks = useMemo(() => traceMarks(trace.data), [trace.data]);
  const graph = useMemo(
    () => buildGraph(view.topology, view.findings, { level: state.level, host: state.host, filters: state.filters, trace: marks }),
    [view, state.level, state.host, state.filters, marks],
  );
  const hosts = useMemo(() => view.topology.nodes.filter((n) => n.kind === 'host').map((n) => n.host), [view]);
  const inspection = useMemo(() => (state.sel ? inspect(view.topology, state.sel) : null), [view, state.sel]);
  const focusKey = state.focus.join(',');
  const activeFinding = view.findings.find((f) => f.elements.join(',') === focusKey && focusKey !== '');

  /** Keeps an element visible: leave the overview, or move the drill-down, to the element's host. */
  function hostFor(id: string): string | undefined {
    const drawn = graph.elements.some((e) => e.data.id === id);
    return drawn ? state.host : (hostOfElement(view, id) ?? state.host);
  }

  function openFinding(finding: Finding) {
    if (activeFinding && findingKey(activeFinding) === findingKey(finding)) {
      update({ focus: [] });
      return;
    }
    const first = finding.elements.find((id) => view.topology.nodes.some((n) => n.id === id)) ?? finding.elements[0];
    update({ focus: finding.elements, sel: first, host: first ? hostFor(first) : state.host });
  }

  function select(id: string | undefined) {
    update({ sel: id, focus: [] });
  }

  function pick(hit: SearchHit) {
    update({ sel: hit.id, focus: [hit.id], host: hostFor(hit.id) });
  }

  function toggle(flag: FilterFlag) {
    update({ filters: state.filters.includes(flag) ? state.filters.filter((f) => f !== flag) : [...state.filters, flag] });
  }

  const canvas = (
    <TopologyCanvas
      elements={graph.elements}
      level={graph.level}
      theme={theme}
      selected={state.sel}
      focus={state.focus}
      onSelect={select}
      onOpenHost={(host) => update({ host, focus: [] })}
    />
  );

  if (!chrome) return <div className="h-screen w-screen">{canvas}</div>;

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-3">
        <SearchBox topology={view.topology} query={state.q} onQuery={(q) => update({ q: q || undefined }, { replace: true })} onPick={pick} />
        <FilterBar
          filters={state.filters}
          onToggle={toggle}
          hosts={hosts}
          host={state.host}
          onHost={(host) => update({ host, focus: [] })}
          level={state.level}
          onLevel={(level) => update({ level })}
        />
      </div>
      <div className="grid min-h-0 flex-1 grid-cols-[14rem_1fr_24rem] gap-2">
        <aside className="panel flex min-h-0 flex-col">
          <h2 className="panel-title">
            {graph.level === 'overview' ? 'Hosts' : 'Devices'} <span className="font-normal">({graph.elements.filter((e) => e.group === 'nodes').length})</span>
          </h2>
          <div className="min-h-0 flex-1">
            <DeviceList elements={graph.elements} selected={state.sel} onSelect={(id) => select(id)} />
          </div>
        </aside>
        <section className="panel relative min-h-[24rem] overflow-hidden" aria-label="Topology">
          {canvas}
          <div className="absolute bottom-2 left-2 max-w-md rounded bg-white/90 p-2 shadow dark:bg-slate-900/90">
            <p className="text-xs text-slate-500">
              {graph.level === 'overview' ? 'Overview: double-click a host to open its devices.' : graph.level === 'host' ? `Host ${state.host}` : 'All devices'}
            </p>
            <Legend />
          </div>
        </section>
        <aside className="flex min-h-0 flex-col gap-2 overflow-y-auto">
          <section className="panel" aria-label="Findings">
            <h2 className="panel-title">Findings ({view.findings.length})</h2>
            <FindingsPanel findings={view.findings} active={activeFinding} onOpen={openFinding} />
          </section>
          <section className="panel" aria-label="Inspector">
            <h2 className="panel-title">Inspector</h2>
            <Inspector inspection={inspection} findings={state.sel ? findingsFor(view.findings, state.sel) : []} />
          </section>
          {snapshotId && (
            <section className="panel" aria-label="Path trace">
              <h2 className="panel-title">Path trace</h2>
              <TracePanel
                key={state.trace ? `${state.trace.from}>${state.trace.to}` : 'none'}
                selected={state.sel}
                trace={state.trace}
                result={trace}
                onTrace={(t) => update({ trace: t })}
                onSelect={(id) => select(id)}
              />
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}
