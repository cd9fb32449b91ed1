import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBundle, recordedKindSchema } from '@/lib/capture/bundle/bundle';
import type { HostCapture } from '@/lib/capture/types';
import { importFiles } from '@/lib/capture/import';
import { captureFromSource, SENT_SOURCES, sourceFor, sourcesOnThisServer } from '@/lib/sources';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { CAPTURE_KINDS, LIVE_KINDS, RECORDED_KINDS } from '@/lib/capture/source-kinds';
import { collectDiscovered, SourceError, type HostProgress, type SourceHost } from '@/lib/sources/source';

function host(name: string, collect: SourceHost['collect']): SourceHost {
  return { name, role: 'worker', collect };
}

function captured(name: string, status: HostCapture['status'] = 'complete'): HostCapture {
  return { name, role: 'worker', collectedAt: '2026-01-01T00:00:00.000Z', status, namespaces: [] };
}

describe('the source registry', () => {
  it('has exactly one source for every kind declared as captured, under its own kind', () => {
    expect(CAPTURE_KINDS).toEqual(['lab', 'local', 'sample', 'kube']);
    for (const kind of CAPTURE_KINDS) expect(sourceFor(kind).kind).toBe(kind);
    expect(new Set(CAPTURE_KINDS.map((kind) => sourceFor(kind))).size).toBe(CAPTURE_KINDS.length);
  });

  it('refuses an unknown kind with a SourceError that names the kinds there are', () => {
    expect(() => sourceFor('mars')).toThrow(SourceError);
    expect(() => sourceFor('mars')).toThrow('Unknown source "mars". Use one of: lab, local, sample, kube.');
    // A kind a bundle records but this server cannot capture from is no source to capture from either.
    expect(() => sourceFor('upload')).toThrow(SourceError);
  });

  it('has an entry for uploads apart from the sources it captures, so no capture request reaches it', async () => {
    expect(Object.keys(SENT_SOURCES)).toEqual(['upload']);
    expect(SENT_SOURCES.upload.kind).toBe('upload');
    expect(CAPTURE_KINDS).not.toContain('upload');
    expect((await sourcesOnThisServer()).map((s) => s.kind)).not.toContain('upload');
  });

  it('keeps the kinds bundles and stored snapshots record, so existing data still loads', () => {
    expect(RECORDED_KINDS).toEqual(['lab', 'local', 'kube', 'ssh', 'upload', 'synthetic']);
    for (const kind of RECORDED_KINDS) expect(recordedKindSchema.safeParse(kind).success).toBe(true);
    // The sample is recorded as the lab it was captured from.
    expect(recordedKindSchema.safeParse('sample').success).toBe(false);
  });

  it('offers the live view for the lab, this machine and a cluster', () => {
    expect(LIVE_KINDS).toEqual(['lab', 'local', 'kube']);
  });

  it('describes every captured source for the dashboard, in the declared order', async () => {
    const sources = await sourcesOnThisServer();
    expect(sources.map((s) => s.kind)).toEqual(CAPTURE_KINDS);
    for (const s of sources) {
      expect(s.label.length).toBeGreaterThan(0);
      expect(s.description.length).toBeGreaterThan(0);
      if (!s.available) expect(s.reason).toMatch(/\w/);
    }
    expect(sources.find((s) => s.kind === 'sample')).toMatchObject({ available: true, live: false, recapture: false });
    expect(sources.filter((s) => s.recapture).map((s) => s.kind)).toEqual(['lab', 'local']);
  });

  it('replays the bundled sample exactly as it was captured, its own time and source included', async () => {
    const parsed = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(await captureFromSource('sample')).toEqual(parsed.bundle);
  });
});

describe('collecting discovered hosts', () => {
  const discovery = (hosts: SourceHost[], concurrency = 2) => ({ source: { kind: 'synthetic' as const }, createdAt: '2026-01-02T00:00:00.000Z', hosts, concurrency });

  it('keeps the discovered order, records a host that throws as failed, and reports each host once running and once finished', async () => {
    const progress: HostProgress[] = [];
    const bundle = await collectDiscovered(
      discovery([
        host('a', async () => captured('a')),
        host('b', async () => {
          throw new Error('connection refused');
        }),
        host('c', async () => captured('c', 'partial')),
      ]),
      { onProgress: (p) => progress.push(p) },
    );
    expect(bundle.hosts.map((h) => `${h.name} ${h.status} ${h.error ?? ''}`.trim())).toEqual(['a complete', 'b failed connection refused', 'c partial']);
    expect(bundle).toMatchObject({ createdAt: '2026-01-02T00:00:00.000Z', source: { kind: 'synthetic' } });
    const finished = progress.filter((p) => p.state !== 'running');
    expect(finished.map((p) => `${p.host} ${p.state}${p.reason ? `: ${p.reason}` : ''}`).sort()).toEqual(['a done', 'b failed: connection refused', 'c partial']);
    expect(finished.map((p) => `${p.finished}/${p.total}`)).toEqual(['1/3', '2/3', '3/3']);
    expect(progress.filter((p) => p.state === 'running').map((p) => p.host)).toEqual(['a', 'b', 'c']);
  });

  it('does not start a host once cancelled: it is recorded as failed, cancelled', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const bundle = await collectDiscovered(
      discovery(
        ['a', 'b'].map((name) =>
          host(name, async () => {
            started.push(name);
            controller.abort();
            return captured(name);
          }),
        ),
        1,
      ),
      { signal: controller.signal },
    );
    expect(started).toEqual(['a']);
    expect(bundle.hosts.map((h) => `${h.name} ${h.status} ${h.error ?? ''}`.trim())).toEqual(['a complete', 'b failed cancelled']);
  });
});

describe('the upload entry', () => {
  const link = (host: string) =>
    `root@${host}:~# ip -o link show\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n`;
  const files = [
    { name: 'worker-b.txt', content: link('worker-b') },
    { name: 'notes.txt', content: 'nothing to read here\n' },
    { name: 'worker-a.txt', content: link('worker-a') },
  ];

  afterEach(() => {
    vi.useRealTimers();
  });

  it('discovers the hosts the importer read, in the order of the files, with what it could not read', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T05:06:07.000Z'));
    const discovery = await SENT_SOURCES.upload.discover({ files });
    expect(discovery.hosts.map((h) => h.name)).toEqual(['worker-b', 'worker-a']);
    expect(discovery.problems).toEqual([{ file: 'notes.txt', line: 1, text: 'nothing to read here', message: expect.stringMatching(/^no command output recognised/) }]);
    const progress: HostProgress[] = [];
    const bundle = await collectDiscovered(discovery, { onProgress: (p) => progress.push(p) });
    // The same bundle the importer makes: origin, time and hosts as read.
    expect(bundle).toEqual(importFiles(files).bundle);
    expect(bundle.source).toEqual({ kind: 'upload', detail: 'worker-b.txt, notes.txt, worker-a.txt' });
    expect(progress.filter((p) => p.state !== 'running').map((p) => `${p.host} ${p.state} ${p.finished}/${p.total}`)).toEqual(['worker-b done 1/2', 'worker-a done 2/2']);
  });

  it('discovers no host and says why when nothing is recognised', async () => {
    const discovery = await SENT_SOURCES.upload.discover({ files: [files[1]] });
    expect(discovery.hosts).toEqual([]);
    expect(discovery.problems?.map((p) => `${p.file}:${p.line}`)).toEqual(['notes.txt:1']);
  });

  it('records the hosts not yet read as cancelled once the upload is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const bundle = await collectDiscovered(await SENT_SOURCES.upload.discover({ files }), { signal: controller.signal });
    expect(bundle.hosts.map((h) => `${h.name} ${h.status} ${h.error ?? ''}`.trim())).toEqual(['worker-b failed cancelled', 'worker-a failed cancelled']);
  });
});
