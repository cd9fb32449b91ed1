import { z } from 'zod';
import { getStore, isSnapshotId } from '@/lib/store';
import type { SnapshotView } from '@/lib/store/types';
import { notFound } from './errors';

/** `rules=current` re-diagnoses the stored capture with this server's rules; the default shows what was stored. */
export const rulesParam = z.enum(['stored', 'current']).default('stored');

export type RulesChoice = z.infer<typeof rulesParam>;

export async function loadView(id: string, rules: RulesChoice = 'stored'): Promise<SnapshotView> {
  if (!isSnapshotId(id)) throw notFound(`Snapshot "${id.slice(0, 64)}"`);
  const view = await getStore().getView(id, { rediagnose: rules === 'current' });
  if (!view) throw notFound(`Snapshot ${id}`);
  return view;
}

/** The rules version a view's topology and findings come from. */
export function shownRules(view: SnapshotView): string {
  return view.rulesVersion ?? view.meta.rulesVersion;
}

export type IdParams = { params: Promise<{ id: string }> };
