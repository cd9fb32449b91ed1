import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PathView } from '@/lib/snapshot/path';
import { closeStore, getStore } from '@/lib/store';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { sqliteBackend } from '../store/backends';
import { MAC_RULE, PODVM, VXLAN0_ID, fixedIncidentBundle, incidentBundle } from '../helpers/incident-sample';
import { getPath, getSvg, postJson, useDatabase } from './api';
import { parseXml } from './xml-check';

const backend = sqliteBackend();
const savedEnv = { ...process.env };

async function create(bundle: unknown): Promise<SnapshotMeta> {
  const response = await postJson({ bundle });
  expect(response.status).toBe(201);
  return ((await response.json()) as { snapshot: SnapshotMeta }).snapshot;
}

async function path(id: string, query = ''): Promise<PathView | null> {
  const response = await getPath(id, query);
  expect(response.status).toBe(200);
  return ((await response.json()) as { path: PathView | null }).path;
}

beforeAll(async () => {
  await backend.start();
  await useDatabase(backend.fresh());
});

afterAll(async () => {
  await closeStore();
  process.env = savedEnv;
  await backend.stop();
});

describe('GET /api/snapshots/<id>/path', () => {
  it('answers the path of the most severe finding without a subject, and the same path for the finding named in the link', async () => {
    const meta = await create(incidentBundle());
    const first = await path(meta.id);
    expect(first?.finding?.rule).toBe(MAC_RULE);
    expect(first?.hops.filter((h) => h.broken).map((h) => [h.host, h.device])).toEqual([[PODVM, 'vxlan0']]);
    const named = await path(meta.id, `?subject=${encodeURIComponent(`${MAC_RULE}@${VXLAN0_ID}`)}`);
    expect(named).toEqual(first);
  });

  it('answers the default path from the stored overview, without unpacking the whole snapshot', async () => {
    const meta = await create(incidentBundle());
    const getView = vi.spyOn(getStore(), 'getView');
    try {
      const first = await path(meta.id);
      expect(getView).not.toHaveBeenCalled();
      expect(first?.finding?.rule).toBe(MAC_RULE);
      expect(await path(meta.id, `?subject=${encodeURIComponent(`${MAC_RULE}@${VXLAN0_ID}`)}`)).toEqual(first);
      expect(getView).toHaveBeenCalled();
    } finally {
      getView.mockRestore();
    }
  });

  it('traces `from>to` and a device, and answers null for a subject it cannot place', async () => {
    const meta = await create(fixedIncidentBundle());
    expect(await path(meta.id)).toBeNull();
    const traced = await path(meta.id, `?subject=${encodeURIComponent('ocp-412-ovn-worker-1>10.132.2.46')}`);
    expect(traced?.ok).toBe(true);
    expect(traced?.hops.at(-1)?.device).toBe('vxlan0');
    const device = await path(meta.id, `?subject=${encodeURIComponent(VXLAN0_ID)}`);
    expect(device?.hops.map((h) => h.device)).toContain('vxlan0');
    expect(await path(meta.id, '?subject=nothing-here')).toBeNull();
  });

  it('graph.svg draws the path above the graph unless path=none', async () => {
    const meta = await create(incidentBundle());
    const hops = async (query: string) =>
      parseXml(await (await getSvg(meta.id, query)).text())
        .filter((e) => e.name === 'g' && e.attributes['data-hop'] !== undefined)
        .map((e) => e.attributes['data-hop']);
    expect(await hops('')).toContain('vxlan0');
    expect(await hops('?path=none')).toEqual([]);
  });
});
