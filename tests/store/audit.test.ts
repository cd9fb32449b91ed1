import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshot } from '@/lib/serve/snapshots';
import { createStore } from '@/lib/store';
import type { SnapshotStore } from '@/lib/store/types';
import { backends, type Backend } from './backends';
import { makeBundle } from './bundles';

describe.each(backends.map((make) => make()))('audit log, delete and server secrets on $name', (backend: Backend) => {
  const open: SnapshotStore[] = [];
  let clock = Date.parse('2026-12-06T10:00:00.000Z');
  const now = () => new Date((clock += 1000));

  async function store(config = backend.fresh()): Promise<SnapshotStore> {
    const s = await createStore(config, { now });
    open.push(s);
    return s;
  }

  beforeAll(() => backend.start());
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close();
    await backend.stop();
  });

  it('keeps each entry with the person, mode, hosts, address and detail, newest first', async () => {
    const s = await store();
    const first = await s.recordAudit({ actor: 'alice', mode: 'token', action: 'collect', target: 'lab', hosts: ['worker-1', 'podvm-1'], address: '10.0.0.9' });
    const second = await s.recordAudit({ actor: 'bob', mode: 'proxy', action: 'snapshot.view', target: 'AAAAAAAAAAAAAAAAAAAAAAAA', detail: { email: 'bob@example.com' } });
    const entries = await s.listAudit({});
    expect(entries).toEqual([second, first]);
    expect(entries[1]).toMatchObject({ actor: 'alice', mode: 'token', action: 'collect', target: 'lab', hosts: ['worker-1', 'podvm-1'], address: '10.0.0.9' });
    expect(entries[0].detail).toEqual({ email: 'bob@example.com' });
    expect(entries[0].address).toBeUndefined();
  });

  it('filters by person and action and pages with the last entry seen', async () => {
    const s = await store();
    for (let i = 0; i < 5; i += 1) await s.recordAudit({ actor: i % 2 === 0 ? 'alice' : 'bob', mode: 'token', action: i < 3 ? 'collect' : 'snapshot.delete' });
    expect((await s.listAudit({ actor: 'alice' })).map((e) => e.actor)).toEqual(['alice', 'alice', 'alice']);
    expect(await s.listAudit({ action: 'snapshot.delete' })).toHaveLength(2);
    const page1 = await s.listAudit({ limit: 2 });
    const page2 = await s.listAudit({ limit: 2, before: { at: page1[1].at, id: page1[1].id } });
    const page3 = await s.listAudit({ limit: 2, before: { at: page2[1].at, id: page2[1].id } });
    expect([...page1, ...page2, ...page3].map((e) => e.id)).toEqual((await s.listAudit({})).map((e) => e.id));
    expect(page3).toHaveLength(1);
  });

  it('deletes one snapshot with its host index and answers what it was', async () => {
    const s = await store();
    const kept = await createSnapshot(s, { bundle: makeBundle({ hosts: ['keep-me'] }) });
    const doomed = await createSnapshot(s, { bundle: makeBundle({ hosts: ['delete-me'] }), title: 'to go' });
    expect(await s.delete(doomed.id)).toEqual(doomed);
    expect(await s.delete(doomed.id)).toBeNull();
    expect(await s.getView(doomed.id)).toBeNull();
    expect((await s.list({ host: 'delete-me' })).items).toEqual([]);
    expect((await s.list({})).items).toEqual([kept]);
  });

  it('makes a server secret once and gives every store on the same database the same one', async () => {
    const config = backend.fresh();
    const a = await store(config);
    const b = await store(config);
    const [fromA, fromB] = await Promise.all([a.serverSecret('signing'), b.serverSecret('signing')]);
    expect(fromA).toBe(fromB);
    expect(fromA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await a.serverSecret('other')).not.toBe(fromA);
    const elsewhere = await store();
    expect(await elsewhere.serverSecret('signing')).not.toBe(fromA);
  });
});
