/** The API addresses of a snapshot's levels, shared by the queries and by the page that preloads them. */

export function snapshotUrl(id: string, query = ''): string {
  return `/api/snapshots/${encodeURIComponent(id)}${query}`;
}

export function snapshotOverviewUrl(id: string): string {
  return snapshotUrl(id, '?level=overview');
}

export function snapshotHostUrl(id: string, host: string): string {
  return snapshotUrl(id, `?host=${encodeURIComponent(host)}`);
}
