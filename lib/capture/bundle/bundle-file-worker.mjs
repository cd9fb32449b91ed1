// Entry of the thread that reads a bundle file (bundle-file-thread.ts): loads the TypeScript reader through tsx,
// since a worker thread starts without the loader of the thread that made it. A failure to load is reported as
// a message like any other, so the consumer never waits for a reader that is not there.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
  const { readBundleFileForConsumer } = await tsImport('./bundle-file-reader.ts', import.meta.url);
  readBundleFileForConsumer(workerData);
} catch (error) {
  const counters = new Int32Array(workerData.counters);
  workerData.port.postMessage({ kind: 'error', message: `cannot start the bundle reader: ${error?.message ?? String(error)}`, bundleFileError: false });
  Atomics.add(counters, 0, 1);
  Atomics.notify(counters, 0);
}
