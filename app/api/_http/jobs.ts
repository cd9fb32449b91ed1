import type { Caller } from '@/lib/auth/identity';
import { ApiError } from '@/lib/serve/api-error';
import { collectionJobs, type CollectionJob } from '@/lib/serve/collection-jobs';

export function jobLinks(id: string): { url: string; events: string } {
  const url = `/api/collections/${encodeURIComponent(id)}`;
  return { url, events: `${url}/events` };
}

/** The jobs the caller started (every job, for an admin), running and recently ended, the newest first. */
export function jobsOf(caller: Caller): CollectionJob[] {
  return collectionJobs().list({ user: caller.user, admin: caller.role === 'admin' });
}

/** The job if the caller started it or is an admin; anyone else gets the same 404 as for a job that never was. */
export function jobFor(id: string, caller: Caller): CollectionJob {
  const job = collectionJobs().get(id, { user: caller.user, admin: caller.role === 'admin' });
  if (!job) throw new ApiError(404, 'not_found', 'No such collection: it ended a while ago, or was started by someone else.');
  return job;
}
