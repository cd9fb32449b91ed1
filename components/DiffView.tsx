'use client';

/**
 * Two snapshots on one union graph, with what changed marked on it and listed beside it: findings resolved,
 * new and changed, and devices and links added, removed and changed with their fields as old → new.
 * All view state is in the URL (lib/diff/view-state.ts), so a comparison is a link.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo } from 'react';
import type { DiffCounts, SnapshotDiff } from '@/lib/diff/diff';
import { buildDiffGraph, type DiffShow } from '@/lib/diff/graph';
import { elementRows, findingElements, findingRows, type FindingRow } from '@/lib/diff/changes';
import { parseDiffViewState, serializeDiffViewState, type DiffViewState } from '@/lib/diff/view-state';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { Finding } from '@/lib/diagnose/types';
import { counterChanges } from '@/lib/diff/counters';
import { findingsFor } from '@/lib/view/faults';
import { inspect } from '@/lib/view/inspect';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { CopyButton } from './CopyButton';
import { DeviceList } from './DeviceList';
import { CounterFindings, ElementChanges, FindingChanges } from './DiffChanges';
import { DiffLegend } from './DiffLegend';
import { Inspector } from './Inspector';
import { diffQuery, snapshotQuery } from './queries';
import { LoadState } from './SnapshotDashboard';
import { TopologyCanvas } from './TopologyCanvas';
import { useSearchState } from './useSearchState';
import { useTheme } from './useTheme';

type Update = (patch: Partial<DiffViewState>, options?: { replace?: boolean }) => void;

export function DiffView() {
  const [state, update] = useSearchState(parseDiffViewState, serializeDiffViewState);
  if (!state.a || !state.b) {
    return (
      <p role="alert" className="p-6">
        Name two snapshots to compare: open a snapshot and use <span className="font-semibold">Compare…</span>, or link to
        <span className="mono"> /diff?a=EARLIER_ID&amp;b=LATER_ID</span>.
      </p>
    );
  }
  return <DiffScreen a={state.a} b={state.b} state={state} update={update} />;
}

function Segmented<T extends string>({ label, options, value, onChange }: { label: string; options: [T, string][]; value: T; onChange(value: T): void }) {
  return (
    <div role="group" aria-label={label} className="inline-flex">
      {options.map(([option, text]) => (
        <button
          key={option}
          type="button"
          aria-pressed={option === value}
          data-testid={`${label.toLowerCase().replace(/\s+/g, '-')}-${option}`}
          className={`btn rounded-none first:rounded-l last:rounded-r ${option === value ? 'bg-slate-200 font-semibold dark:bg-slate-700' : ''}`}
          onClick={() => onChange(option)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}

function SnapshotRef({ meta, rulesVersion, role }: { meta: SnapshotMeta; rulesVersion: string; role: 'Before' | 'After' }) {
  return (
    <span className="text-sm">
      <span className="text-xs uppercase text-slate-500">{role} </span>
      <Link className="font-medium text-sky-700 hover:underline dark:text-sky-400" href={`/s/${encodeURIComponent(meta.id)}`} data-testid={`diff-${role.toLowerCase()}`}>
        {meta.title}
      </Link>
      <span className="text-xs text-slate-500">
        {' '}
        <time dateTime={meta.createdAt}>{new Date(meta.createdAt).toLocaleString()}</time> · rules {rulesVersion}
      </span>
    </span>
  );
}

function countText(counts: DiffCounts, noun: string): string {
  const parts = (['changed', 'added', 'removed'] as const).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  return parts.length > 0 ? `${noun}: ${parts.join(', ')}` : `${noun}: no change`;
}

function Summary({ diff }: { diff: SnapshotDiff }) {
  const { nodes, edges, findings } = diff.summary;
  const elements = { added: nodes.added + edges.added, removed: nodes.removed + edges.removed, changed: nodes.changed + edges.changed };
  const findingText = `findings: ${findings.removed} resolved, ${findings.added} new, ${findings.changed} changed`;
  const moved = diff.between.findings.length;
  return (
    <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="diff-summary">
      {countText(elements, 'devices and links')} · {findingText} · between the captures: {moved === 0 ? 'nothing to report' : `${moved} finding${moved === 1 ? '' : 's'}`}
    </p>
  );
}

function DiffScreen({ a, b, state, update }: { a: string; b: string; state: DiffViewState; update: Update }) {
  const theme = useTheme();
  const diff = useQuery(diffQuery(a, b, state.rules));
  const after = useQuery(snapshotQuery(b, state.rules));
  const findings = useMemo(() => (diff.data ? findingRows(diff.data) : []), [diff.data]);
  const graph = useMemo(
    () =>
      diff.data && after.data
        ? buildDiffGraph(after.data.topology, diff.data, {
            show: state.show,
            keep: [...findingElements(findings), ...diff.data.between.findings.flatMap((f) => f.elements)],
          })
        : undefined,
    [diff.data, after.data, state.show, findings],
  );
  const elements = useMemo(() => (diff.data && graph ? elementRows(diff.data, graph.topology) : []), [diff.data, graph]);
  const before = useQuery(snapshotQuery(a, state.rules));
  const inspection = useMemo(() => {
    const shown = graph && state.sel ? inspect(graph.topology, state.sel) : null;
    if (!shown || !diff.data || !before.data || !after.data) return shown;
    const aFirst = Date.parse(diff.data.a.meta.createdAt) <= Date.parse(diff.data.b.meta.createdAt);
    const [earlier, later] = aFirst ? [before.data.topology, after.data.topology] : [after.data.topology, before.data.topology];
    const rows = counterChanges(earlier, later, shown.id);
    return rows.length === 0 ? shown : { ...shown, sections: [{ title: 'Counters between the captures', rows }, ...shown.sections] };
  }, [graph, state.sel, diff.data, before.data, after.data]);

  if (!diff.data || !after.data || !graph) return <LoadState error={diff.error ?? after.error} what="the comparison" />;

  const focusKey = state.focus.join(',');
  const activeFinding = findings.find((row) => focusKey !== '' && row.finding.elements.join(',') === focusKey)?.key;
  const nodeIds = new Set(graph.topology.nodes.map((n) => n.id));

  function openFinding(row: FindingRow) {
    if (activeFinding === row.key) update({ focus: [] });
    else update({ focus: row.finding.elements, sel: row.finding.elements.find((id) => nodeIds.has(id)) ?? row.finding.elements[0] });
  }

  function openCounterFinding(finding: Finding) {
    if (focusKey === finding.elements.join(',')) update({ focus: [] });
    else update({ focus: finding.elements, sel: finding.elements.find((id) => nodeIds.has(id)) ?? finding.elements[0] });
  }

  const swap = `/diff?${serializeDiffViewState({ ...state, a: b, b: a })}`;
  const afterFindings = after.data.findings;

  return (
    <div className="flex h-[calc(100vh-3.5rem)] min-h-[36rem] flex-col gap-2 p-3" data-testid="diff-view">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <h1 className="text-lg font-semibold">Compare snapshots</h1>
        <SnapshotRef role="Before" meta={diff.data.a.meta} rulesVersion={diff.data.a.rulesVersion} />
        <span aria-hidden>→</span>
        <SnapshotRef role="After" meta={diff.data.b.meta} rulesVersion={diff.data.b.rulesVersion} />
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <Segmented<DiffShow>
            label="Show"
            options={[
              ['all', 'Whole graph'],
              ['changes', 'Changes only'],
            ]}
            value={graph.show}
            onChange={(show) => update({ show })}
          />
          <Segmented<RulesChoice>
            label="Rules"
            options={[
              ['stored', 'Stored rules'],
              ['current', 'Current rules'],
            ]}
            value={state.rules}
            onChange={(rules) => update({ rules })}
          />
          <Link className="btn" href={swap} data-testid="diff-swap">
            Swap before/after
          </Link>
          <CopyButton text={() => window.location.href} label="Copy link" testId="copy-link" />
        </div>
      </div>
      <Summary diff={diff.data} />
      <div className="grid min-h-0 flex-1 grid-cols-[14rem_1fr_26rem] gap-2">
        <aside className="panel flex min-h-0 flex-col">
          <h2 className="panel-title">
            Devices <span className="font-normal">({graph.elements.filter((e) => e.group === 'nodes').length})</span>
          </h2>
          <div className="min-h-0 flex-1">
            <DeviceList elements={graph.elements} selected={state.sel} onSelect={(id) => update({ sel: id, focus: [] })} />
          </div>
        </aside>
        <section className="panel relative min-h-[24rem] overflow-hidden" aria-label="Union graph">
          <TopologyCanvas
            elements={graph.elements}
            level="full"
            theme={theme}
            selected={state.sel}
            focus={state.focus}
            onSelect={(id) => update({ sel: id, focus: [] })}
            label="Union graph of both snapshots; the change list next to it names every added, removed and changed element"
          />
          <div className="absolute bottom-2 left-2 max-w-md rounded bg-white/90 p-2 shadow dark:bg-slate-900/90">
            <DiffLegend />
          </div>
        </section>
        <aside className="flex min-h-0 flex-col gap-2 overflow-y-auto">
          <section className="panel" aria-label="Between the captures">
            <h2 className="panel-title">Between the captures</h2>
            <CounterFindings findings={diff.data.between.findings} seconds={diff.data.between.seconds} active={focusKey || undefined} onOpen={openCounterFinding} />
          </section>
          <section className="panel" aria-label="Findings compared">
            <h2 className="panel-title">Findings</h2>
            <FindingChanges rows={findings} active={activeFinding} onOpen={openFinding} />
          </section>
          <section className="panel" aria-label="Devices and links compared">
            <h2 className="panel-title">Devices and links ({elements.length})</h2>
            <ElementChanges rows={elements} selected={state.sel} onSelect={(id) => update({ sel: id, focus: [id] })} />
          </section>
          <section className="panel" aria-label="Inspector">
            <h2 className="panel-title">Inspector</h2>
            <Inspector inspection={inspection} findings={state.sel ? findingsFor(afterFindings, state.sel) : []} />
          </section>
        </aside>
      </div>
    </div>
  );
}
