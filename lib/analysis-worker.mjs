// Entry of an analysis thread (lib/analysis-thread.ts): loads the TypeScript analysis through tsx, since a worker
// thread starts without the loader of the thread that made it, and the dashboard's own code is bundled by Next.js.
// A failure to load is reported as a message, so the pool never waits for a thread that cannot work.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

// Linux schedules each thread on its own, and priority "0" names the calling thread: this lowers the analysis
// alone, so the thread that serves requests gets the cores first. Elsewhere "0" is the whole process, left alone.
if (process.platform === 'linux' && workerData?.nice > 0) {
  try {
    os.setPriority(0, workerData.nice);
  } catch {
    // A sandbox that forbids setpriority: the analysis still runs, at the server's priority.
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.TSX_TSCONFIG_PATH ??= path.join(here, '..', 'tsconfig.json');
try {
  const { serveJobs } = await tsImport('./analysis-job.ts', import.meta.url);
  serveJobs();
} catch (error) {
  parentPort?.postMessage({ id: 0, kind: 'broken', message: `cannot start the analysis thread: ${error?.message ?? String(error)}` });
}
