/**
 * The front of `tunnelscope serve`: a Node HTTP handler in the process that runs Next.js. A snapshot never changes,
 * so what Next.js answers about one (its page, embed, API levels, report.md, graph.svg, path) is kept once per URL
 * and principal, compressed once, and sent again at the cost of sending its bytes.
 *
 * - Access is decided first, by the code the pages and routes use (lib/auth). Anything short of a clear yes goes to
 *   Next.js, which answers it exactly as it would without a front (the sign-in page, 401, 403, 503).
 * - A page's scripts carry a per-response CSP nonce as rendered. A kept page is the same for every viewer, so its
 *   inline scripts are allowed by their hashes instead, and it is sent compressed once, as the other answers
 *   (script-hashes.ts). A page whose scripts cannot be hashed has a slot wherever its nonce stood, and each response
 *   gets a fresh one, in the HTML and in its Content-Security-Policy (gzip-splice.ts).
 * - A miss goes through Next.js once, uncompressed, and its bytes and headers are kept as Next.js sent them;
 *   requests for the same key meanwhile wait for that one render.
 * - A hit is answered in the turn its request is read, with no promise, when the decision needs nothing that is not
 *   at hand and the page view is already on record (Next.js's async hooks make every promise of a request cost);
 *   a first hit, a key not yet read or a view to record takes the waiting path, which decides the same.
 * - `serve` puts the front thread (front-thread.ts) before it: that thread listens and answers hits itself, away
 *   from Next.js's thread, and relays the rest here; the thread holds a copy of what this front keeps.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { auditPageView } from '@/lib/auth/audit';
import { hashedPagePolicy } from '@/lib/auth/framing';
import type { HeaderReader } from '@/lib/auth/identity';
import { authConfig, callerOf, signingSecret, signingSecretRead } from '@/lib/auth/server';
import { integerSetting } from '@/lib/capture/settings';
import { answerNow, decided, deletedSnapshot, failure, headerReader, inTurns, keyOf, NONCE_LENGTH, needsKey, requestUrl, REQUESTS_PER_TURN, sendEntry, targetOf } from './front-kept';
import type { Access, FrontEntry, KeptHeader, RequestUrl, Target } from './front-kept';
import { slottedBody } from './gzip-splice';
import { hashedPage } from './script-hashes';
import { BoundedCache, envBytes, type ResponseCacheOptions } from './response-cache';
import { createReadLimit, type ReadLimit } from './read-limit';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type NextHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Set per response or by the connection, never replayed. */
const NOT_KEPT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);
/** The access decision of the page or route, or undefined when it is not a plain yes (Next.js then answers). */
async function allowed(headers: HeaderReader, target: Target): Promise<Access | undefined> {
  try {
    const caller = await callerOf(headers);
    return decided(authConfig(), caller, needsKey(caller) ? await signingSecret() : undefined, headers, target) ?? undefined;
  } catch {
    return undefined;
  }
}

const NONCE = /'nonce-([A-Za-z0-9+/=_-]+)'/;

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

/** Bookkeeping per entry (key, headers), so that many small answers still count against the bound. */
const ENTRY_OVERHEAD_BYTES = 1024;

/**
 * A rendered page as every later viewer gets it: hash-based policy, no nonce, and an ETag of its bytes when Next.js
 * gave none (a page's HTML no longer changes per response). Undefined when its scripts keep it on the nonce path.
 */
function hashedAnswer(headers: OutgoingHttpHeaders, body: Buffer, policy: string, nonce: string): { headers: OutgoingHttpHeaders; body: Buffer } | undefined {
  const page = hashedPage(body, nonce);
  const hashedPolicy = page && hashedPagePolicy(policy, nonce, page.hashes);
  if (!page || hashedPolicy === undefined) return undefined;
  const etag = headers.etag ?? `"${createHash('sha256').update(page.body).digest('base64url').slice(0, 27)}"`;
  return { headers: { ...headers, 'content-security-policy': hashedPolicy, etag }, body: page.body };
}

export async function frontEntry(headers: OutgoingHttpHeaders, body: Buffer): Promise<FrontEntry> {
  const policy = headers['content-security-policy'];
  const nonce = typeof policy === 'string' ? NONCE.exec(policy)?.[1] : undefined;
  const hashed = typeof policy === 'string' && nonce !== undefined ? hashedAnswer(headers, body, policy, nonce) : undefined;
  if (hashed) return frontEntry(hashed.headers, hashed.body);
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
 * What the front keeps: TUNNELSCOPE_RESPONSE_CACHE_BYTES bounds the kept bytes (default 128 MiB); an entry is kept at
 * most ten minutes, so a snapshot deleted through another replica stops being served within that time.
 */
export function frontCacheOptions(): ResponseCacheOptions {
  return { maxBytes: envBytes('TUNNELSCOPE_RESPONSE_CACHE_BYTES', 128 * 1024 * 1024), maxAgeMs: 10 * 60_000 };
}

export interface FrontOptions {
  cache?: BoundedCache<FrontEntry>;
  /** The per-client read limit; the front thread applies it before it relays a request here. */
  reads?: ReadLimit;
}

/** The handler for every request. */
export function createFront(next: NextHandler, options: FrontOptions = {}): Front {
  const cache = options.cache ?? new BoundedCache<FrontEntry>(frontCacheOptions());
  const fail = failure('tunnelscope front');

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

  const reads = options.reads ?? createReadLimit();

  function handleNow(request: IncomingMessage, response: ServerResponse): void {
    if (!reads.admit(request, response)) return;
    const url = requestUrl(request.url ?? '/');
    const target = targetOf(request, url);
    if (!target) {
      const deletedId = deletedSnapshot(request, url);
      if (deletedId !== undefined) {
        response.once('finish', () => {
          if (response.statusCode < 300) cache.forget(`${deletedId}\u0000`);
        });
      }
      next(request, response).catch(fail(response));
      return;
    }
    const headers = headerReader(request);
    const immediate = answerNow({ config: authConfig(), secret: signingSecretRead() }, cache, request, response, url, target, headers);
    if (immediate === 'refused') next(request, response).catch(fail(response));
    else if (immediate === 'wait') serveKept(request, response, url, target, headers).catch(fail(response));
  }

  return { handle: inTurns(integerSetting(process.env.TUNNELSCOPE_REQUESTS_PER_TURN, REQUESTS_PER_TURN), handleNow, fail), cache };
}
