/**
 * Collections per person through a real route: GET /api/live takes a token before it reads its query, so a refused
 * source still spends one, and the person past the budget hears 429 with when to come back and which setting it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as live from '@/app/api/live/route';
import { BASE } from './api';

const PER_MINUTE = 3;

describe('collections per person', () => {
  beforeAll(() => {
    // Read when the route first limits a collection in this process (this file's own).
    process.env.TUNNELSCOPE_COLLECT_PER_MINUTE = String(PER_MINUTE);
  });
  afterAll(() => {
    delete process.env.TUNNELSCOPE_COLLECT_PER_MINUTE;
  });

  it('admits a person up to the budget, then answers 429 with Retry-After and the setting', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) statuses.push((await live.GET(new Request(`${BASE}/api/live?source=mars`))).status);
    expect(statuses).toEqual(Array.from({ length: PER_MINUTE }, () => 400));
    const refused = await live.GET(new Request(`${BASE}/api/live?source=mars`));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / PER_MINUTE);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({
      code: 'rate_limited',
      message: `local started too many collections; try again in ${retryAfter} s (TUNNELSCOPE_COLLECT_PER_MINUTE).`,
    });
  });
});
