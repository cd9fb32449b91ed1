/**
 * Analysis of untrusted input off the thread that serves requests (issue 21). Importing and analysing an upload or
 * a collection runs on a worker thread with a time budget and a memory budget; past either, that thread is ended
 * and the one request fails with a message naming what was too costly, while every other request goes on being
 * served. Threads are kept warm between jobs (loading the analysis takes a moment) and replaced when ended.
 *
 * Budgets (environment):
 *   TUNNELSCOPE_ANALYSIS_TIMEOUT_MS  time one analysis may take, from when its thread starts it (default 20 s):
 *                                    CPU time on Linux, and at most five times that in wall time
 *   TUNNELSCOPE_ANALYSIS_MEMORY_MB   heap of one analysis thread (default 2048 MiB)
 *   TUNNELSCOPE_ANALYSIS_THREADS     analyses at once (default 2); more wait in line. 0 analyses on the calling
 *                                    thread, without budgets: only for tests that substitute the analysis
 *   TUNNELSCOPE_ANALYSIS_QUEUE       analyses waiting at most (default 32); past it a request is refused with 503
 *                                    and a Retry-After from how long analyses have been taking
 *
 * The threads run as background work, below the threads that serve readers (TUNNELSCOPE_BACKGROUND_NICE and
 * TUNNELSCOPE_BACKGROUND_IDLE, lib/capture/background.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisAnswer, AnalysisFailure, AnalysisJob, WorkerMessage } from './analysis-job';
import { backgroundPriority, logRefusal, type BackgroundPriority } from '@/lib/capture/background';
import { integerSetting } from '@/lib/capture/settings';

export interface AnalysisBudget {
  timeoutMs: number;
  memoryMb: number;
  threads: number;
  queue: number;
  priority: BackgroundPriority;
}

export const DEFAULT_ANALYSIS_BUDGET: AnalysisBudget = { timeoutMs: 20_000, memoryMb: 2048, threads: 2, queue: 32, priority: backgroundPriority({}) };

export function analysisBudget(env: Readonly<Record<string, string | undefined>> = process.env): AnalysisBudget {
  return {
    timeoutMs: integerSetting(env.TUNNELSCOPE_ANALYSIS_TIMEOUT_MS, DEFAULT_ANALYSIS_BUDGET.timeoutMs),
    memoryMb: integerSetting(env.TUNNELSCOPE_ANALYSIS_MEMORY_MB, DEFAULT_ANALYSIS_BUDGET.memoryMb),
    threads: env.TUNNELSCOPE_ANALYSIS_THREADS?.trim() === '0' ? 0 : integerSetting(env.TUNNELSCOPE_ANALYSIS_THREADS, DEFAULT_ANALYSIS_BUDGET.threads),
    queue: integerSetting(env.TUNNELSCOPE_ANALYSIS_QUEUE, DEFAULT_ANALYSIS_BUDGET.queue),
    priority: backgroundPriority(env),
  };
}

/** A request whose analysis was refused or stopped; `status` is the HTTP status it deserves. */
export class AnalysisError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The checkout's lib/ folder. Next.js bundles this module, so its own location says nothing about where the
 * worker's file is: the dashboard runs in the checkout (TUNNELSCOPE_HOME for the command line).
 */
function workerEntry(): string {
  const home = process.env.TUNNELSCOPE_HOME ?? process.cwd();
  return path.join(/*turbopackIgnore: true*/ home, 'lib', 'analysis-worker.mjs');
}

interface Pending {
  id: number;
  job: AnalysisJob;
  what: string;
  transfer: ArrayBuffer[];
  resolve: (answer: AnalysisAnswer) => void;
  reject: (error: Error) => void;
}

class Slot {
  readonly worker: Worker;
  ready = false;
  current: Pending | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  startedAt = 0;
  tid: number | undefined;
  cpuAtStart: number | undefined;
  ended = false;

  constructor(
    private readonly pool: AnalysisPool,
    budget: AnalysisBudget,
  ) {
    this.worker = new Worker(workerEntry(), { resourceLimits: { maxOldGenerationSizeMb: budget.memoryMb }, workerData: budget.priority, stdout: false, stderr: false });
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.end(this.tooCostly('memory'));
      else this.end(new AnalysisError(500, 'internal', `The analysis thread failed: ${error.message}`));
    });
    this.worker.on('exit', () => this.end(new AnalysisError(500, 'internal', 'The analysis thread stopped without an answer.')));
  }

  private tooCostly(what: 'time' | 'memory'): AnalysisError {
    const job = this.current?.what ?? 'the input';
    const budget = this.pool.budget;
    const message =
      what === 'time'
        ? `Analysis of ${job} took longer than ${seconds(budget.timeoutMs)} (the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS) and was stopped. Upload fewer hosts or a smaller capture, or check the input for damage.`
        : `Analysis of ${job} needed more than ${budget.memoryMb} MiB of memory (the budget, TUNNELSCOPE_ANALYSIS_MEMORY_MB) and was stopped. Upload fewer hosts or a smaller capture.`;
    return new AnalysisError(422, 'analysis_too_costly', message, { budget: what });
  }

  private onMessage(message: WorkerMessage): void {
    if (message.kind === 'ready') {
      this.ready = true;
      this.tid = message.tid;
      if (message.refused.length > 0) logRefusal('an analysis thread', message.refused.join('; '));
      this.pool.dispatch();
      return;
    }
    if (message.kind === 'broken') {
      this.end(new AnalysisError(500, 'internal', message.message));
      return;
    }
    const pending = this.current;
    if (!pending || pending.id !== message.id) return;
    if (message.kind === 'started') {
      this.startedAt = performance.now();
      this.cpuAtStart = threadCpuMs(this.tid);
      this.timer = setTimeout(() => this.checkTime(), this.pool.budget.timeoutMs);
      return;
    }
    clearTimeout(this.timer);
    this.pool.took(performance.now() - this.startedAt);
    this.current = undefined;
    this.worker.unref();
    if (message.kind === 'done') pending.resolve(message.answer);
    else pending.reject(failureError(message.failure));
    this.pool.dispatch();
  }

  /**
   * The budget is the thread's CPU time where Linux tells it: at a low priority the thread waits while requests are
   * served, and that wait is not the input's cost. Waiting is still bounded, at a few budgets of wall time.
   */
  private checkTime(): void {
    const budget = this.pool.budget.timeoutMs;
    const now = threadCpuMs(this.tid);
    const used = now === undefined || this.cpuAtStart === undefined ? budget : now - this.cpuAtStart;
    if (used >= budget || performance.now() - this.startedAt >= budget * WALL_BUDGETS) this.end(this.tooCostly('time'));
    else this.timer = setTimeout(() => this.checkTime(), Math.max(20, budget - used));
  }

  run(pending: Pending): void {
    this.current = pending;
    // A thread at work keeps the process up; an idle one does not hold it open at exit.
    this.worker.ref();
    this.worker.postMessage({ id: pending.id, job: pending.job }, pending.transfer);
  }

  /** Ends the thread; its job, if any, fails with `error`. The pool starts another thread when one is needed. */
  end(error: AnalysisError): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    const pending = this.current;
    this.current = undefined;
    void this.worker.terminate();
    this.pool.remove(this);
    if (pending) pending.reject(error);
    else if (!this.ready) this.pool.failWaiting(error);
    this.pool.dispatch();
  }
}

/** How many time budgets of wall time an analysis may take while it waits for the CPU. */
const WALL_BUDGETS = 5;

/** Linux counts a thread's CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU time (user and system) a thread of this process has used; undefined off Linux or when it has ended. */
function threadCpuMs(tid: number | undefined): number | undefined {
  if (tid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function failureError(failure: AnalysisFailure): AnalysisError {
  return new AnalysisError(failure.status, failure.code, failure.message, failure.details);
}

export class AnalysisPool {
  private readonly slots = new Set<Slot>();
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** A running mean of how long analyses take, for the Retry-After of a refusal; a first guess until one ends. */
  private typicalMs = 2000;

  constructor(readonly budget: AnalysisBudget = analysisBudget()) {}

  /** Analyses at work and waiting, as /api/healthz reports them. */
  state(): { running: number; waiting: number } {
    return { running: [...this.slots].filter((s) => s.current !== undefined).length, waiting: this.waiting.length };
  }

  /** Runs `job` on an analysis thread; `what` names the input in messages ("the upload"). */
  run(job: AnalysisJob, what: string, transfer: ArrayBuffer[] = []): Promise<AnalysisAnswer> {
    if (this.closed) return Promise.reject(new AnalysisError(503, 'unavailable', 'The server is shutting down.'));
    if (this.budget.threads === 0) return this.runHere(job);
    if (this.waiting.length >= this.budget.queue) {
      const retryAfter = Math.max(1, Math.ceil((this.typicalMs * (this.waiting.length + this.budget.threads)) / this.budget.threads / 1000));
      return Promise.reject(
        new AnalysisError(
          503,
          'unavailable',
          `${this.budget.queue} analyses are already waiting (TUNNELSCOPE_ANALYSIS_QUEUE); nothing of this request was kept. Try again in ${retryAfter} s.`,
          undefined,
          retryAfter,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, job, what, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private async runHere(job: AnalysisJob): Promise<AnalysisAnswer> {
    const { runJob } = await import('./analysis-job');
    try {
      return await runJob(job);
    } catch (error) {
      const failure = error as Partial<AnalysisFailure>;
      if (typeof failure.status === 'number' && typeof failure.code === 'string') throw failureError(failure as AnalysisFailure);
      throw error;
    }
  }

  /** Hands waiting jobs to idle ready threads, and starts threads up to the budget while jobs wait. */
  dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.ready && !slot.current && !slot.ended) slot.run(this.waiting.shift() as Pending);
    }
    let starting = [...this.slots].filter((s) => !s.ready).length;
    while (this.waiting.length > starting && this.slots.size < this.budget.threads) {
      this.slots.add(new Slot(this, this.budget));
      starting++;
    }
  }

  took(ms: number): void {
    this.typicalMs = 0.8 * this.typicalMs + 0.2 * ms;
  }

  remove(slot: Slot): void {
    this.slots.delete(slot);
  }

  /** A thread that could not even start: the jobs waiting for it would wait forever, so they fail with its error. */
  failWaiting(error: AnalysisError): void {
    for (const pending of this.waiting.splice(0)) pending.reject(error);
  }

  /** Ends every thread; their jobs and the waiting ones fail. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new AnalysisError(503, 'unavailable', 'The server is shutting down.');
    this.failWaiting(error);
    await Promise.all([...this.slots].map((slot) => slot.end(error)));
  }
}

/** One pool per process; kept on globalThis so that module reloads in development reuse it. */
const holder = globalThis as typeof globalThis & { __tunnelscopeAnalysis?: AnalysisPool };

export function analysisPool(): AnalysisPool {
  holder.__tunnelscopeAnalysis ??= new AnalysisPool();
  return holder.__tunnelscopeAnalysis;
}
