/**
 * What the front answers without waiting, in Next.js's thread (front.ts) and in the front thread
 * (front-listener.ts) alike: which snapshot resource a request reads, the access decision when everything it needs
 * is at hand, and a kept answer's bytes (with a fresh nonce for a page that keeps one).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decide, pageShare, type AccessNeeds } from '@/lib/auth/access';
import type { AuthConfig } from '@/lib/auth/config';
import { identifyKnown, type Caller, type HeaderReader } from '@/lib/auth/identity';
import type { ShareClaims } from '@/lib/auth/signed';
import { pageViewOnRecord } from '@/lib/auth/views';
import { isSnapshotId } from '@/lib/store/ids';
import { filledBody, type SlottedBody } from './gzip-splice';
import { etagMatches, type BoundedCache } from './response-cache';

export type Kind = 'snapshot' | 'embed' | 'api';

export interface Target {
  kind: Kind;
  id: string;
  needs: AccessNeeds;
}

/** Headers of a kept answer, with the CSP value split where the nonce stood (one piece when it has none). */
export type KeptHeader = [name: string, pieces: string[]];

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

const PAGE = /^\/(s|embed)\/([^/?]+)$/;
const API = /^\/api\/snapshots\/([^/?]+)(?:\/(?:report\.md|graph\.svg|path))?$/;
function decoded(segment: string): string | undefined {
  try {
    const id = decodeURIComponent(segment);
    return isSnapshotId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What the front reads of a request's URL; a URL is one. */
export interface RequestUrl {
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
export function targetOf(request: IncomingMessage, url: RequestUrl): Target | undefined {
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
export function headerReader(request: IncomingMessage): HeaderReader {
  const headers = request.headers;
  return {
    get(name) {
      const value = headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export interface Access {
  caller: Caller;
  share?: ShareClaims;
}

/** Only a caller without a role needs the signing key: a share link may still let them in. */
export function needsKey(caller: Caller | null): boolean {
  return !(caller && caller.role);
}

/** The decision once the caller and, where needed, the key are known: the access, null for anything short of a plain yes. */
export function decided(config: AuthConfig, caller: Caller | null, secret: string | undefined, headers: HeaderReader, target: Target, now?: number): Access | null {
  const decision = decide(caller, 'viewer', target.needs, { config, headers, secret, address: caller?.address, now });
  return decision.ok ? { caller: decision.caller, share: decision.share } : null;
}

/** What the decision reads without waiting: the configuration, and the signing key once it has been read. */
export interface KnownAuth {
  config: AuthConfig;
  secret: string | undefined;
}

/**
 * The same decision when everything it needs is at hand (the configuration, the signing key once read, a held
 * Kubernetes review): the access, null for anything short of a plain yes, undefined when only the waiting decision
 * (front.ts) can say.
 */
function allowedNow(known: KnownAuth, headers: HeaderReader, target: Target, now: number): Access | null | undefined {
  try {
    const caller = identifyKnown(headers, { config: known.config, secret: known.secret, now });
    if (caller === undefined) return undefined;
    if (!needsKey(caller)) return decided(known.config, caller, undefined, headers, target, now);
    return known.secret === undefined ? undefined : decided(known.config, caller, known.secret, headers, target, now);
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

/** A fresh nonce as proxy.ts makes them: always of this many characters, the width of a kept page's slots. */
export function freshNonce(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

export const NONCE_LENGTH = freshNonce().length;

/** Sends a kept answer: a 304 when the client holds its ETag, else its bytes in the encoding the client takes. */
export function sendEntry(request: IncomingMessage, response: ServerResponse, entry: FrontEntry): void {
  // An answer compressed once has no slot: it costs no nonce.
  const nonce = entry.fixed ? '' : freshNonce();
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

/** One entry per resource, address and principal: a share link's holder and each role see their own answer. */
export function keyOf(request: IncomingMessage, url: RequestUrl, target: Target, access: Access): string {
  const principal = access.share ? 'share' : (access.caller.role ?? '');
  return [target.id, target.kind, request.headers.host ?? '', request.headers['x-forwarded-proto'] ?? '', url.pathname + url.search, principal].join('\u0000');
}

/** How answerNow ended: the kept answer sent, a decision short of a plain yes, or a wait needed to say. */
export type Immediate = 'sent' | 'refused' | 'wait';

/**
 * Answers in this turn, with no promise, when the decision needs nothing to be read, the answer is held and the
 * view is already on record. 'refused' leaves the request to the app, which answers it (sign-in, 401, 403);
 * 'wait' to the waiting path, which decides the same.
 */
export function answerNow(known: KnownAuth, cache: BoundedCache<FrontEntry>, request: IncomingMessage, response: ServerResponse, url: RequestUrl, target: Target, headers: HeaderReader): Immediate {
  // Next.js wraps Date.now; one reading serves the whole decision.
  const now = Date.now();
  const access = allowedNow(known, headers, target, now);
  if (access === undefined) return 'wait';
  if (access === null) return 'refused';
  const entry = cache.peek(keyOf(request, url, target, access));
  if (!entry) return 'wait';
  if (target.kind !== 'api' && !pageViewOnRecord(target.kind, access.caller, target.id, access.share, now)) return 'wait';
  sendEntry(request, response, entry);
  return 'sent';
}

/**
 * While connections are opening, requests answered per event-loop turn (TUNNELSCOPE_REQUESTS_PER_TURN); otherwise
 * a turn answers all that came in.
 */
export const REQUESTS_PER_TURN = 4;
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

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** What answers a request whose handling failed: the error on stderr under `label`, and a 500 if nothing went out yet. */
export function failure(label: string): (response: ServerResponse) => (error: unknown) => void {
  return (response) => (error) => {
    console.error(`${label}:`, error instanceof Error ? error.message : String(error));
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    response.end();
  };
}

/** `handleNow` for every request, at most `perTurn` per turn while connections are opening (turnSlicer). */
export function inTurns(perTurn: number, handleNow: Handler, fail: (response: ServerResponse) => (error: unknown) => void): Handler {
  const turns = turnSlicer(perTurn);
  const seen = new WeakSet<object>();
  return (request, response) => {
    const opening = !seen.has(request.socket);
    if (opening) seen.add(request.socket);
    turns.run(() => {
      try {
        handleNow(request, response);
      } catch (error) {
        fail(response)(error);
      }
    }, opening);
  };
}

/** The snapshot a DELETE of the API names, whose kept answers go once the deletion succeeds. */
export function deletedSnapshot(request: IncomingMessage, url: RequestUrl): string | undefined {
  const deleted = request.method === 'DELETE' ? API.exec(url.pathname) : null;
  return deleted ? decoded(deleted[1]) : undefined;
}
