/**
 * How often one client may make the server do work: store a snapshot (read, analyse and write a capture), or read.
 * A token bucket per client, refilled continuously; the buckets are few hundred bytes each and bounded in number,
 * oldest dropped first. For creations, a client that can pick its own key (a forged X-Forwarded-For) still shares
 * one server-wide bucket, a few times the per-client one, with everyone.
 */
import type { IncomingMessage } from 'node:http';

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly everyone: Bucket;

  /** `shared`: how many clients' budgets the server-wide bucket holds; 0 for none. */
  constructor(
    private readonly perMinute: number,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
    private readonly shared = 4,
  ) {
    this.everyone = { tokens: perMinute * shared, at: now() };
  }

  take(client: string): Admission {
    if (this.perMinute <= 0) return { ok: true };
    const t = this.now();
    const own = this.buckets.get(client) ?? { tokens: this.perMinute, at: t };
    this.buckets.delete(client);
    this.buckets.set(client, own);
    while (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
    this.refill(own, t, this.perMinute);
    const buckets = this.shared > 0 ? [own, this.everyone] : [own];
    if (this.shared > 0) this.refill(this.everyone, t, this.perMinute * this.shared);
    const short = buckets.find((b) => b.tokens < 1);
    if (short) return { ok: false, retryAfterSeconds: Math.ceil(((1 - short.tokens) * 60) / (short === own ? this.perMinute : this.perMinute * this.shared)) };
    for (const bucket of buckets) bucket.tokens -= 1;
    return { ok: true };
  }

  private refill(bucket: Bucket, t: number, perMinute: number): void {
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((t - bucket.at) * perMinute) / 60_000);
    bucket.at = t;
  }
}

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
  creations ??= new RateLimiter(Number.isFinite(setting) && setting >= 0 ? setting : 120);
  return creations;
}
