// Entry of an analysis thread (lib/analysis-thread.ts): loads the analysis built ahead of time, or its TypeScript
// through tsx during development (scripts/cli-build.mjs), since a worker thread starts without the loader of the
// thread that made it, and the dashboard's own code is bundled by Next.js.
// A failure to load is reported as a message, so the pool never waits for a thread that cannot work.
import { parentPort } from 'node:worker_threads';
import { importTs } from '../scripts/cli-build.mjs';

try {
  const { serveJobs } = await importTs('./analysis-job.ts', import.meta.url);
  serveJobs();
} catch (error) {
  parentPort?.postMessage({ id: 0, kind: 'broken', message: `cannot start the analysis thread: ${error?.message ?? String(error)}` });
}
