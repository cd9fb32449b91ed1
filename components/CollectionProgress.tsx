'use client';

import Link from 'next/link';
import type { JobHost, JobStatus } from '@/lib/sources/collection-progress';
import { Progress } from './Progress';
import type { Collection } from './useCollection';

const STATE_TEXT: Record<JobHost['state'], string> = { queued: 'queued', running: 'running', done: 'done', partial: 'partial', failed: 'failed' };
const STATE_CLASS: Record<JobHost['state'], string> = {
  queued: 'text-slate-500',
  running: 'text-sky-700 dark:text-sky-400',
  done: 'text-emerald-700 dark:text-emerald-400',
  partial: 'text-amber-800 dark:text-amber-400',
  failed: 'text-sev-critical',
};

function counts(status: JobStatus): string {
  const by = (state: JobHost['state']) => status.hosts.filter((h) => h.state === state).length;
  const parts = [`${status.finished} of ${status.total} hosts finished`];
  for (const state of ['running', 'failed', 'partial'] as const) if (by(state)) parts.push(`${by(state)} ${state}`);
  return parts.join(' · ');
}

function label(status: JobStatus): string {
  if (status.phase === 'discovering') return 'Finding the hosts…';
  if (status.phase === 'storing') return 'Analysing and storing…';
  return `${status.cancelled ? 'Cancelling: ' : 'Collecting: '}${counts(status)}`;
}

/** Hosts that ended without a full capture because of the cancel (the runner and the shared loop both say "cancelled"). */
const wasCancelled = (host: JobHost) => host.state === 'failed' && /cancel/i.test(host.reason ?? '');

function Ended({ status }: { status: JobStatus }) {
  if (status.error) {
    return (
      <p role="alert" className="text-sm text-sev-critical" data-testid="collection-error">
        {status.error.message}
      </p>
    );
  }
  if (!status.cancelled) {
    return status.snapshot ? (
      <p role="status" className="text-sm" data-testid="collection-stored">
        The collection finished and was stored:{' '}
        <Link className="font-medium text-sky-700 underline dark:text-sky-400" href={status.snapshot.url}>
          open the snapshot
        </Link>
        .
      </p>
    ) : null;
  }
  const cancelled = status.hosts.filter(wasCancelled);
  return (
    <div role="status" className="space-y-1 text-sm" data-testid="collection-cancelled">
      <p>Cancelled. {cancelled.length > 0 ? `Not collected: ${cancelled.map((h) => h.name).join(', ')}.` : 'Every host had finished already.'}</p>
      {status.snapshot ? (
        <p>
          A partial snapshot of what was collected was stored:{' '}
          <Link className="font-medium text-sky-700 underline dark:text-sky-400" href={status.snapshot.url} data-testid="collection-partial-snapshot">
            open it
          </Link>
          .
        </p>
      ) : (
        <p>Nothing was collected, so no snapshot was stored.</p>
      )}
    </div>
  );
}

/** A running or ended collection: a bar, the hosts with their state and reason, and Cancel while it runs. */
export function CollectionProgress({ collection }: { collection: Collection }) {
  const { status, error, starting, cancelling } = collection;
  if (error) {
    return (
      <p role="alert" className="text-sm text-sev-critical">
        {error.message}
      </p>
    );
  }
  if (starting && !status) return <Progress label="Starting the collection…" />;
  if (!status) return null;
  const ended = status.phase === 'ended';
  return (
    <section className="space-y-2" aria-label="Collection progress" data-testid="collection-progress">
      {!ended && (
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <Progress label={label(status)} fraction={status.total > 0 && status.phase === 'collecting' ? status.finished / status.total : undefined} />
          </div>
          <button type="button" className="btn" data-testid="collection-cancel" disabled={cancelling || status.cancelled} onClick={collection.cancel}>
            {cancelling || status.cancelled ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      )}
      {!ended && <p className="text-xs text-slate-600 dark:text-slate-400">The collection goes on if you leave this page; come back here to follow it.</p>}
      {ended && <Ended status={status} />}
      {status.hosts.length > 0 && (
        <ul
          className="max-h-64 divide-y divide-slate-200 overflow-auto rounded border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800"
          aria-label="Hosts"
          data-testid="collection-hosts"
        >
          {status.hosts.map((host) => (
            <li key={host.name} className="flex flex-wrap items-baseline gap-x-2 px-2 py-1" data-testid="collection-host" data-host={host.name} data-state={host.state}>
              <span className="mono font-medium">{host.name}</span>
              <span className="text-xs text-slate-500">{host.role}</span>
              <span className={`text-xs font-semibold uppercase ${STATE_CLASS[host.state]}`}>{STATE_TEXT[host.state]}</span>
              {host.reason && <span className="w-full text-xs text-slate-600 dark:text-slate-400">{host.reason}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
