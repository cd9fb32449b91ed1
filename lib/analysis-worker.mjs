// Entry of an analysis thread (lib/analysis-thread.ts): loads the TypeScript analysis through tsx, since a worker
// thread starts without the loader of the thread that made it, and the dashboard's own code is bundled by Next.js.
// A failure to load is reported as a message, so the pool never waits for a thread that cannot work.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.TSX_TSCONFIG_PATH ??= path.join(here, '..', 'tsconfig.json');
try {
  const { serveJobs } = await tsImport('./analysis-job.ts', import.meta.url);
  serveJobs();
} catch (error) {
  parentPort?.postMessage({ id: 0, kind: 'broken', message: `cannot start the analysis thread: ${error?.message ?? String(error)}` });
}
