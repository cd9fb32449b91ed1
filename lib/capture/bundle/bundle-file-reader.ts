/** The worker side of bundle-file-thread.ts: reads the file host by host and posts each, a few ahead at most. */
import { BundleFileError, openBundleFile } from './bundle-file';
import { POSTED, READ_AHEAD, TAKEN, type ReaderData, type ReaderMessage } from './bundle-file-thread';

export function readBundleFileForConsumer({ file, opts, counters: shared, port }: ReaderData): void {
  const counters = new Int32Array(shared);
  let posted = 0;
  const post = (message: ReaderMessage): void => {
    for (let taken = Atomics.load(counters, TAKEN); posted - taken >= READ_AHEAD; taken = Atomics.load(counters, TAKEN)) {
      Atomics.wait(counters, TAKEN, taken, 1000);
    }
    port.postMessage(message);
    Atomics.store(counters, POSTED, ++posted);
    Atomics.notify(counters, POSTED);
  };
  try {
    const bundle = openBundleFile(file, opts);
    for (const host of bundle.hosts()) post({ kind: 'host', host });
    post({ kind: 'end', envelope: bundle.envelope() });
  } catch (error) {
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error), bundleFileError: error instanceof BundleFileError });
  }
}
