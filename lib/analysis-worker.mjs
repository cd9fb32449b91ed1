// Entry of an analysis thread (lib/analysis-thread.ts): loads the TypeScript analysis through tsx, since a worker
// thread starts without the loader of the thread that made it, and the dashboard's own code is bundled by Next.js.
// A failure to load is reported as a message, so the pool never waits for a thread that cannot work.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

function ownThreadId() {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * Linux schedules each thread on its own, and priority "0" names the calling thread: this lowers the analysis alone,
 * so the threads that serve requests get the cores first. Done before anything else is loaded: threads this one
 * starts (tsx's loader among them) inherit it. Elsewhere "0" is the whole process, left alone. What was refused is
 * told to the pool, which logs it; the analysis runs all the same.
 */
function lowerThisThread(tid, { nice, idle }) {
  const refused = [];
  if (process.platform !== 'linux') return refused;
  if (nice > 0) {
    try {
      os.setPriority(0, nice);
    } catch (error) {
      refused.push(`nice ${nice}: ${error.message}`);
    }
  }
  if (idle && tid !== undefined) {
    // Node has no call for a thread's scheduling policy: util-linux's chrt sets it on this thread by its id.
    const chrt = spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    if (chrt.error || chrt.status !== 0) refused.push(`SCHED_IDLE through chrt: ${chrt.error?.message ?? chrt.stderr.toString().trim()}`);
  }
  return refused;
}

const tid = ownThreadId();
const refused = lowerThisThread(tid, workerData ?? {});
const here = path.dirname(fileURLToPath(import.meta.url));
process.env.TSX_TSCONFIG_PATH ??= path.join(here, '..', 'tsconfig.json');
try {
  const { serveJobs } = await tsImport('./analysis-job.ts', import.meta.url);
  serveJobs(tid, refused);
} catch (error) {
  parentPort?.postMessage({ id: 0, kind: 'broken', message: `cannot start the analysis thread: ${error?.message ?? String(error)}` });
}
