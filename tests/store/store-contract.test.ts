import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '@/lib/analyze';
import { REDACTED } from '@/lib/capture/redact';
import type { CaptureBundle, CommandRecord } from '@/lib/capture/types';
import type { Finding } from '@/lib/diagnose/types';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createStore, InvalidCursorError, type StoreConfig, type StoreOptions } from '@/lib/store';
import { createSnapshot, snapshotView } from '@/lib/serve/snapshots';
import { overviewOf } from '@/lib/snapshot/subview';
import type { SnapshotStore } from '@/lib/store/types';
import { backends, type Backend } from './backends';
import { FIXTURE_DEVICES, makeBundle } from './bundles';

/** Wraps the real analysis and adds one critical finding for every host whose name starts with "faulty". */
function analyzeWithFaults(bundle: CaptureBundle): Analysis {
  const real = analyze(bundle);
  const extra: Finding[] = bundle.hosts
    .filter((h) => h.name.startsWith('faulty'))
    .map((h) => ({
      rule: 'test-fault',
      severity: 'critical',
      title: `fault on ${h.name}`,
      explanation: 'injected by the test',
      evidence: [],
      elements: [`host:${h.name}`],
    }));
  return { ...real, findings: [...real.findings, ...extra] };
}

const withFaults = { analyze: analyzeWithFaults };

/** The overview under the current rules, cut from the re-diagnosed view as the API does (app/api/_http/snapshots.ts). */
async function rediagnosedOverview(store: SnapshotStore, id: string) {
  const view = await snapshotView(store, id, { rediagnose: true, ...withFaults });
  return view && overviewOf(view);
}

/** Makes a row look like one written before the overview column existed. */
async function dropStoredOverview(config: StoreConfig, id: string): Promise<void> {
  if (config.kind === 'sqlite') {
    const db = new BetterSqlite3(config.file);
    db.prepare('update snapshots set overview = null where id = ?').run(id);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  await client.query('update snapshots set overview = null where id = $1', [id]);
  await client.end();
}

describe.each(backends.map((make) => make()))('snapshot store on $name', (backend: Backend) => {
  const open: SnapshotStore[] = [];
  async function store(options: StoreOptions = {}, config = backend.fresh()): Promise<SnapshotStore> {
    const s = await createStore(config, options);
    open.push(s);
    return s;
  }

  beforeAll(() => backend.start());
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close();
    await backend.stop();
  });

  it('creates a snapshot whose metadata names hosts, partial hosts, cluster, counts and rules version', async () => {
    const s = await store();
    const meta = await createSnapshot(
      s,
      {
        bundle: makeBundle({ hosts: ['worker-1', 'faulty-podvm'], cluster: 'ocp-412', partial: ['faulty-podvm'] }),
        title: '  MAC   mismatch  ',
      },
      withFaults,
    );
    expect(meta.title).toBe('MAC mismatch');
    expect(meta.hosts).toEqual(['worker-1', 'faulty-podvm']);
    expect(meta.partialHosts).toEqual(['faulty-podvm']);
    expect(meta.cluster).toBe('ocp-412');
    expect(meta.counts).toEqual({ critical: 1, warning: 0, info: 0 });
    expect(meta.rulesVersion).toBe(analyze(makeBundle()).rulesVersion);
    expect(meta.source).toEqual({ kind: 'synthetic', detail: 'tests' });
    const listed = await s.list({});
    expect(listed.items).toEqual([meta]);
  });

  it('gives a default title from the source and hosts when none is given', async () => {
    const s = await store();
    const meta = await createSnapshot(s, { bundle: makeBundle({ hosts: ['a', 'b'] }) }, withFaults);
    expect(meta.title).toBe('synthetic capture of a, b');
  });

  it('returns the stored bundle unchanged and a view with the devices of the ip-link output', async () => {
    const s = await store();
    const bundle = makeBundle({ hosts: ['worker-1'] });
    const meta = await createSnapshot(s, { bundle }, withFaults);
    expect(await s.getBundle(meta.id)).toEqual(bundle);
    const full = await s.get(meta.id);
    expect(full?.bundle).toEqual(bundle);
    const view = await s.getView(meta.id);
    expect(view?.meta).toEqual(meta);
    expect(view?.rulesVersion).toBe(meta.rulesVersion);
    expect(view?.rediagnosed).toBe(false);
    const labels = view?.topology.nodes.filter((n) => n.kind === 'interface').map((n) => n.label);
    expect(labels).toEqual(expect.arrayContaining(FIXTURE_DEVICES));
  });

  it('stores no secret a bundle carries in from any path: an OVS PSK is kept as its key with the value masked', async () => {
    const s = await store();
    const bundle = makeBundle({ hosts: ['ipsec-1'] });
    const stdout = '{"data":[[["uuid","9e1"],"gnv0",["map",[["psk","do-not-store-7c2"],["remote_ip","10.0.0.9"]]]]],"headings":["_uuid","name","options"]}';
    const ovs: CommandRecord = { id: 'ovs-interface', argv: ['ovs-vsctl', '-f', 'json', 'list', 'Interface'], stdout, stderr: '', exitCode: 0, durationMs: 2, status: 'ok', format: 'json' };
    bundle.hosts[0].namespaces[0].commands.push(ovs);
    const meta = await createSnapshot(s, { bundle }, withFaults);
    const stored = JSON.stringify([await s.getBundle(meta.id), await s.getView(meta.id), await snapshotView(s, meta.id, { rediagnose: true, ...withFaults })]);
    expect(stored).not.toContain('do-not-store-7c2');
    expect(stored).toContain('10.0.0.9');
    const kept = (await s.getBundle(meta.id))?.hosts[0].namespaces[0].commands.find((c) => c.id === 'ovs-interface');
    expect(kept?.stdout).toContain(`["psk","${REDACTED}"]`);
  });

  it('re-diagnoses a stored snapshot (view and overview) with the current rules when asked, keeping the stored metadata', async () => {
    const config = backend.fresh();
    const first = await createStore(config);
    const meta = await createSnapshot(first, { bundle: makeBundle({ hosts: ['faulty-1'] }) }, { analyze: (b) => ({ ...analyze(b), rulesVersion: 'old-rules', findings: [] }) });
    await first.close();
    const current = await store({}, config);
    const oldView = await current.getView(meta.id);
    expect(oldView?.rulesVersion).toBe('old-rules');
    expect(oldView?.findings).toEqual([]);
    const fresh = await snapshotView(current, meta.id, { rediagnose: true, ...withFaults });
    expect(fresh?.rediagnosed).toBe(true);
    expect(fresh?.rulesVersion).toBe(analyze(makeBundle()).rulesVersion);
    expect(fresh?.findings.map((f) => f.rule)).toEqual(['test-fault']);
    expect(fresh?.meta.rulesVersion).toBe('old-rules');
    expect((await current.getOverview(meta.id))?.findings).toEqual([]);
    const freshOverview = await rediagnosedOverview(current, meta.id);
    expect(freshOverview?.rediagnosed).toBe(true);
    expect(freshOverview?.findings.map((f) => f.rule)).toEqual(['test-fault']);
  });

  it('reads the stored overview level as it would be cut from the view, also for rows stored without one', async () => {
    const config = backend.fresh();
    const s = await store({}, config);
    const meta = await createSnapshot(s, { bundle: makeBundle({ hosts: ['worker-1', 'faulty-podvm'] }) }, withFaults);
    const view = await s.getView(meta.id);
    const overview = await s.getOverview(meta.id);
    expect(overview).toEqual(overviewOf(view!));
    expect(overview?.faults['faulty-podvm']).toEqual({ count: 1, severity: 'critical' });
    expect(overview?.findings[0]).not.toHaveProperty('evidence');
    await dropStoredOverview(config, meta.id);
    expect(await s.getOverview(meta.id)).toEqual(overview);
  });

  it('answers null for an id that does not exist', async () => {
    const s = await store();
    const missing = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    expect(await s.get(missing)).toBeNull();
    expect(await s.getView(missing)).toBeNull();
    expect(await snapshotView(s, missing, { rediagnose: true, ...withFaults })).toBeNull();
    expect(await s.getOverview(missing)).toBeNull();
    expect(await rediagnosedOverview(s, missing)).toBeNull();
    expect(await s.getBundle(missing)).toBeNull();
  });

  it('lists newest first and pages through every snapshot exactly once with the cursor', async () => {
    let t = Date.parse('2025-03-01T00:00:00.000Z');
    // Two snapshots share each timestamp so that the id breaks ties.
    const s = await store({ now: () => new Date(Math.floor(t++ / 2) * 2) });
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) created.push((await createSnapshot(s, { bundle: makeBundle({ hosts: [`h${i}`] }) }, withFaults)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await s.list({ limit: 3, cursor });
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...created].sort());
    const all = await s.list({ limit: 100 });
    const times = all.items.map((m) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('rejects a cursor it did not produce', async () => {
    const s = await store();
    await expect(s.list({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('filters the list by host, cluster and faults', async () => {
    const s = await store();
    const a = await createSnapshot(s, { bundle: makeBundle({ hosts: ['worker-1', 'podvm-1'], cluster: 'east' }) }, withFaults);
    const b = await createSnapshot(s, { bundle: makeBundle({ hosts: ['faulty-2'], cluster: 'west' }) }, withFaults);
    const c = await createSnapshot(s, { bundle: makeBundle({ hosts: ['worker-1'] }) }, withFaults);
    const ids = async (q: Parameters<SnapshotStore['list']>[0]) => (await s.list(q)).items.map((m) => m.id).sort();
    expect(await ids({ host: 'worker-1' })).toEqual([a.id, c.id].sort());
    expect(await ids({ host: 'podvm-1' })).toEqual([a.id]);
    expect(await ids({ host: 'worker' })).toEqual([]);
    expect(await ids({ cluster: 'west' })).toEqual([b.id]);
    expect(await ids({ hasFaults: true })).toEqual([b.id]);
    expect(await ids({ hasFaults: false })).toEqual([a.id, c.id].sort());
    expect(await ids({ host: 'worker-1', cluster: 'east' })).toEqual([a.id]);
  });

  it('keeps every snapshot across closing and reopening the store', async () => {
    const config = backend.fresh();
    const first = await createStore(config);
    const meta = await createSnapshot(first, { bundle: makeBundle({ hosts: ['persist-1'] }) });
    await first.close();
    const again = await store({}, config);
    expect((await again.list({})).items).toEqual([meta]);
    expect((await again.getBundle(meta.id))?.hosts[0].name).toBe('persist-1');
  });

  it('stores 20 concurrent creates with unique ids, all listed and readable', async () => {
    const s = await store();
    const metas = await Promise.all(Array.from({ length: 20 }, (_, i) => createSnapshot(s, { bundle: makeBundle({ hosts: [`par-${i}`] }) }, withFaults)));
    const ids = metas.map((m) => m.id);
    expect(new Set(ids).size).toBe(20);
    const listed = await s.list({ limit: 100 });
    expect(listed.items.map((m) => m.id).sort()).toEqual([...ids].sort());
    const views = await Promise.all(ids.map((id) => s.getView(id)));
    expect(views.every((v) => v !== null && v.topology.nodes.length > 0)).toBe(true);
  });

  it('issues url-safe ids of at least 128 bits that never repeat', async () => {
    const s = await store();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i += 1) ids.add((await createSnapshot(s, { bundle: makeBundle() }, withFaults)).id);
    expect(ids.size).toBe(40);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      // 6 bits per base64url character: 22 characters carry at least 128 bits.
      expect(id.length).toBeGreaterThanOrEqual(22);
    }
  });

  it('stores nothing when analysis of the bundle fails', async () => {
    const s = await store();
    const failing = {
      analyze: () => {
        throw new Error('parser exploded');
      },
    };
    await expect(createSnapshot(s, { bundle: makeBundle() }, failing)).rejects.toThrow('parser exploded');
    expect((await s.list({})).items).toEqual([]);
  });

  it('keeps only the newest snapshots when a maximum count is set', async () => {
    let t = Date.parse('2025-04-01T00:00:00.000Z');
    const s = await store({ now: () => new Date((t += 1000)) }, backend.fresh({ maxCount: 3 }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await createSnapshot(s, { bundle: makeBundle({ hosts: [`r${i}`] }) }, withFaults)).id);
    const listed = (await s.list({})).items.map((m) => m.id);
    expect(listed).toEqual(ids.slice(2).reverse());
    expect(await s.get(ids[0])).toBeNull();
    expect((await s.list({ host: 'r0' })).items).toEqual([]);
  });

  it('removes snapshots older than the maximum age when a new one is created', async () => {
    let now = Date.parse('2025-05-01T00:00:00.000Z');
    const s = await store({ now: () => new Date(now) }, backend.fresh({ maxAgeDays: 7 }));
    const old = await createSnapshot(s, { bundle: makeBundle({ hosts: ['old'] }) }, withFaults);
    now += 3 * 86_400_000;
    const middle = await createSnapshot(s, { bundle: makeBundle({ hosts: ['middle'] }) }, withFaults);
    now += 5 * 86_400_000;
    const latest = await createSnapshot(s, { bundle: makeBundle({ hosts: ['latest'] }) }, withFaults);
    const listed = (await s.list({})).items.map((m) => m.id);
    expect(listed).toEqual([latest.id, middle.id]);
    expect(await s.getBundle(old.id)).toBeNull();
  });
});
