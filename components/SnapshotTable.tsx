'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { snapshotListQuery } from './queries';
import { FaultCounts } from './SnapshotHeader';
import { LoadState } from './SnapshotDashboard';

export function SnapshotTable() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { data, error } = useQuery(snapshotListQuery(cursor));
  if (!data) return <LoadState error={error} what="recent snapshots" />;
  if (data.items.length === 0 && cursors.length === 1) {
    return <p className="p-3 text-sm text-slate-500">No snapshots yet: take one from the lab or upload a capture.</p>;
  }
  return (
    <div>
      <table className="w-full text-left text-sm" data-testid="snapshot-table">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2">Title</th>
            <th className="px-3 py-2">Taken</th>
            <th className="px-3 py-2">Hosts</th>
            <th className="px-3 py-2">Faults</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((meta) => (
            <tr key={meta.id} className="border-t border-slate-200 dark:border-slate-800">
              <td className="px-3 py-2">
                <Link className="font-medium text-sky-700 hover:underline dark:text-sky-400" href={`/s/${encodeURIComponent(meta.id)}`} data-testid="snapshot-link">
                  {meta.title}
                </Link>
                <span className="block text-xs text-slate-500">
                  {meta.source.kind}
                  {meta.cluster ? ` · ${meta.cluster}` : ''}
                </span>
              </td>
              <td className="px-3 py-2">
                <time dateTime={meta.createdAt}>{new Date(meta.createdAt).toLocaleString()}</time>
              </td>
              <td className="px-3 py-2" title={meta.hosts.join(', ')}>
                {meta.hosts.length}
                {meta.partialHosts.length > 0 && <span className="text-xs text-sev-warning"> ({meta.partialHosts.length} partial)</span>}
              </td>
              <td className="px-3 py-2">
                <FaultCounts counts={meta.counts} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex gap-2 p-2">
        {cursors.length > 1 && (
          <button type="button" className="btn" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
        )}
        {data.nextCursor && (
          <button type="button" className="btn" onClick={() => setCursors([...cursors, data.nextCursor])}>
            Older
          </button>
        )}
      </div>
    </div>
  );
}
