import { z } from 'zod';
import { snapshotView } from '@/lib/serve/snapshots';
import { getStore, isSnapshotId } from '@/lib/store';
import { hostSubview, overviewOf, type HostSubview, type SnapshotOverview } from '@/lib/snapshot/subview';
import type { SnapshotStore } from '@/lib/store/types';
import type { SnapshotView } from '@/lib/snapshot/types';
import { notFound } from './errors';

/** `rules=current` re-diagnoses the stored capture with this server's rules; the default shows what was stored. */
export const rulesParam = z.enum(['stored', 'current']).default('stored');

export type RulesChoice = z.infer<typeof rulesParam>;

/**
 * Unpacked views of the snapshots read last. Opening a big snapshot is followed by drill-downs, searches and
 * traces of the same snapshot, each of which would otherwise unpack every host again; snapshots never change,
 * so a view can be reused as it is. Few entries, because a 500-host view holds about 250 MB, and dropped when
 * idle. Kept per store, so that reopening the store (a test pointing at another database) starts empty.
 */
const VIEW_CACHE_ENTRIES = 2;
const VIEW_CACHE_IDLE_MS = 10 * 60_000;

interface CachedView {
  view: Promise<SnapshotView | null>;
  timer?: ReturnType<typeof setTimeout>;
}

const caches = new WeakMap<SnapshotStore, Map<string, CachedView>>();

function forget(cache: Map<string, CachedView>, key: string, entry: CachedView): void {
  if (cache.get(key) !== entry) return;
  if (entry.timer) clearTimeout(entry.timer);
  cache.delete(key);
}

/** Most recently used last; the idle timer restarts on every use. */
function touch(cache: Map<string, CachedView>, key: string, entry: CachedView): void {
  cache.delete(key);
  cache.set(key, entry);
  if (entry.timer) clearTimeout(entry.timer);
  entry.timer = setTimeout(() => forget(cache, key, entry), VIEW_CACHE_IDLE_MS);
  entry.timer.unref?.();
  while (cache.size > VIEW_CACHE_ENTRIES) {
    const [oldest, old] = cache.entries().next().value as [string, CachedView];
    forget(cache, oldest, old);
  }
}

function cachedView(id: string, rules: RulesChoice): Promise<SnapshotView | null> {
  const store = getStore();
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const key = `${rules}\u0000${id}`;
  let entry = cache.get(key);
  if (!entry) {
    const created: CachedView = { view: snapshotView(store, id, { rediagnose: rules === 'current' }) };
    // Missing snapshots and failed reads are not kept: the next request asks the store again.
    created.view.then(
      (view) => {
        if (!view) forget(cache, key, created);
      },
      () => forget(cache, key, created),
    );
    entry = created;
  }
  touch(cache, key, entry);
  return entry.view;
}

/** After a delete: the snapshot's unpacked views go, so no request serves them from memory. */
export function forgetViews(id: string): void {
  const cache = caches.get(getStore());
  if (!cache) return;
  for (const [key, entry] of [...cache]) if (key.endsWith(`\u0000${id}`)) forget(cache, key, entry);
}

function checkId(id: string): void {
  if (!isSnapshotId(id)) throw notFound(`Snapshot "${id.slice(0, 64)}"`);
}

/** The whole view. Shared with other requests: callers read it and never change it. */
export async function loadView(id: string, rules: RulesChoice = 'stored'): Promise<SnapshotView> {
  checkId(id);
  const view = await cachedView(id, rules);
  if (!view) throw notFound(`Snapshot ${id}`);
  return view;
}

/** The overview level; the store keeps it precomputed for the stored rules. */
export async function loadOverview(id: string, rules: RulesChoice = 'stored'): Promise<SnapshotOverview> {
  checkId(id);
  const overview = rules === 'current' ? overviewOf(await loadView(id, rules)) : await getStore().getOverview(id);
  if (!overview) throw notFound(`Snapshot ${id}`);
  return overview;
}

/** One host's cut of the snapshot, for the drill-down. */
export async function loadHost(id: string, host: string, rules: RulesChoice = 'stored'): Promise<HostSubview> {
  const subview = hostSubview(await loadView(id, rules), host);
  if (!subview) throw notFound(`Host "${host.slice(0, 253)}" of snapshot ${id}`);
  return subview;
}

/** The rules version a view's topology and findings come from. */
export function shownRules(view: Pick<SnapshotView, 'meta' | 'rulesVersion'>): string {
  return view.rulesVersion ?? view.meta.rulesVersion;
}

export type IdParams = { params: Promise<{ id: string }> };
