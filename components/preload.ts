/**
 * Lets the browser fetch a snapshot page's data while it still loads the page's JavaScript: the overview
 * always, and the drill-down host when the link names one, under the rules the link names. The URLs are those
 * the queries in queries.ts fetch, so the browser reuses the answers instead of asking twice.
 */
import { preload } from 'react-dom';
import type { RulesChoice } from '@/lib/view/rules-check';
import { snapshotHostUrl, snapshotOverviewUrl } from './snapshot-urls';

export function preloadSnapshot(id: string, search: Record<string, string | string[] | undefined>): void {
  const rules: RulesChoice = search.rules === 'current' ? 'current' : 'stored';
  preload(snapshotOverviewUrl(id, rules), { as: 'fetch', crossOrigin: 'anonymous' });
  const host = search.host;
  if (typeof host === 'string' && host !== '') preload(snapshotHostUrl(id, host, rules), { as: 'fetch', crossOrigin: 'anonymous' });
}
