import { describe, expect, it } from 'vitest';
import { ResponseCache, type Rendered } from '@/lib/serve/response-cache';

const JSON_TYPE = { 'Content-Type': 'application/json' };

function rendered(body: string, etag = '"e"'): Rendered {
  return { etag, body, headers: JSON_TYPE };
}

function big(n: number, seed: string): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ seed, i, name: `veth${i}`, mac: `0a:58:00:00:${(i % 256).toString(16)}:01` })));
}

describe('ResponseCache', () => {
  it('computes an answer once for requests that arrive while it is being computed, and never again while held', async () => {
    const cache = new ResponseCache({ maxBytes: 10_000_000, maxAgeMs: 60_000 });
    let renders = 0;
    const render = async () => {
      renders += 1;
      await new Promise((r) => setImmediate(r));
      return rendered(big(200, 'a'));
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get('a', render)));
    expect(renders).toBe(1);
    expect(new Set(answers).size).toBe(1);
    await cache.get('a', render);
    expect(renders).toBe(1);
    expect(cache.computed).toBe(1);
  });

  it('keeps its bytes under the bound by dropping the least recently used answers', async () => {
    const cache = new ResponseCache({ maxBytes: 60_000, maxAgeMs: 60_000 });
    for (let i = 0; i < 40; i += 1) {
      await cache.get(`k${i}`, async () => rendered(big(60, `s${i}`)));
      if (i >= 1) cache.peek('k0');
      expect(cache.bytes).toBeLessThanOrEqual(60_000);
    }
    expect(cache.size).toBeLessThan(40);
    expect(cache.peek('k0')).toBeDefined();
    expect(cache.peek('k1')).toBeUndefined();
    expect(cache.peek('k39')).toBeDefined();
  });

  it('serves an answer too big to keep without keeping it', async () => {
    const cache = new ResponseCache({ maxBytes: 20_000, maxAgeMs: 60_000 });
    const answer = await cache.get('huge', async () => rendered(big(2000, 'h')));
    expect(answer.body.toString()).toBe(big(2000, 'h'));
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('does not keep a failed computation: the next request tries again', async () => {
    const cache = new ResponseCache({ maxBytes: 1_000_000, maxAgeMs: 60_000 });
    await expect(cache.get('x', () => Promise.reject(new Error('snapshot gone')))).rejects.toThrow('snapshot gone');
    const answer = await cache.get('x', async () => rendered('{"ok":true}'));
    expect(answer.body.toString()).toBe('{"ok":true}');
  });

  it('computes again once an answer is older than the age bound, and forgets a snapshot by prefix', async () => {
    const aged = new ResponseCache({ maxBytes: 1_000_000, maxAgeMs: -1 });
    await aged.get('x', async () => rendered('1'));
    await aged.get('x', async () => rendered('2'));
    expect(aged.computed).toBe(2);
    expect(aged.bytes).toBeLessThan(1000);
    const cache = new ResponseCache({ maxBytes: 1_000_000, maxAgeMs: 60_000 });
    await cache.get('id1\u0000view', async () => rendered('a'));
    await cache.get('id2\u0000view', async () => rendered('b'));
    cache.forget('id1\u0000');
    expect(cache.peek('id1\u0000view')).toBeUndefined();
    expect(cache.peek('id2\u0000view')).toBeDefined();
  });
});
