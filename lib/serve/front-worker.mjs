// Entry of the front thread (front-thread.ts starts it, front-listener.ts is the thread): loads the TypeScript
// through tsx, since a worker thread starts without the loader of the thread that made it. A failure to load is
// reported as a message, so the server says why it does not listen instead of waiting.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
  const { listenFront } = await tsImport('./front-listener.ts', import.meta.url);
  listenFront(workerData, parentPort);
} catch (error) {
  parentPort.postMessage({ kind: 'failed', message: `cannot start the front thread: ${error?.message ?? String(error)}` });
}
