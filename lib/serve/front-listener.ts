/**
 * The front thread (started by front-thread.ts): a worker thread that owns the listening socket and answers kept
 * snapshot answers itself, away from Next.js's async hooks, patched nextTick and heap. Everything else is relayed,
 * as it came, to the front in Next.js's thread over a Unix socket of that thread's own: misses, decisions that need
 * a wait (a key not yet read, a Kubernetes review not held, a view to record), refusals (which the app answers) and
 * every other route.
 *
 * It decides with the code and the state the front in Next.js's thread decides with (front-kept.ts): the
 * configuration given at start, and what that thread learns by waiting (the signing key, Kubernetes reviews, views
 * on record, kept answers and forgotten snapshots), sent here as it is learned.
 */
import { Agent, createServer, request as relayRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MessagePort } from 'node:worker_threads';
import type { AuthConfig } from '@/lib/auth/config';
import { holdKubeCaller, PEER_HEADER } from '@/lib/auth/identity';
import type { AuthFact } from '@/lib/auth/identity';
import { installPeerHeader } from '@/lib/auth/peer';
import { noteView } from '@/lib/auth/views';
import { answerNow, deletedSnapshot, failure, headerReader, inTurns, requestUrl, targetOf, type FrontEntry, type KnownAuth } from './front-kept';
import type { Slotted } from './gzip-splice';
import { createReadLimit } from './read-limit';
import { BoundedCache, type ResponseCacheOptions } from './response-cache';

export interface FrontThreadData {
  host: string;
  port: number;
  backlog: number;
  /** The Unix socket of the front in Next.js's thread. */
  relay: string;
  config: AuthConfig;
  cache: ResponseCacheOptions;
  perTurn: number;
}

/** From Next.js's thread. */
export type ToFrontThread = { kind: 'fact'; fact: AuthFact } | { kind: 'kept'; key: string; entry: FrontEntry } | { kind: 'forgotten'; prefix: string };

/** To Next.js's thread. */
export type FromFrontThread = { kind: 'listening' } | { kind: 'failed'; message: string };

/** A Buffer sent between threads arrives as a plain Uint8Array over the same bytes. */
function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function slotted(part: Slotted): Slotted {
  return { bytes: buffer(part.bytes), slots: part.slots };
}

/** A kept answer as another thread sent it, with its bytes as Buffers again. */
export function receivedEntry(entry: FrontEntry): FrontEntry {
  const body = { ...entry.body, plain: slotted(entry.body.plain), gzip: slotted(entry.body.gzip) };
  return { ...entry, body, ...(entry.fixed ? { fixed: { gzip: buffer(entry.fixed.gzip), br: buffer(entry.fixed.br) } } : {}) };
}

/** Meaningful for one connection only (RFC 9110 §7.6.1), or already acted on here (Expect). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

/**
 * The request's headers for the relay: hop-by-hop ones dropped, the peer header as this thread's hook set it from the
 * socket (never a client's), and X-Forwarded-For filled with the client's address when missing, as Next.js fills it
 * from the socket it reads.
 */
function relayedHeaders(request: IncomingMessage): string[] {
  const headers: string[] = [];
  const raw = request.rawHeaders;
  let forwarded = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || name === PEER_HEADER) continue;
    if (name === 'x-forwarded-for') forwarded = true;
    headers.push(raw[i], raw[i + 1]);
  }
  const peer = request.headers[PEER_HEADER];
  if (typeof peer === 'string') headers.push(PEER_HEADER, peer);
  const address = request.socket.remoteAddress;
  if (!forwarded && address !== undefined) headers.push('x-forwarded-for', address);
  return headers;
}

function responseHeaders(raw: string[]): string[] {
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
  return headers;
}

/** Hands `request` to the front in Next.js's thread and streams its answer back; `answered` sees its status first. */
function relay(agent: Agent, socketPath: string, request: IncomingMessage, response: ServerResponse, answered: (status: number) => void): void {
  const upstream = relayRequest({ socketPath, agent, method: request.method, path: request.url, headers: relayedHeaders(request) }, (answer) => {
    const status = answer.statusCode ?? 502;
    answered(status);
    response.writeHead(status, answer.statusMessage, responseHeaders(answer.rawHeaders));
    answer.pipe(response);
    answer.once('error', () => response.destroy());
  });
  let gone = false;
  upstream.once('error', (error) => {
    if (gone) return;
    console.error('tunnelscope front thread: relay to the app failed:', error.message);
    if (response.headersSent) response.destroy();
    else response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end('The dashboard did not answer.\n');
  });
  // A client gone before the answer's end (a closed live view) ends the request there too.
  response.once('close', () => {
    if (response.writableFinished) return;
    gone = true;
    upstream.destroy();
  });
  request.pipe(upstream);
}

/** Starts listening; `port` is the thread's channel to Next.js's thread. */
export function listenFront(data: FrontThreadData, port: MessagePort): void {
  installPeerHeader({ loopbackOnly: data.config.mode === 'none' });
  const known: KnownAuth = { config: data.config, secret: undefined };
  const cache = new BoundedCache<FrontEntry>(data.cache);
  port.on('message', (message: ToFrontThread) => {
    if (message.kind === 'kept') cache.keep(message.key, receivedEntry(message.entry));
    else if (message.kind === 'forgotten') cache.forget(message.prefix);
    else if (message.fact.kind === 'secret') known.secret = message.fact.secret;
    else if (message.fact.kind === 'kube') holdKubeCaller(message.fact.digest, message.fact.caller, message.fact.until);
    else noteView(message.fact.key, message.fact.at);
  });
  // Idle connections to the app stay open (no keep-alive timeout there), so a reused one is never closed under a request.
  const agent = new Agent({ keepAlive: true });
  const reads = createReadLimit();

  function handleNow(request: IncomingMessage, response: ServerResponse): void {
    if (!reads.admit(request, response)) return;
    const url = requestUrl(request.url ?? '/');
    const target = targetOf(request, url);
    if (target && answerNow(known, cache, request, response, url, target, headerReader(request)) === 'sent') return;
    const deletedId = deletedSnapshot(request, url);
    relay(agent, data.relay, request, response, (status) => {
      // Forgotten here before the client hears of the deletion, whichever comes first of the app's message and this.
      if (deletedId !== undefined && status < 300) cache.forget(`${deletedId}\u0000`);
    });
  }

  const server = createServer(inTurns(data.perTurn, handleNow, failure('tunnelscope front thread')));
  server.once('error', (error) => port.postMessage({ kind: 'failed', message: error.message } satisfies FromFrontThread));
  server.listen({ port: data.port, host: data.host, backlog: data.backlog }, () => port.postMessage({ kind: 'listening' } satisfies FromFrontThread));
}
