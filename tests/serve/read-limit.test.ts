/** The read rate limit the front applies to every request before anything else (lib/serve/read-limit.ts). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReadLimit, DEFAULT_READS_PER_MINUTE, readsPerMinute } from '@/lib/serve/read-limit';

let server: Server | undefined;
let now = 0;

/** A server that answers 200 to whatever the limit admits; its base URL. */
async function serve(perMinute: number): Promise<string> {
  const reads = createReadLimit(perMinute, () => now);
  server = createServer((request, response) => {
    if (reads.admit(request, response)) response.end('ok');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  const running = server;
  if (running) {
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  }
  server = undefined;
  now = 0;
});

async function statuses(base: string, paths: string[], init: RequestInit = {}): Promise<number[]> {
  const answers: number[] = [];
  for (const p of paths) {
    const response = await fetch(`${base}${p}`, init);
    await response.arrayBuffer();
    answers.push(response.status);
  }
  return answers;
}

describe('read rate limit', () => {
  it('answers 429 with Retry-After and a clear body past the burst, per client, and admits again as the bucket refills', async () => {
    const base = await serve(60);
    expect(
      await statuses(
        base,
        Array.from({ length: 60 }, (_, i) => `/s/snap${i}`),
      ),
    ).toEqual(Array.from({ length: 60 }, () => 200));
    const page = await fetch(`${base}/s/snap`);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('1');
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await page.text()).toBe('Too many requests from this client: try again in 1 s. This server answers 60 requests per minute per client (TUNNELSCOPE_READ_RATE_PER_MINUTE).\n');
    const api = await fetch(`${base}/api/snapshots/x`);
    expect(api.status).toBe(429);
    expect(await api.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('try again in 1 s') } });
    // Another client behind the same proxy has its own bucket.
    expect(await statuses(base, ['/s/snap'], { headers: { 'x-forwarded-for': '10.0.0.2' } })).toEqual([200]);
    now += 1000;
    expect(await statuses(base, ['/s/snap', '/s/snap'])).toEqual([200, 429]);
  });

  it('never counts the app’s static assets or writes', async () => {
    const base = await serve(2);
    expect(
      await statuses(
        base,
        Array.from({ length: 10 }, (_, i) => `/_next/static/chunks/${i}.js`),
      ),
    ).toEqual(Array.from({ length: 10 }, () => 200));
    expect(await statuses(base, ['/favicon.ico', '/favicon.ico', '/icon.svg?8f2a0c1d', '/icon.svg'])).toEqual([200, 200, 200, 200]);
    expect(await statuses(base, ['/api/snapshots', '/api/snapshots'], { method: 'POST', body: '{}' })).toEqual([200, 200]);
    expect(await statuses(base, ['/', '/', '/'])).toEqual([200, 200, 429]);
  });

  it('admits everything at 0', async () => {
    const base = await serve(0);
    expect(
      new Set(
        await statuses(
          base,
          Array.from({ length: 50 }, () => '/'),
        ),
      ),
    ).toEqual(new Set([200]));
  });

  it('reads TUNNELSCOPE_READ_RATE_PER_MINUTE: 0 turns it off, anything but a whole number keeps the default', () => {
    expect(readsPerMinute({ TUNNELSCOPE_READ_RATE_PER_MINUTE: '300' })).toBe(300);
    expect(readsPerMinute({ TUNNELSCOPE_READ_RATE_PER_MINUTE: '0' })).toBe(0);
    for (const bad of [undefined, '', '-1', '2.5', 'lots']) expect(readsPerMinute({ TUNNELSCOPE_READ_RATE_PER_MINUTE: bad })).toBe(DEFAULT_READS_PER_MINUTE);
  });
});
