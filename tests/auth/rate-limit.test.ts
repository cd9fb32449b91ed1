import { describe, expect, it } from 'vitest';
import { RateLimiter } from '@/lib/auth/rate-limit';

describe('RateLimiter', () => {
  it('admits a client up to its per-minute budget, then says when to come back, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter(3, { maxKeys: 100, now: () => now, shared: 4 });
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').ok).toBe(true);
    now += 20_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('holds clients that forge a new address each time to a server-wide budget of four clients', () => {
    const limiter = new RateLimiter(2, { maxKeys: 1000, now: () => 0, shared: 4 });
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.take(`forged-${i}`).ok).filter(Boolean);
    expect(admitted).toHaveLength(8);
  });

  it('keeps at most maxKeys buckets', () => {
    const limiter = new RateLimiter(1, { maxKeys: 2, now: () => 0, shared: 4 });
    for (const c of ['a', 'b', 'c']) limiter.take(c);
    // 'a' was dropped with its spent bucket, so it starts afresh (the server-wide budget of 4 still has 1 left).
    expect(limiter.take('a').ok).toBe(true);
  });

  it('holds each client to its own budget alone when there is no server-wide bucket', () => {
    const limiter = new RateLimiter(2, { maxKeys: 1000, now: () => 0 });
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.take(`client-${i % 10}`).ok).filter(Boolean);
    expect(admitted).toHaveLength(20);
    expect(limiter.take('client-3')).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it('admits everything when the limit is 0', () => {
    const limiter = new RateLimiter(0);
    expect(Array.from({ length: 100 }, () => limiter.take('a').ok).every(Boolean)).toBe(true);
  });
});

describe('RateLimiter eviction', () => {
  const flood = (limiter: RateLimiter, from: number, count: number) => {
    for (let i = from; i < from + count; i++) limiter.take(`flood-${i}`);
  };

  it('holds at most maxKeys buckets through 100,000 distinct keys, and forgets the oldest only', () => {
    const limiter = new RateLimiter(1, { now: () => 0 });
    flood(limiter, 0, 100_000);
    expect(limiter.size).toBe(10_000);
    const kept = Array.from({ length: 10_000 }, (_, i) => limiter.take(`flood-${90_000 + i}`).ok);
    expect(kept.filter(Boolean)).toHaveLength(0);
    expect(limiter.take('flood-0').ok).toBe(true);
    expect(limiter.take('flood-89999').ok).toBe(true);
    expect(limiter.size).toBe(10_000);
  });

  it('keeps a key in use while idle ones go, and resets a spent key only after maxKeys newer keys', () => {
    const limiter = new RateLimiter(2, { maxKeys: 100, now: () => 0 });
    for (const key of ['busy', 'busy', 'idle', 'idle']) expect(limiter.take(key).ok).toBe(true);
    for (let round = 0; round < 50; round++) {
      flood(limiter, round * 20, 20);
      expect(limiter.take('busy').ok).toBe(false);
    }
    expect(limiter.take('idle').ok).toBe(true);

    expect(limiter.take('busy').ok).toBe(false);
    flood(limiter, 10_000, 99);
    expect(limiter.take('busy').ok).toBe(false);
    flood(limiter, 20_000, 100);
    expect(limiter.take('busy').ok).toBe(true);
  });
});
