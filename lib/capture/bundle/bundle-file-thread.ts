/**
 * A bundle file read on a second thread. Reading a host — finding where it ends in the file, decoding it,
 * JSON.parse, validation and redaction — is a third of the work of analysing a big capture, and none of it needs
 * what the analysis holds, so a worker thread does it while this one parses the host before. Hosts come over as
 * plain structured-clone copies (strings and records, cheap to copy, unlike parsed state), a few ahead at most.
 *
 * The consumer stays synchronous, as openBundleFile's is: it blocks on a shared counter until the next host is
 * posted and takes it with receiveMessageOnPort. Errors arrive as messages and are thrown with the same text.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BundleFileError, openBundleFile, readerOf, type BundleFileOptions, type HostReader } from './bundle-file';
import type { BundleEnvelope, HostCapture } from '../types';

export type ReaderMessage = { kind: 'host'; host: HostCapture } | { kind: 'end'; envelope: BundleEnvelope } | { kind: 'error'; message: string; bundleFileError: boolean };

/** Slots of the shared counters: hosts posted by the reader, hosts taken by the consumer. */
export const POSTED = 0;
export const TAKEN = 1;
/** Hosts the reader may run ahead of the consumer: enough to never starve it, few enough to hold little. */
export const READ_AHEAD = 8;
/** Files smaller than this are read on the calling thread: starting a thread costs more than it saves. */
export const THREAD_MIN_BYTES = 32 * 1024 * 1024;
/** A reader silent this long has died without a word (a crash takes its error message with it). */
const SILENCE_MS = 5 * 60 * 1000;

export interface ReaderData {
  file: string;
  opts: BundleFileOptions;
  counters: SharedArrayBuffer;
  port: MessagePort;
}

const WORKER_ENTRY = new URL('./bundle-file-worker.mjs', import.meta.url);

/** Blocks until the reader has posted more than `taken` messages; false when it stays silent too long. */
function awaitPosted(counters: Int32Array, taken: number): boolean {
  const deadline = Date.now() + SILENCE_MS;
  for (;;) {
    const posted = Atomics.load(counters, POSTED);
    if (posted > taken) return true;
    if (Date.now() > deadline) return false;
    Atomics.wait(counters, POSTED, posted, 1000);
  }
}

function readerError(message: Extract<ReaderMessage, { kind: 'error' }>): Error {
  return message.bundleFileError ? new BundleFileError(message.message) : new Error(message.message);
}

/** Reads `file` host by host on a worker thread; each pass starts its own thread and ends it. */
export function openBundleFileThreaded(file: string, opts: BundleFileOptions = {}): HostReader {
  let envelope: BundleEnvelope | undefined;

  function* hosts(): Generator<HostCapture> {
    const counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const data: ReaderData = { file, opts, counters: counters.buffer as SharedArrayBuffer, port: port2 };
    const worker = new Worker(WORKER_ENTRY, { workerData: data, transferList: [port2] });
    try {
      for (let taken = 0; ;) {
        if (!awaitPosted(counters, taken)) throw new BundleFileError('the thread reading the bundle file stopped without an answer');
        const received = receiveMessageOnPort(port1);
        if (received === undefined) continue;
        Atomics.store(counters, TAKEN, ++taken);
        Atomics.notify(counters, TAKEN);
        const message = received.message as ReaderMessage;
        if (message.kind === 'error') throw readerError(message);
        if (message.kind === 'end') {
          envelope = message.envelope;
          return;
        }
        yield message.host;
      }
    } finally {
      port1.close();
      void worker.terminate();
    }
  }

  return readerOf(hosts, () => envelope);
}

/** The reader for a file of `bytes`: on a second thread when the file is big enough to gain from one. */
export function hostReader(file: string, bytes: number, opts: BundleFileOptions = {}): HostReader {
  return bytes >= THREAD_MIN_BYTES ? openBundleFileThreaded(file, opts) : openBundleFile(file, opts);
}
