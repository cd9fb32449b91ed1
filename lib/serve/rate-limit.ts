/**
 * Who a client is, for the limits on what it may make the server do (the buckets are lib/auth/rate-limit.ts), and
 * the limit on storing snapshots (read, analyse and write a capture). For creations, a client that can pick its own
 * key (a forged X-Forwarded-For) still shares one server-wide bucket, four times the per-client one, with everyone.
 */
import type { IncomingMessage } from 'node:http';
import { RateLimiter } from '@/lib/auth/rate-limit';

function firstForwarded(value: string | null | undefined): string | undefined {
  return value?.split(',')[0]?.trim() || undefined;
}

/** The client a request comes from: the address Next.js (or the proxy in front) put first in X-Forwarded-For. */
export function clientOf(headers: Headers): string {
  return firstForwarded(headers.get('x-forwarded-for')) ?? 'unknown';
}

/** The same client, for a request before Next.js has seen it: Next.js fills a missing X-Forwarded-For with the socket's peer. */
export function clientOfRequest(request: IncomingMessage): string {
  const forwarded = request.headers['x-forwarded-for'];
  return firstForwarded(Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? request.socket?.remoteAddress ?? 'unknown';
}

let creations: RateLimiter | undefined;

/** Snapshots one client may create per minute: TUNNELSCOPE_RATE_LIMIT_PER_MINUTE (default 120, 0 = no limit). */
export function creationLimiter(): RateLimiter {
  const setting = Number(process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE ?? 120);
  creations ??= new RateLimiter(Number.isFinite(setting) && setting >= 0 ? setting : 120, { shared: 4 });
  return creations;
}
