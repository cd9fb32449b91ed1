/**
 * The front of `tunnelscope serve`: a Node HTTP handler in the process that runs Next.js. A snapshot never changes,
 * so what Next.js answers about one (its page, embed, API levels, report.md, graph.svg, path) is kept once per URL
 * and principal, compressed once, and sent again at the cost of sending its bytes.
 *
 * - Access is decided first, by the code the pages and routes use (lib/auth). Anything short of a clear yes goes to
 *   Next.js, which answers it exactly as it would without a front (the sign-in page, 401, 403, 503).
 * - A page's scripts carry a per-response CSP nonce. A kept page has a slot wherever its nonce stood and each
 *   response gets a fresh one, in the HTML and in its Content-Security-Policy (gzip-splice.ts).
 * - A miss goes through Next.js once, uncompressed, and its bytes and headers are kept as Next.js sent them;
 *   requests for the same key meanwhile wait for that one render.
 * - A hit is answered in the turn its request is read, with no promise, when the decision needs nothing that is not
 *   at hand and the page view is already on record (Next.js's async hooks make every promise of a request cost);
 *   a first hit, a key not yet read or a view to record takes the waiting path, which decides the same.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { decide, pageShare, type AccessNeeds } from '@/lib/auth/access';
import { auditPageView, pageViewOnRecord } from '@/lib/auth/audit';
import type { Caller, HeaderReader } from '@/lib/auth/identity';
import { authConfig, callerKnown, callerOf, signingSecret, signingSecretRead } from '@/lib/auth/server';
import type { ShareClaims } from '@/lib/auth/signed';
import { isSnapshotId } from '@/lib/store/ids';
import { filledBody, slottedBody, type SlottedBody } from './gzip-splice';
import { BoundedCache, envBytes, etagMatches } from './response-cache';
import { createReadLimit } from './read-limit';
import { integerSetting } from '@/lib/capture/settings';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type NextHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

type Kind = 'snapshot' | 'embed' | 'api';

interface Target {
  kind: Kind;
  id: string;
  needs: AccessNeeds;
}

/** Headers of a kept answer, with the CSP value split where the nonce stood (one piece when it has none). */
type KeptHeader = [name: string, pieces: string[]];

export interface FrontEntry {
  bytes: number;
  at: number;
  headers: KeptHeader[];
  etag?: string;
  /** The body with a slot wherever the nonce stood, plain and gzip. */
  body: SlottedBody;
  /** Whole compressed bodies, for answers without a nonce. */
  fixed?: { gzip: Buffer; br: Buffer };
}

/** Set per response or by the connection, never replayed. */
const NOT_KEPT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);
const PAGE = /^\/(s|embed)\/([^/?]+)$/;
const API = /^\/api\/snapshots\/([^/?]+)(?:\/(?:report\.md|graph\.svg|path))?$/;
const NONCE = /'nonce-([A-Za-z0-9+/=_-]+)'/;

function decoded(segment: string): string | undefined {
  try {
    const id = decodeURIComponent(segment);
    return isSnapshotId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What the front reads of a request's URL; a URL is one. */
interface RequestUrl {
  pathname: string;
  search: string;
  searchParams: URLSearchParams;
}

/** Read only. */
const NO_QUERY = new URLSearchParams();
/** Segments that start with no dot (so none is . or ..) of characters the URL parser keeps as they are. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$/;
const PLAIN_QUERY = /^[A-Za-z0-9_.~=&%+-]*$/;

/** The request's path and query as the URL parser reads them; the common plain ones are split without it. */
export function requestUrl(raw: string): RequestUrl {
  const mark = raw.indexOf('?');
  const pathname = mark === -1 ? raw : raw.slice(0, mark);
  const query = mark === -1 ? '' : raw.slice(mark + 1);
  if (!PLAIN_PATH.test(pathname) || !PLAIN_QUERY.test(query)) return new URL(raw, 'http://front.invalid');
  return query === '' ? { pathname, search: '', searchParams: NO_QUERY } : { pathname, search: `?${query}`, searchParams: new URLSearchParams(query) };
}

function fromNextNavigation(request: IncomingMessage, url: RequestUrl): boolean {
  if (request.headers.rsc !== undefined || url.searchParams.has('_rsc')) return true;
  for (const name in request.headers) if (name.startsWith('next-')) return true;
  return false;
}

/**
 * The snapshot resource a request reads, when it is one the front keeps: a plain GET (a browser opening a page, not
 * Next.js's own navigation requests, which carry RSC and Next-Router headers and answer in another format).
 */
function targetOf(request: IncomingMessage, url: RequestUrl): Target | undefined {
  if (request.method !== 'GET' || fromNextNavigation(request, url)) return undefined;
  const page = PAGE.exec(url.pathname);
  if (page) {
    const id = decoded(page[2]);
    const kind = page[1] === 's' ? 'snapshot' : 'embed';
    return id === undefined ? undefined : { kind, id, needs: { snapshot: id, share: pageShare(url.searchParams.getAll('share')) } };
  }
  const api = API.exec(url.pathname);
  const id = api ? decoded(api[1]) : undefined;
  return id === undefined ? undefined : { kind: 'api', id, needs: { snapshot: id } };
}

/** Node's parsed request headers as the access decision reads them, without copying them into a Headers. */
function headerReader(request: IncomingMessage): HeaderReader {
  const headers = request.headers;
  return {
    get(name) {
      const value = headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

interface Access {
  caller: Caller;
  share?: ShareClaims;
}

/** The access decision of the page or route, or undefined when it is not a plain yes (Next.js then answers). */
async function allowed(headers: HeaderReader, target: Target): Promise<Access | undefined> {
  try {
    const caller = await callerOf(headers);
    return decided(caller, needsKey(caller) ? await signingSecret() : undefined, headers, target) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Only a caller without a role needs the signing key: a share link may still let them in. */
function needsKey(caller: Caller | null): boolean {
  return !(caller && caller.role);
}

/** The decision once the caller and, where needed, the key are known: the access, null for anything short of a plain yes. */
function decided(caller: Caller | null, secret: string | undefined, headers: HeaderReader, target: Target, now?: number): Access | null {
  const decision = decide(caller, 'viewer', target.needs, { config: authConfig(), headers, secret, address: caller?.address, now });
  return decision.ok ? { caller: decision.caller, share: decision.share } : null;
}

/**
 * The same decision when everything it needs is at hand (the configuration, the signing key once read, a held
 * Kubernetes review): the access, null for anything short of a plain yes, undefined when only allowed can say.
 */
function allowedNow(headers: HeaderReader, target: Target, now: number): Access | null | undefined {
  try {
    const caller = callerKnown(headers, now);
    if (caller === undefined) return undefined;
    if (!needsKey(caller)) return decided(caller, undefined, headers, target, now);
    const secret = signingSecretRead();
    return secret === undefined ? undefined : decided(caller, secret, headers, target, now);
  } catch {
    return undefined;
  }
}

/** br, else gzip, else none, as the client accepts them (q=0 refuses). */
function parsedEncoding(acceptEncoding: string): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (token && (q === undefined || Number(q) > 0)) accepted.add(token);
  }
  if (accepted.has('br')) return 'br';
  return accepted.has('gzip') || accepted.has('*') ? 'gzip' : undefined;
}

/** Browsers send a handful of distinct Accept-Encoding values; each is parsed once. */
const encodings = new Map<string, 'br' | 'gzip' | undefined>();
const ENCODINGS_HELD = 64;

function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (acceptEncoding === undefined) return undefined;
  if (encodings.has(acceptEncoding)) return encodings.get(acceptEncoding);
  const encoding = parsedEncoding(acceptEncoding);
  if (encodings.size >= ENCODINGS_HELD) encodings.clear();
  encodings.set(acceptEncoding, encoding);
  return encoding;
}

function splitBuffer(body: Buffer, separator: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let at = body.indexOf(separator); at !== -1; at = body.indexOf(separator, start)) {
    pieces.push(body.subarray(start, at));
    start = at + separator.length;
  }
  pieces.push(body.subarray(start));
  return pieces;
}

function keptHeaders(headers: OutgoingHttpHeaders, nonce: string | undefined): KeptHeader[] {
  const kept: KeptHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_KEPT.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) kept.push([name, nonce === undefined ? [one] : one.split(nonce)]);
  }
  if (!kept.some(([name, [value]]) => name === 'vary' && /accept-encoding/i.test(value))) kept.push(['vary', ['Accept-Encoding']]);
  return kept;
}

/** A fresh nonce as proxy.ts makes them: always of this many characters, the width of a kept page's slots. */
function freshNonce(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

const NONCE_LENGTH = freshNonce().length;

/** Bookkeeping per entry (key, headers), so that many small answers still count against the bound. */
const ENTRY_OVERHEAD_BYTES = 1024;

export async function frontEntry(headers: OutgoingHttpHeaders, body: Buffer): Promise<FrontEntry> {
  const policy = headers['content-security-policy'];
  const nonce = typeof policy === 'string' ? NONCE.exec(policy)?.[1] : undefined;
  const pieces = nonce === undefined ? [body] : splitBuffer(body, Buffer.from(nonce, 'utf8'));
  const slotted = await slottedBody(pieces, NONCE_LENGTH);
  const etag = typeof headers.etag === 'string' ? headers.etag : undefined;
  const entry: FrontEntry = { bytes: 0, at: Date.now(), headers: keptHeaders(headers, nonce), body: slotted, ...(etag === undefined ? {} : { etag }) };
  if (nonce === undefined) {
    const [gz, br] = await Promise.all([gzipAsync(body, { level: 9 }), brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })]);
    entry.fixed = { gzip: gz, br };
  }
  const held = slotted.plain.bytes.length + slotted.gzip.bytes.length + (entry.fixed ? entry.fixed.gzip.length + entry.fixed.br.length : 0);
  entry.bytes = held + ENTRY_OVERHEAD_BYTES;
  return entry;
}

/** Sends a kept answer: a 304 when the client holds its ETag, else its bytes in the encoding the client takes. */
export function sendEntry(request: IncomingMessage, response: ServerResponse, entry: FrontEntry): void {
  const nonce = freshNonce();
  const notModified = entry.etag !== undefined && etagMatches(request.headers['if-none-match'], entry.etag);
  // Names and values in one list, as writeHead takes them.
  const headers: string[] = [];
  for (const [name, pieces] of entry.headers) {
    if (notModified && name === 'content-type') continue;
    headers.push(name, pieces.length === 1 ? pieces[0] : pieces.join(nonce));
  }
  if (notModified) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const encoding = encodingFor(request.headers['accept-encoding']);
  const value = Buffer.from(nonce, 'utf8');
  let body: Buffer;
  if (encoding === 'br' && entry.fixed) body = entry.fixed.br;
  else if (encoding !== undefined) body = entry.fixed?.gzip ?? filledBody(entry.body, value, 'gzip');
  else body = filledBody(entry.body, value, 'plain');
  const sentEncoding = encoding === 'br' && !entry.fixed ? 'gzip' : encoding;
  if (sentEncoding !== undefined) headers.push('content-encoding', sentEncoding);
  headers.push('content-length', String(body.length));
  response.writeHead(200, headers);
  response.end(body);
}

/** Copies what is written to `response` while it still goes to the client. */
function recordBody(response: ServerResponse): Buffer[] {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as ServerResponse['write'];
  response.end = ((...args: unknown[]) => {
    if (typeof args[0] !== 'function') keep(args[0], args[1]);
    return end(...args);
  }) as ServerResponse['end'];
  return chunks;
}

/** Lets Next.js answer `request` (uncompressed, so its bytes can be kept) and makes an entry of a complete 200. */
function renderThrough(next: NextHandler, request: IncomingMessage, response: ServerResponse): Promise<FrontEntry> {
  delete request.headers['accept-encoding'];
  const chunks = recordBody(response);
  return new Promise<FrontEntry>((resolve, reject) => {
    response.once('close', () => {
      if (!response.writableFinished) reject(new Error('the response was cut before its end'));
    });
    response.once('finish', () => {
      const headers = response.getHeaders();
      if (response.statusCode !== 200 || headers['content-encoding'] !== undefined) reject(new Error(`not kept: ${response.statusCode}`));
      else frontEntry(headers, Buffer.concat(chunks)).then(resolve, reject);
    });
    next(request, response).catch(reject);
  });
}

export interface Front {
  handle(request: IncomingMessage, response: ServerResponse): void;
  cache: BoundedCache<FrontEntry>;
}

/**
 * While connections are opening, requests answered per event-loop turn (TUNNELSCOPE_REQUESTS_PER_TURN); otherwise
 * a turn answers all that came in.
 */
const REQUESTS_PER_TURN = 4;
/** How long after a connection's first request the front still counts connections as opening. */
const OPENING_MS = 100;
/** Queue entries that ran, dropped from its front once this many. */
const COMPACT_AT = 1024;

/**
 * Runs queued work in arrival order, at most `perTurn` items per event-loop turn while connections are opening.
 * libuv takes one connection from the listen queue per turn (libuv#3696, Node 20), and a turn otherwise answers
 * every request that came in during it: when hundreds of clients connect at once, each turn grows with the
 * clients already in, and the last ones wait in the listen queue for seconds, past their timeouts. Each
 * connection has one request in flight, so answering a few per turn keeps turns short until everyone is in;
 * then every request of a turn is answered in it again.
 */
export function turnSlicer(perTurn: number, openingMs = OPENING_MS): { run(work: () => void, newConnection: boolean): void } {
  const queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;
  let openedAt = -Infinity;
  const drain = (): void => {
    scheduled = false;
    const limit = performance.now() - openedAt < openingMs ? perTurn : Infinity;
    const end = Math.min(queue.length, head + limit);
    while (head < end) {
      const work = queue[head];
      head += 1;
      work();
    }
    if (head === queue.length || head >= COMPACT_AT) {
      // What ran is let go of (its request and response), also while the queue never empties.
      queue.splice(0, head);
      head = 0;
    }
    if (queue.length > 0) {
      scheduled = true;
      setImmediate(drain);
    }
  };
  return {
    run(work, newConnection) {
      if (newConnection) openedAt = performance.now();
      queue.push(work);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
  };
}

/**
 * The handler for every request. TUNNELSCOPE_RESPONSE_CACHE_BYTES bounds the kept bytes (default 128 MiB); an entry
 * is kept at most ten minutes, so a snapshot deleted through another replica stops being served within that time.
 */
export function createFront(next: NextHandler, cache = new BoundedCache<FrontEntry>({ maxBytes: envBytes('TUNNELSCOPE_RESPONSE_CACHE_BYTES', 128 * 1024 * 1024), maxAgeMs: 10 * 60_000 })): Front {
  const fail = (response: ServerResponse) => (error: unknown) => {
    console.error('tunnelscope front:', error instanceof Error ? error.message : String(error));
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    response.end();
  };

  function keyOf(request: IncomingMessage, url: RequestUrl, target: Target, access: Access): string {
    const principal = access.share ? 'share' : (access.caller.role ?? '');
    return [target.id, target.kind, request.headers.host ?? '', request.headers['x-forwarded-proto'] ?? '', url.pathname + url.search, principal].join('\u0000');
  }

  /**
   * Answers in this turn, with no promise, when the decision needs nothing to be read, the answer is held and the
   * view is already on record; false when it cannot (serveKept then answers).
   */
  function answerNow(request: IncomingMessage, response: ServerResponse, url: RequestUrl, target: Target, headers: HeaderReader): boolean {
    // Next.js wraps Date.now; one reading serves the whole decision.
    const now = Date.now();
    const access = allowedNow(headers, target, now);
    if (access === undefined) return false;
    if (access === null) {
      next(request, response).catch(fail(response));
      return true;
    }
    const entry = cache.peek(keyOf(request, url, target, access));
    if (!entry) return false;
    if (target.kind !== 'api' && !pageViewOnRecord(target.kind, access.caller, target.id, access.share, now)) return false;
    sendEntry(request, response, entry);
    return true;
  }

  async function serveKept(request: IncomingMessage, response: ServerResponse, url: RequestUrl, target: Target, headers: HeaderReader): Promise<void> {
    const access = await allowed(headers, target);
    if (!access) return next(request, response);
    let rendered = false;
    const entry = await cache
      .obtain(keyOf(request, url, target, access), () => {
        rendered = true;
        return renderThrough(next, request, response);
      })
      .catch(() => undefined);
    if (rendered) return;
    if (!entry) return next(request, response);
    if (target.kind !== 'api') await auditPageView(target.kind, access.caller, target.id, access.share);
    sendEntry(request, response, entry);
  }

  const turns = turnSlicer(integerSetting(process.env.TUNNELSCOPE_REQUESTS_PER_TURN, REQUESTS_PER_TURN));
  const seen = new WeakSet<object>();
  const reads = createReadLimit();

  function handleNow(request: IncomingMessage, response: ServerResponse): void {
    if (!reads.admit(request, response)) return;
    const url = requestUrl(request.url ?? '/');
    const target = targetOf(request, url);
    if (!target) {
      const deleted = request.method === 'DELETE' ? API.exec(url.pathname) : null;
      const deletedId = deleted ? decoded(deleted[1]) : undefined;
      if (deletedId !== undefined) {
        response.once('finish', () => {
          if (response.statusCode < 300) cache.forget(`${deletedId}\u0000`);
        });
      }
      next(request, response).catch(fail(response));
      return;
    }
    const headers = headerReader(request);
    if (!answerNow(request, response, url, target, headers)) serveKept(request, response, url, target, headers).catch(fail(response));
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const opening = !seen.has(request.socket);
    if (opening) seen.add(request.socket);
    turns.run(() => {
      try {
        handleNow(request, response);
      } catch (error) {
        fail(response)(error);
      }
    }, opening);
  }

  return { handle, cache };
}
