import { describe, expect, it } from 'vitest';
import * as live from '@/app/api/live/route';
import type { SnapshotView } from '@/lib/store/types';
import { BASE } from './api';

async function getLive(query: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await live.GET(new Request(`${BASE}/api/live${query}`));
  return { status: response.status, body: await response.json(), cache: response.headers.get('cache-control') };
}

describe('GET /api/live', () => {
  it('captures the bundled sample and diagnoses it, uncached, and finds nothing more on a refresh of the same capture', async () => {
    const first = await getLive('?source=sample');
    expect([first.status, first.cache]).toEqual([200, 'no-store']);
    const view = first.body as SnapshotView;
    expect(view.meta.id).toBe('live');
    expect(view.findings.filter((f) => f.severity !== 'info').map((f) => f.rule)).toEqual(['peerpod-podvm-mac-mismatch']);
    // The sample is one capture: its counters do not move, so a refresh adds no finding about what happened in between.
    const again = (await getLive('?source=sample')).body as SnapshotView;
    expect(again.findings.map((f) => f.rule)).toEqual(view.findings.map((f) => f.rule));
  });

  it('answers 400 for an unknown source', async () => {
    const { status } = await getLive('?source=mars');
    expect(status).toBe(400);
  });
});
