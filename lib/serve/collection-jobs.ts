/**
 * A collection from the dashboard runs as a job: the request that starts it is answered at once with an
 * unguessable id, and the job's progress per host is read as a stream of numbered events (or as its current
 * status, for a client that polls). Cancelling aborts the signal the hosts' collections run under. Jobs live in
 * this process's memory: bounded in number, and forgotten a while after they end.
 */
import { randomBytes } from 'node:crypto';
import type { HostRole } from '@/lib/capture/types';
import type { JobEvent, JobHost, JobOutcome, JobPhase, JobStatus } from '@/lib/sources/collection-progress';
import type { HostProgress } from '@/lib/sources/source';
import { ApiError } from './api-error';

/** What the work of a job is given: the signal to stop on, and where it says what it found and how far it got. */
export interface JobControl {
  signal: AbortSignal;
  discovered(hosts: readonly { name: string; role: HostRole }[]): void;
  progress(progress: HostProgress): void;
  storing(): void;
}

/** An event before it is numbered, each kind keeping its own fields. */
type EventBody<E = JobEvent> = E extends JobEvent ? Omit<E, 'seq'> : never;
type Listener = (event: JobEvent) => void;

export class CollectionJob {
  readonly id = randomBytes(18).toString('base64url');
  readonly startedAt = new Date().toISOString();
  endedAt: number | undefined;
  private readonly controller = new AbortController();
  private readonly events: JobEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly hosts = new Map<string, JobHost>();
  private phase: JobPhase = 'discovering';
  private finished = 0;
  private outcome: JobOutcome = {};

  constructor(
    readonly owner: string,
    readonly source: string,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  status(): JobStatus {
    return {
      id: this.id,
      source: this.source,
      startedAt: this.startedAt,
      phase: this.phase,
      cancelled: this.signal.aborted,
      hosts: [...this.hosts.values()],
      finished: this.finished,
      total: this.hosts.size,
      seq: this.events.length,
      ...this.outcome,
    };
  }

  /** The events after `after` (a Last-Event-ID), then each new one until the job ends; returns the unsubscribe. */
  subscribe(after: number, listener: Listener): () => void {
    for (const event of this.events.slice(Math.max(0, after))) listener(event);
    if (this.ended) return () => undefined;
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  cancel(): void {
    if (this.ended || this.signal.aborted) return;
    this.controller.abort();
    this.emit({ type: 'phase', phase: this.phase, cancelled: true });
  }

  control(): JobControl {
    return {
      signal: this.signal,
      discovered: (hosts) => {
        for (const h of hosts) this.hosts.set(h.name, { name: h.name, role: h.role, state: 'queued' });
        this.phase = 'collecting';
        this.emit({ type: 'hosts', hosts: [...this.hosts.values()] });
      },
      progress: (p) => {
        const host: JobHost = { name: p.host, role: p.role, state: p.state, ...(p.reason ? { reason: p.reason } : {}) };
        this.hosts.set(p.host, host);
        this.finished = p.finished;
        this.emit({ type: 'host', host, finished: p.finished, total: p.total });
      },
      storing: () => {
        this.phase = 'storing';
        this.emit({ type: 'phase', phase: 'storing', cancelled: this.signal.aborted });
      },
    };
  }

  end(outcome: JobOutcome): void {
    if (this.ended) return;
    this.outcome = outcome;
    this.phase = 'ended';
    this.endedAt = Date.now();
    this.emit({ type: 'end', cancelled: this.signal.aborted, ...outcome });
    this.listeners.clear();
  }

  private emit(body: EventBody): void {
    const event = { ...body, seq: this.events.length + 1 } as JobEvent;
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

export interface JobLimits {
  /** Jobs kept at once, running and ended. */
  maxJobs: number;
  /** How long an ended job can still be read. */
  keepMs: number;
}

const DEFAULT_LIMITS: JobLimits = { maxJobs: 64, keepMs: 15 * 60_000 };

/** Who may read or cancel a job: the person who started it, and admins. */
export interface JobReader {
  user: string;
  admin: boolean;
}

export class CollectionJobs {
  private readonly jobs = new Map<string, CollectionJob>();

  constructor(private readonly limits: JobLimits = DEFAULT_LIMITS) {}

  /** Starts `work` as a job; an error it throws ends the job with that error (an ApiError keeps its status). */
  start(owner: string, source: string, work: (control: JobControl) => Promise<JobOutcome>): CollectionJob {
    this.expire();
    if (this.jobs.size >= this.limits.maxJobs) {
      throw new ApiError(503, 'unavailable', `${this.limits.maxJobs} collections are running or were just read on this server; try again when one has ended.`);
    }
    const job = new CollectionJob(owner, source);
    this.jobs.set(job.id, job);
    void work(job.control()).then(
      (outcome) => job.end(outcome),
      (error: unknown) => job.end({ error: errorOf(error) }),
    );
    return job;
  }

  /** The job, if it exists and the reader may see it; someone else's job is not found, as if it did not exist. */
  get(id: string, reader: JobReader): CollectionJob | undefined {
    this.expire();
    const job = this.jobs.get(id);
    return job && (reader.admin || job.owner === reader.user) ? job : undefined;
  }

  /** The jobs the reader may see, running and recently ended, the newest first. */
  list(reader: JobReader): CollectionJob[] {
    this.expire();
    return [...this.jobs.values()].filter((job) => reader.admin || job.owner === reader.user).reverse();
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Ended jobs past their keeping time go first; when full, the oldest ended job makes room. */
  private expire(): void {
    const now = Date.now();
    const ended = [...this.jobs.values()].filter((j) => j.endedAt !== undefined).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    for (const job of ended) {
      if (now - (job.endedAt ?? now) >= this.limits.keepMs || this.jobs.size >= this.limits.maxJobs) this.jobs.delete(job.id);
    }
  }
}

function errorOf(error: unknown): NonNullable<JobOutcome['error']> {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
  return { status: 500, code: 'internal', message: 'The collection failed on the server; its log says why.' };
}

const holder = globalThis as typeof globalThis & { __tunnelscopeJobs?: CollectionJobs };

/** The process's jobs: one registry however many times Next.js loads this module. */
export function collectionJobs(): CollectionJobs {
  holder.__tunnelscopeJobs ??= new CollectionJobs();
  return holder.__tunnelscopeJobs;
}
