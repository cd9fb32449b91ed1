'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TraceMarks } from '@/lib/graph/elements';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { TraceRequest } from '@/lib/view/view-state';
import { ApiError, traceQuery, type TraceAnswer, type TraceHop } from './queries';

function hopId(hop: TraceHop): string | undefined {
  return hop.element ?? hop.id;
}

function hopBroken(hop: TraceHop): boolean {
  return hop.ok === false || hop.status === 'broken' || hop.status === 'drop' || hop.status === 'error';
}

/** Graph marks from a trace answer: the hops in order and the first hop that breaks. */
export function traceMarks(answer: TraceAnswer | undefined): TraceMarks | undefined {
  if (!answer) return undefined;
  const ids = answer.hops.map(hopId).filter((id): id is string => id !== undefined);
  const broken = answer.breakAt ?? hopId(answer.hops.find(hopBroken) ?? {});
  const hosts = answer.hops.map((hop) => hop.host).filter((host): host is string => host !== undefined);
  return { ids, breakAt: broken, hosts: [...new Set(hosts)] };
}

export function useTrace(snapshotId: string | undefined, trace: TraceRequest | undefined, rules: RulesChoice = 'stored') {
  return useQuery({
    ...traceQuery(snapshotId ?? '', trace?.from ?? '', trace?.to ?? '', rules),
    enabled: snapshotId !== undefined && trace !== undefined,
  });
}

export interface TracePanelProps {
  selected?: string;
  trace?: TraceRequest;
  result: ReturnType<typeof useTrace>;
  onTrace(trace: TraceRequest | undefined): void;
  /** A hop was clicked: select its element, on its host. */
  onSelect(id: string, host: string | undefined): void;
}

export function TracePanel({ selected, trace, result, onTrace, onSelect }: TracePanelProps) {
  const [to, setTo] = useState(trace?.to ?? '');
  const from = trace?.from ?? selected;
  return (
    <div className="space-y-2 p-3 text-sm" data-testid="trace">
      <form
        className="flex flex-wrap items-center gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          if (selected && to.trim()) onTrace({ from: selected, to: to.trim() });
        }}
      >
        <span className="mono w-full truncate text-slate-600 dark:text-slate-400" title={from}>
          From: {selected ?? 'select a device or host first'}
        </span>
        <label htmlFor="trace-to" className="sr-only">
          Destination IP
        </label>
        <input id="trace-to" className="input w-40" data-testid="trace-to" placeholder="to IP, e.g. 10.132.2.1" value={to} onChange={(e) => setTo(e.target.value)} />
        <button type="submit" className="btn" data-testid="trace-submit" disabled={!selected || !to.trim()}>
          Trace
        </button>
        {trace && (
          <button type="button" className="btn" onClick={() => onTrace(undefined)}>
            Clear
          </button>
        )}
      </form>
      {trace && result.isPending && <p className="text-slate-600 dark:text-slate-400">Tracing {trace.to}…</p>}
      {trace && result.error && (
        <p className="text-sev-warning" role="status">
          {result.error instanceof ApiError && result.error.status === 404 ? 'Path trace is not available for this snapshot.' : result.error.message}
        </p>
      )}
      {result.data && (
        <ol className="space-y-0.5" data-testid="trace-hops">
          {result.data.summary && <li className="text-slate-600 dark:text-slate-400">{result.data.summary}</li>}
          {result.data.hops.map((hop, i) => {
            const id = hopId(hop);
            const broken = hopBroken(hop) || (id !== undefined && id === result.data.breakAt);
            return (
              <li key={i} className={broken ? 'font-semibold text-sev-critical' : ''}>
                <button type="button" className="text-left hover:underline disabled:no-underline" disabled={!id} onClick={() => id && onSelect(id, hop.host)}>
                  {broken ? '✖' : '→'} {hop.label ?? id ?? '?'}
                </button>
                {(hop.note ?? hop.reason) && <span className="block pl-4 text-xs text-slate-600 dark:text-slate-400">{hop.note ?? hop.reason}</span>}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
