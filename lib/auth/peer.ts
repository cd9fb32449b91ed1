/**
 * Next.js passes a client-sent X-Forwarded-For through unchanged, so route handlers cannot know the socket's
 * peer. Installed once at server start (instrumentation.ts), this hook writes the peer address of every request
 * into a header of our own before Next.js sees the request, replacing any value a client sent.
 */
import http from 'node:http';
import { isLoopback } from './config';
import { PEER_HEADER } from './identity';

const installed = Symbol.for('tunnelscope.peerHeader');
/** By symbol, as the hook may be installed by another copy of this module (Next.js bundles its own). */
const relayed = Symbol.for('tunnelscope.relayedPeer');

type Marked = http.Server & { [relayed]?: true };

/**
 * Marks a server that only the front thread can reach (lib/serve/front-thread.ts): that thread set the peer header
 * from the client's socket and refused what mode none refuses, so the hook leaves its requests as they come.
 */
export function trustRelayedPeer(server: http.Server): void {
  (server as Marked)[relayed] = true;
}

type Emit = http.Server['emit'];

/** Per listening server: asking the socket (server.address()) on every request cost a tenth of a kept answer. */
const loopbackBound = new WeakMap<http.Server, boolean>();

function boundToLoopback(server: http.Server): boolean {
  const known = loopbackBound.get(server);
  if (known !== undefined) return known;
  const address = server.address();
  const bound = typeof address === 'object' && address !== null && isLoopback(address.address);
  loopbackBound.set(server, bound);
  // Listening again may be on another address.
  server.once('listening', () => loopbackBound.delete(server));
  return bound;
}

/**
 * `loopbackOnly` (mode none): a request that reaches a server listening on anything but loopback is answered 503,
 * whatever the command line said.
 */
export function installPeerHeader({ loopbackOnly }: { loopbackOnly: boolean }): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: true };
  if (proto[installed]) return;
  proto[installed] = true;
  const emit: Emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' && !(this as Marked)[relayed]) {
      const request = args[0] as http.IncomingMessage;
      // Node lower-cases header names, so a client's X-Tunnelscope-Peer lands on this key and is replaced here.
      const address = request.socket?.remoteAddress;
      if (address) request.headers[PEER_HEADER] = address;
      else delete request.headers[PEER_HEADER];
      if (loopbackOnly && !boundToLoopback(this)) {
        const response = args[1] as http.ServerResponse;
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('TUNNELSCOPE_AUTH=none serves loopback only; set an auth mode to listen on other addresses.\n');
        return true;
      }
    }
    return (emit as (this: http.Server, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as Emit;
}
