/**
 * `tunnelscope serve`'s listening side: the front thread (front-listener.ts) owns the port and answers kept snapshot
 * answers; what it cannot answer at once comes here, to the front (front.ts) before Next.js in this thread, over a
 * Unix socket in a directory only this user may open (mkdtemp makes it 0700): nobody else can reach the app around
 * the front thread, and the peer address it sends is believed.
 *
 * This thread stays the one that decides by waiting, renders, records views and keeps answers; the thread gets a copy
 * of what that teaches (lib/auth/identity.ts's onLearned, and the kept answers through the cache's watcher), at its start and as
 * it comes. The copy has the cache's bound too, so kept answers may take up to twice TUNNELSCOPE_RESPONSE_CACHE_BYTES
 * in all. A thread that dies (killed, or an error nobody caught) cuts the connections it held; it is said on
 * stderr and started again with everything known so far, and after RESTARTS deaths within a minute the server gives
 * up with a message instead of flapping.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { kubeCallersHeld } from '@/lib/auth/identity';
import { onLearned, type AuthFact } from '@/lib/auth/identity';
import { trustRelayedPeer } from '@/lib/auth/peer';
import { authConfig, signingSecretRead } from '@/lib/auth/server';
import { viewsOnRecord } from '@/lib/auth/views';
import { integerSetting } from '@/lib/capture/settings';
import { createFront, frontCacheOptions, type NextHandler } from './front';
import { REQUESTS_PER_TURN, type FrontEntry } from './front-kept';
import type { FromFrontThread, FrontThreadData, ToFrontThread } from './front-listener';
import { BoundedCache } from './response-cache';

const WORKER_ENTRY = new URL('./front-worker.mjs', import.meta.url);

/** Deaths of the thread within RESTART_WINDOW_MS after which the server stops. */
const RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export interface Listen {
  host: string;
  port: number;
  backlog: number;
}

/**
 * Emits 'listening' each time a thread listens (after a restart too) and 'failed' with an Error when it cannot
 * listen or has died too often.
 */
export class FrontThread extends EventEmitter {
  private thread: Worker | undefined;
  private closing = false;
  private readonly deaths: number[] = [];
  /** What this thread learns by waiting, told to the thread as it comes. */
  private readonly unheard = onLearned((fact: AuthFact) => this.post({ kind: 'fact', fact }));

  constructor(
    private readonly data: FrontThreadData,
    private readonly cache: BoundedCache<FrontEntry>,
    private readonly app: Server,
  ) {
    super();
  }

  /** The running thread. */
  get worker(): Worker | undefined {
    return this.thread;
  }

  post(message: ToFrontThread): void {
    this.thread?.postMessage(message);
  }

  start(): void {
    const thread = new Worker(WORKER_ENTRY, { workerData: this.data });
    this.thread = thread;
    // Queued until the thread reads them: it starts knowing what this thread knows.
    const secret = signingSecretRead();
    if (secret !== undefined) thread.postMessage({ kind: 'fact', fact: { kind: 'secret', secret } } satisfies ToFrontThread);
    for (const held of kubeCallersHeld()) thread.postMessage({ kind: 'fact', fact: { kind: 'kube', ...held } } satisfies ToFrontThread);
    for (const [key, at] of viewsOnRecord()) thread.postMessage({ kind: 'fact', fact: { kind: 'view', key, at } } satisfies ToFrontThread);
    for (const [key, entry] of this.cache.fresh()) thread.postMessage({ kind: 'kept', key, entry } satisfies ToFrontThread);
    thread.on('message', (message: FromFrontThread) => {
      if (message.kind === 'listening') this.emit('listening');
      else this.giveUp(new Error(message.message));
    });
    thread.on('error', (error) => console.error(`tunnelscope: the front thread failed: ${error.message}`));
    thread.once('exit', (code) => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      if (this.closing) return;
      const now = Date.now();
      this.deaths.push(now);
      while (this.deaths.length > 0 && now - this.deaths[0] > RESTART_WINDOW_MS) this.deaths.shift();
      if (this.deaths.length >= RESTARTS) {
        this.giveUp(new Error(`the front thread stopped ${this.deaths.length} times within a minute (last exit code ${code})`));
        return;
      }
      console.error(`tunnelscope: the front thread stopped (exit code ${code}); the connections it held were cut; starting it again`);
      this.start();
    });
  }

  private giveUp(error: Error): void {
    this.closing = true;
    void this.thread?.terminate();
    this.emit('failed', error);
  }

  /** Stops the thread and the app's socket. */
  async close(): Promise<void> {
    this.closing = true;
    this.unheard();
    await this.thread?.terminate();
    this.app.closeAllConnections();
    await new Promise<void>((resolve) => this.app.close(() => resolve()));
  }
}

/**
 * Puts `next` behind the front in this thread, on a Unix socket of its own, and starts the front thread listening
 * on `listen`; resolves once it listens.
 */
export async function startFrontThread(next: NextHandler, listen: Listen): Promise<FrontThread> {
  const directory = mkdtempSync(path.join(tmpdir(), 'tunnelscope-front-'));
  const relay = path.join(directory, 'app.sock');
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
  // The thread is made once the cache it copies exists.
  const made: { thread?: FrontThread } = {};
  const cacheOptions = frontCacheOptions();
  const cache = new BoundedCache<FrontEntry>(cacheOptions, {
    kept: (key, entry) => made.thread?.post({ kind: 'kept', key, entry }),
    forgotten: (prefix) => made.thread?.post({ kind: 'forgotten', prefix }),
  });
  // The front thread counts every client's reads before it relays them; here they would all be one client.
  const front = createFront(next, { cache, reads: { admit: () => true } });
  const app = createServer(front.handle);
  // No keep-alive timeout: the front thread's idle connections are then never closed under a request it sends.
  app.keepAliveTimeout = 0;
  trustRelayedPeer(app);
  app.listen(relay);
  await once(app, 'listening');
  const data: FrontThreadData = {
    ...listen,
    relay,
    config: authConfig(),
    cache: cacheOptions,
    perTurn: integerSetting(process.env.TUNNELSCOPE_REQUESTS_PER_TURN, REQUESTS_PER_TURN),
  };
  const started = new FrontThread(data, cache, app);
  made.thread = started;
  const listening = new Promise<void>((resolve, reject) => {
    started.once('listening', resolve);
    started.once('failed', reject);
  });
  started.start();
  try {
    await listening;
  } catch (error) {
    await started.close();
    throw error;
  }
  return started;
}
