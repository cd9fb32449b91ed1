/**
 * Lets the browser fetch a snapshot page's data while it still loads the page's JavaScript: the overview
 * always, and the drill-down host when the link names one. The URLs are those the queries in queries.ts fetch,
 * so the browser reuses the answers instead of asking twice.
 */
import { preload } from 'react-dom';
import { snapshotHostUrl, snapshotOverviewUrl } from './snapshot-urls';

export function preloadSnapshot(id: string, search: Record<string, string | string[] | undefined>): void {
  preload(snapshotOverviewUrl(id), { as: 'fetch', crossOrigin: 'anonymous' });
  const host = search.host;
  if (typeof host === 'string' && host !== '') preload(snapshotHostUrl(id, host), { as: 'fetch', crossOrigin: 'anonymous' });
}
