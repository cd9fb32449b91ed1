/**
 * Answers about a snapshot never change, so each is computed once: rendered to bytes and kept with its ETag in a
 * cache bounded by bytes (least recently used out first). Requests that arrive while an answer is being computed
 * wait for that one computation instead of starting their own, so 500 people opening a fresh incident link cost one
 * render.
 *
 * The bytes are kept uncompressed here: Next.js 16 drops a route handler's Content-Encoding (FORBIDDEN_HEADERS in
 * next/dist/server/send-response.js) and compresses every answer itself. The front server (lib/serve/front.ts)
 * keeps them compressed once, in a cache of the same kind, and sends them after the same access decision.
 */

export interface Rendered {
  etag: string;
  body: string | Buffer;
  /** Content-Type and the like; sent with every 200. */
  headers: Record<string, string>;
}

export interface CachedAnswer {
  etag: string;
  headers: Record<string, string>;
  body: Buffer;
  /** What the entry holds, for the byte bound. */
  bytes: number;
  /** When it was computed (ms since the epoch), for the age bound. */
  at: number;
}

/** Bookkeeping per entry (key, headers, ETag), so that many small answers still count against the bound. */
const ENTRY_OVERHEAD_BYTES = 512;

function toAnswer(rendered: Rendered): CachedAnswer {
  const body = typeof rendered.body === 'string' ? Buffer.from(rendered.body, 'utf8') : rendered.body;
  return { etag: rendered.etag, headers: rendered.headers, body, bytes: body.length + ENTRY_OVERHEAD_BYTES, at: Date.now() };
}

export interface ResponseCacheOptions {
  /** Upper bound of the bytes held (bodies and their compressed forms). */
  maxBytes: number;
  /** An entry older than this is computed again (a deleted snapshot stops being served after at most this long). */
  maxAgeMs: number;
}

/** Told of what a cache keeps and forgets, for a copy of it elsewhere (the front thread's). */
export interface CacheWatcher<V> {
  kept(key: string, value: V): void;
  forgotten(prefix: string): void;
}

/** What a bounded cache holds: its size counted against the bound, and when it was made, for the age bound. */
export interface Sized {
  bytes: number;
  at: number;
}

/** Least recently used out first, by bytes; one computation per key however many ask for it meanwhile. */
export class BoundedCache<V extends Sized> {
  private readonly entries = new Map<string, V>();
  private readonly pending = new Map<string, Promise<V>>();
  private held = 0;
  /** Computations run, for tests and the benchmark: a hit costs none. */
  computed = 0;

  constructor(
    private readonly options: ResponseCacheOptions,
    private readonly watcher?: CacheWatcher<V>,
  ) {}

  /** Every fresh entry, least recently used first. */
  *fresh(): Generator<[string, V]> {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (now - entry.at <= this.options.maxAgeMs) yield [key, entry];
  }

  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `key` if it is held and fresh, moved to the most recently used end. */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (Date.now() - entry.at > this.options.maxAgeMs) {
      this.held -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  /** The value for `key`: held, being computed for another request, or computed now. A failed computation is not kept. */
  obtain(key: string, compute: () => Promise<V>): Promise<V> {
    const held = this.peek(key);
    if (held) return Promise.resolve(held);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    this.computed += 1;
    const computing = compute();
    this.pending.set(key, computing);
    computing.then(
      (answer) => {
        this.pending.delete(key);
        this.keep(key, answer);
      },
      () => this.pending.delete(key),
    );
    return computing;
  }

  /** Drops every entry whose key starts with `prefix` (a deleted snapshot's answers). */
  forget(prefix: string): void {
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.held -= entry.bytes;
    }
    this.watcher?.forgotten(prefix);
  }

  /** Keeps `answer` for `key` (computed elsewhere), within the bounds. */
  keep(key: string, answer: V): void {
    // An answer bigger than a quarter of the cache (the whole view of a very big snapshot) would push out everything
    // else for one reader: it is served once and not kept.
    if (answer.bytes > this.options.maxBytes / 4) return;
    const old = this.entries.get(key);
    if (old) this.held -= old.bytes;
    this.entries.delete(key);
    this.entries.set(key, answer);
    this.held += answer.bytes;
    this.watcher?.kept(key, answer);
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.held -= entry.bytes;
    }
  }
}

export class ResponseCache extends BoundedCache<CachedAnswer> {
  /** The answer for `key`: held, being rendered for another request, or rendered now. */
  get(key: string, render: () => Promise<Rendered>): Promise<CachedAnswer> {
    return this.obtain(key, async () => toAnswer(await render()));
  }
}

/** Whether an If-None-Match header names `etag` (weak or strong, or `*`). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (ifNoneMatch === null || ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

export function envBytes(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

let shared: ResponseCache | undefined;

/** The process's cache: TUNNELSCOPE_RESPONSE_CACHE_BYTES (default 128 MiB), entries at most 10 minutes old. */
export function responseCache(): ResponseCache {
  shared ??= new ResponseCache({ maxBytes: envBytes('TUNNELSCOPE_RESPONSE_CACHE_BYTES', 128 * 1024 * 1024), maxAgeMs: 10 * 60_000 });
  return shared;
}
