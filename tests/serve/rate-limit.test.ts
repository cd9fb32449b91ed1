import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientOf, clientOfRequest, RateLimiter } from '@/lib/serve/rate-limit';

describe('RateLimiter', () => {
  it('admits a client up to its per-minute budget, then says when to come back, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 100, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').ok).toBe(true);
    now += 20_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('holds clients that forge a new address each time to a server-wide budget of four clients', () => {
    const limiter = new RateLimiter(2, 1000, () => 0);
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.take(`forged-${i}`).ok).filter(Boolean);
    expect(admitted).toHaveLength(8);
  });

  it('keeps at most maxClients buckets', () => {
    const limiter = new RateLimiter(1, 2, () => 0);
    for (const c of ['a', 'b', 'c']) limiter.take(c);
    // 'a' was dropped with its spent bucket, so it starts afresh (the server-wide budget of 4 still has 1 left).
    expect(limiter.take('a').ok).toBe(true);
  });

  it('holds each client to its own budget alone when there is no server-wide bucket', () => {
    const limiter = new RateLimiter(2, 1000, () => 0, 0);
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.take(`client-${i % 10}`).ok).filter(Boolean);
    expect(admitted).toHaveLength(20);
    expect(limiter.take('client-3')).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it('admits everything when the limit is 0', () => {
    const limiter = new RateLimiter(0);
    expect(Array.from({ length: 100 }, () => limiter.take('a').ok).every(Boolean)).toBe(true);
  });
});

describe('clientOf', () => {
  it('takes the first X-Forwarded-For address', () => {
    expect(clientOf(new Headers({ 'x-forwarded-for': '10.0.0.7, 127.0.0.1' }))).toBe('10.0.0.7');
    expect(clientOf(new Headers())).toBe('unknown');
  });
});

describe('clientOfRequest', () => {
  const request = (headers: Record<string, string>, remoteAddress?: string) => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

  it('names the client as Next.js will: the first X-Forwarded-For address, else the socket peer', () => {
    expect(clientOfRequest(request({ 'x-forwarded-for': '10.0.0.7, 127.0.0.1' }, '127.0.0.1'))).toBe('10.0.0.7');
    expect(clientOfRequest(request({}, '192.0.2.9'))).toBe('192.0.2.9');
    expect(clientOfRequest(request({ 'x-forwarded-for': ' ' }, '192.0.2.9'))).toBe('192.0.2.9');
  });
});
