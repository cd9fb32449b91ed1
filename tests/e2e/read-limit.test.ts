/**
 * The read rate limit through `tunnelscope serve` (issue 20): one client past its burst is answered 429 with
 * Retry-After and a clear body, another client is not, a page's static assets never count, and the client is
 * admitted again once its bucket has refilled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentBundle } from '../helpers/incident-sample';
import { createSnapshot } from './browser';
import { startApp, type RunningApp } from './server';

const PER_MINUTE = 20;

let app: RunningApp;
let page = '';

beforeAll(async () => {
  app = await startApp({ env: { TUNNELSCOPE_READ_RATE_PER_MINUTE: String(PER_MINUTE) } });
  page = `/s/${(await createSnapshot(app.url, incidentBundle(), 'read limit')).id}`;
}, 600_000);

afterAll(async () => {
  await app?.stop();
});

/** A reader of its own: the server's start-up checks came from this address without one. */
function get(path: string, client: string): Promise<Response> {
  return fetch(`${app.url}${path}`, { headers: { 'x-forwarded-for': client } });
}

describe('read rate limit through the server', () => {
  it('answers 429 after the burst, counts no assets, spares other clients, and admits again after Retry-After', async () => {
    const first = await get(page, '203.0.113.5');
    const html = await first.text();
    expect(first.status).toBe(200);
    const assets = [...new Set([...html.matchAll(/\/_next\/static\/[^"'\s)]+/g)].map((m) => m[0]))];
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of [...assets, ...assets]) expect((await get(asset, '203.0.113.5')).status).toBe(200);
    // The bucket refills while these run (one read every 60/PER_MINUTE s): a few more than the burst may pass.
    let admitted = 1;
    let refused = await get(page, '203.0.113.5');
    for (; refused.status === 200 && admitted < 2 * PER_MINUTE; admitted++) {
      await refused.arrayBuffer();
      refused = await get(`/api${page.replace('/s/', '/snapshots/')}`, '203.0.113.5');
    }
    expect(admitted).toBeGreaterThanOrEqual(PER_MINUTE);
    expect(admitted).toBeLessThan(PER_MINUTE + 5);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / PER_MINUTE);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'rate_limited',
      message: `Too many requests from this client: try again in ${retryAfter} s. This server answers ${PER_MINUTE} requests per minute per client (TUNNELSCOPE_READ_RATE_PER_MINUTE).`,
    });
    expect((await get(page, '203.0.113.6')).status).toBe(200);
    expect((await get(assets[0], '203.0.113.5')).status).toBe(200);

    const refusedAt = performance.now();
    let status = 429;
    while (status === 429 && performance.now() - refusedAt < (retryAfter + 5) * 1000) {
      const response = await get(page, '203.0.113.5');
      await response.arrayBuffer();
      status = response.status;
      if (status === 429) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  }, 120_000);
});
