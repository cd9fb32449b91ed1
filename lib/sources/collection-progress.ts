/**
 * A collection's progress as the server reports it while it runs (lib/serve/collection-jobs.ts) and the dashboard
 * shows it: the hosts with their state and reason, the phase, and at the end the stored snapshot or the error.
 */
import type { HostRole } from '@/lib/capture/types';
import type { HostProgress } from './source';

export type JobHostState = 'queued' | HostProgress['state'];

export interface JobHost {
  name: string;
  role: HostRole;
  state: JobHostState;
  reason?: string;
}

/** discovering → collecting → storing → ended; `cancelled` says whether the caller asked it to stop. */
export type JobPhase = 'discovering' | 'collecting' | 'storing' | 'ended';

export interface JobSnapshot {
  id: string;
  url: string;
  partialHosts: string[];
}

export interface JobOutcome {
  /** The stored snapshot; absent when the job failed, or was cancelled before any host gave anything. */
  snapshot?: JobSnapshot;
  error?: { status: number; code: string; message: string };
}

export type JobEvent =
  | { seq: number; type: 'hosts'; hosts: JobHost[] }
  | { seq: number; type: 'host'; host: JobHost; finished: number; total: number }
  | { seq: number; type: 'phase'; phase: JobPhase; cancelled: boolean }
  | ({ seq: number; type: 'end'; cancelled: boolean } & JobOutcome);

export interface JobStatus extends JobOutcome {
  id: string;
  source: string;
  startedAt: string;
  phase: JobPhase;
  cancelled: boolean;
  hosts: JobHost[];
  finished: number;
  total: number;
  /** The number of the last event so far: a stream opened with it as Last-Event-ID goes on from there. */
  seq: number;
}
