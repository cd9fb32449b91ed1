/**
 * How often one client may read: pages, embeds and API answers, each a token from the client's bucket (lib/auth/rate-limit.ts),
 * checked by the front before anything else. The app's static assets (/_next/static, hashed and immutable, pulled in
 * by the dozen with each page) and the site icons never count, so the default lets a person open pages as fast as they can click and
 * stops only a client that loops. There is no server-wide bucket: reads are cheap once kept (front.ts), and one
 * client forging addresses could otherwise lock everyone out of an incident link.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientOfRequest } from './rate-limit';
import { RateLimiter } from '@/lib/auth/rate-limit';
import { integerSetting } from '@/lib/capture/settings';

export const DEFAULT_READS_PER_MINUTE = 1200;

/** TUNNELSCOPE_READ_RATE_PER_MINUTE: reads one client may make per minute, as a burst or spread out; 0 = no limit. */
export function readsPerMinute(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return integerSetting(env.TUNNELSCOPE_READ_RATE_PER_MINUTE, DEFAULT_READS_PER_MINUTE, 0);
}

/** The browser's own fetches of the site icons, asked for with every page (`/icon.svg?<hash>`), as cheap as assets. */
const ICONS = new Set(['/favicon.ico', '/icon.svg']);

export function countedPath(method: string | undefined, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return !url.startsWith('/_next/static/') && !ICONS.has(url.split('?', 1)[0]);
}

function counted(request: IncomingMessage): boolean {
  return countedPath(request.method, request.url ?? '/');
}

function refuse(request: IncomingMessage, response: ServerResponse, retryAfterSeconds: number, perMinute: number): void {
  const message = `Too many requests from this client: try again in ${retryAfterSeconds} s. This server answers ${perMinute} requests per minute per client (TUNNELSCOPE_READ_RATE_PER_MINUTE).`;
  const api = (request.url ?? '').startsWith('/api/');
  const body = api ? JSON.stringify({ error: { code: 'rate_limited', message } }) : `${message}\n`;
  response.writeHead(429, {
    'content-type': api ? 'application/json' : 'text/plain; charset=utf-8',
    'retry-after': String(retryAfterSeconds),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

export interface ReadLimit {
  /** True when `request` may go on; otherwise it has been answered 429 with Retry-After. */
  admit(request: IncomingMessage, response: ServerResponse): boolean;
}

export function createReadLimit(perMinute = readsPerMinute(), now: () => number = Date.now): ReadLimit {
  const limiter = new RateLimiter(perMinute, { now });
  return {
    admit(request, response) {
      if (perMinute === 0 || !counted(request)) return true;
      const admission = limiter.take(clientOfRequest(request));
      if (admission.ok) return true;
      refuse(request, response, admission.retryAfterSeconds, perMinute);
      return false;
    },
  };
}
