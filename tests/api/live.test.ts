import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as live from '@/app/api/live/route';
import { closeStore, getStore } from '@/lib/store';
import type { SnapshotView } from '@/lib/snapshot/types';
import { BASE } from './api';

async function getLive(query: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await live.GET(new Request(`${BASE}/api/live${query}`));
  return { status: response.status, body: await response.json(), cache: response.headers.get('cache-control') };
}

describe('GET /api/live', () => {
  // Each live capture goes on the audit log: the test's own database, not the checkout's ./data.
  let dir: string;
  beforeAll(async () => {
    await closeStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslive-'));
    process.env.TUNNELSCOPE_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    await closeStore();
    delete process.env.TUNNELSCOPE_DATA_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures the bundled sample and diagnoses it, uncached, and finds nothing more on a refresh of the same capture', async () => {
    const first = await getLive('?source=sample');
    expect([first.status, first.cache]).toEqual([200, 'no-store']);
    const view = first.body as SnapshotView;
    expect(view.meta.id).toBe('live');
    expect(view.findings.filter((f) => f.severity !== 'info').map((f) => f.rule)).toEqual(['peerpod-podvm-mac-mismatch']);
    // The sample is one capture: its counters do not move, so a refresh adds no finding about what happened in between.
    const again = (await getLive('?source=sample')).body as SnapshotView;
    expect(again.findings.map((f) => f.rule)).toEqual(view.findings.map((f) => f.rule));
    const logged = await getStore().listAudit({ action: 'live' });
    expect(logged.map((e) => `${e.actor} ${e.mode} ${e.target}`)).toEqual(['local none sample', 'local none sample']);
    expect(logged[0].hosts).toEqual(view.meta.hosts);
  });

  it('answers 400 for an unknown source', async () => {
    const { status } = await getLive('?source=mars');
    expect(status).toBe(400);
  });

  it('answers 400 when a cluster capture names nodes and a label selector both, as the CLI refuses', async () => {
    const { status, body } = await getLive('?source=kube&nodes=node-a,node-b&selector=pool%3Dblue');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toMatch(/nodes or selector, not both/);
  });
});
