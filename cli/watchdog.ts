/**
 * A time budget for the command line (issue 21). Analysis runs on the main thread, so nothing on that thread can
 * stop it: a second thread waits out the budget and, if the command has not finished by then, writes one line to
 * standard error itself and ends the process. An input that would make the command spin fails like any other error.
 */
import { Worker } from 'node:worker_threads';

/** Time budget of import, topology, diagnose, trace and diff: TUNNELSCOPE_ANALYSIS_TIMEOUT_MS, else 5 minutes. */
export function cliTimeBudgetMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.TUNNELSCOPE_ANALYSIS_TIMEOUT_MS?.trim();
  const value = raw ? Number(raw) : NaN;
  return Number.isInteger(value) && value > 0 ? value : 5 * 60_000;
}

// Plain JavaScript, evaluated: the thread needs no loader and no file of its own.
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const flag = new Int32Array(workerData.flag);
if (Atomics.wait(flag, 0, 0, workerData.ms) === 'timed-out') {
  writeSync(2, workerData.message + '\\n');
  process.kill(process.pid, 'SIGKILL');
}
`;

/** Starts the budget; the returned function ends it (call it when the work is done, whichever way). */
export function startWatchdog(ms: number, message: string): () => void {
  const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WATCHER, { eval: true, workerData: { ms, message, flag: flag.buffer } });
  worker.unref();
  return () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
}
