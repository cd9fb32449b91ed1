/**
 * View state lives in the URL (`?focus=&sel=&q=&f=&host=&trace=&level=&rules=`), so every view is a link.
 * Pure parse/serialise, shared by the dashboard, the embed and the link controls.
 */
import { FILTER_FLAGS, type FilterFlag } from '@/lib/graph/elements';
import type { RulesChoice } from './rules-check';

export type ViewLevel = 'overview' | 'full';

export interface TraceRequest {
  from: string;
  to: string;
}

export interface ViewState {
  /** Element ids to zoom to (e.g. a finding's elements). */
  focus: string[];
  /** Selected element id, shown in the inspector. */
  sel?: string;
  q?: string;
  filters: FilterFlag[];
  /** Drill-down into one host by name. */
  host?: string;
  trace?: TraceRequest;
  /** Overrides the automatic choice between overview and the full device graph. */
  level?: ViewLevel;
  /** Unset: the findings stored with the snapshot; `current`: re-diagnosed with this server's rules. */
  rules?: RulesChoice;
  /** The path view's subject: a finding (`rule@element`), a pod or device id, or `from>to`; unset: the most severe finding. */
  path?: string;
  /** Which view the narrow screen and the embed show: the path (default) or the device graph. */
  tab?: ViewTab;
}

export type ViewTab = 'path' | 'graph';

type Params = { get(name: string): string | null };

function list(value: string | null): string[] {
  return value ? value.split(',').filter((v) => v.length > 0) : [];
}

export function parseViewState(params: Params): ViewState {
  const traceRaw = params.get('trace');
  const sep = traceRaw?.lastIndexOf('>') ?? -1;
  const level = params.get('level');
  return {
    focus: list(params.get('focus')),
    sel: params.get('sel') ?? undefined,
    q: params.get('q') ?? undefined,
    filters: list(params.get('f')).filter((f): f is FilterFlag => (FILTER_FLAGS as string[]).includes(f)),
    host: params.get('host') ?? undefined,
    trace: traceRaw && sep > 0 ? { from: traceRaw.slice(0, sep), to: traceRaw.slice(sep + 1) } : undefined,
    level: level === 'overview' || level === 'full' ? level : undefined,
    rules: params.get('rules') === 'current' ? 'current' : undefined,
    path: params.get('path') ?? undefined,
    tab: params.get('tab') === 'graph' ? 'graph' : undefined,
  };
}

/** Canonical query string: fixed key order, empty values left out, so equal views give equal links. */
export function serializeViewState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.host) params.set('host', state.host);
  if (state.level) params.set('level', state.level);
  if (state.rules === 'current') params.set('rules', 'current');
  if (state.focus.length > 0) params.set('focus', state.focus.join(','));
  if (state.sel) params.set('sel', state.sel);
  if (state.q) params.set('q', state.q);
  const filters = FILTER_FLAGS.filter((f) => state.filters.includes(f));
  if (filters.length > 0) params.set('f', filters.join(','));
  if (state.trace) params.set('trace', `${state.trace.from}>${state.trace.to}`);
  if (state.path) params.set('path', state.path);
  if (state.tab === 'graph') params.set('tab', 'graph');
  return params.toString();
}

/** The parameters view state owns; a page's others (a live view's source and cluster choices) are the page's. */
const VIEW_PARAMS: readonly string[] = ['host', 'level', 'rules', 'focus', 'sel', 'q', 'f', 'trace', 'path', 'tab'];

/** The query string of `current` with its view state replaced by `state`: the page's own parameters stay, first. */
export function withViewState(current: Iterable<[string, string]>, state: ViewState): string {
  const page = new URLSearchParams([...current].filter(([name]) => !VIEW_PARAMS.includes(name)));
  return [page.toString(), serializeViewState(state)].filter(Boolean).join('&');
}
