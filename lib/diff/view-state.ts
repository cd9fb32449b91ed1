/**
 * View state of the diff page in the URL (`/diff?a=&b=&rules=&show=&focus=&sel=`), so that a comparison is a
 * link. Selection and focus read and write exactly as on the snapshot page.
 */
import type { DiffShow } from './graph';
import type { RulesChoice } from '@/lib/view/rules-check';
import { parseViewState, serializeViewState } from '@/lib/view/view-state';

export interface DiffViewState {
  /** The earlier snapshot. */
  a?: string;
  /** The later snapshot. */
  b?: string;
  rules: RulesChoice;
  /** Unset: chosen by size (see buildDiffGraph). */
  show?: DiffShow;
  focus: string[];
  sel?: string;
}

type Params = { get(name: string): string | null };

export function parseDiffViewState(params: Params): DiffViewState {
  const show = params.get('show');
  const { focus, sel } = parseViewState(params);
  return {
    a: params.get('a') || undefined,
    b: params.get('b') || undefined,
    rules: params.get('rules') === 'current' ? 'current' : 'stored',
    show: show === 'all' || show === 'changes' ? show : undefined,
    focus,
    sel,
  };
}

/** Canonical query string: fixed key order, defaults left out, so equal views give equal links. */
export function serializeDiffViewState(state: DiffViewState): string {
  const params = new URLSearchParams();
  if (state.a) params.set('a', state.a);
  if (state.b) params.set('b', state.b);
  if (state.rules === 'current') params.set('rules', 'current');
  if (state.show) params.set('show', state.show);
  const selection = serializeViewState({ focus: state.focus, sel: state.sel, filters: [] });
  const query = params.toString();
  return [query, selection].filter((part) => part !== '').join('&');
}

export interface SnapshotRef {
  id: string;
  createdAt: string;
}

/**
 * The diff of two snapshots reads from the earlier to the later, so "resolved" means fixed since then. A page
 * re-checked with the current rules compares both under them.
 */
export function diffHref(one: SnapshotRef, other: SnapshotRef, rules: RulesChoice = 'stored'): string {
  const [a, b] = Date.parse(other.createdAt) < Date.parse(one.createdAt) ? [other, one] : [one, other];
  return `/diff?${serializeDiffViewState({ a: a.id, b: b.id, rules, focus: [] })}`;
}

export interface CandidateMeta extends SnapshotRef {
  title: string;
}

/** Snapshots worth comparing with one: any that shares a host with it, each once, newest first. */
export function compareCandidates<T extends CandidateMeta>(pages: T[][], self: string, limit = 20): T[] {
  const byId = new Map<string, T>();
  for (const item of pages.flat()) if (item.id !== self && !byId.has(item.id)) byId.set(item.id, item);
  return [...byId.values()].sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt)).slice(0, limit);
}
