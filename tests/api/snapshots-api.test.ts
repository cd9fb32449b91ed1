import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { RULES_VERSION } from '@/lib/diagnose';
import type { SnapshotDiff } from '@/lib/diff/diff';
import { closeStore } from '@/lib/store';
import type { SearchHit } from '@/lib/view/search';
import type { HostSubview, SnapshotOverview } from '@/lib/snapshot/subview';
import type { SnapshotMeta, SnapshotPage, SnapshotView } from '@/lib/snapshot/types';
import { backends, type Backend } from '../store/backends';
import { FIXTURE_DEVICES, IP_LINK_JSON, makeBundle } from '../store/bundles';
import { VXLAN0_ID, incidentBundle, tunnelSentMoreBundle } from '../helpers/incident-sample';
import { getBundle, getDiff, getHealth, getReport, getSearch, getSvg, getTrace, getVersion, getView, list, postJson, postRaw, useDatabase, type ErrorBody } from './api';
import { parseXml } from './xml-check';

// The analysis below is substituted in this process, so it runs here rather than on an analysis thread (which
// loads the real one); tests/api/analysis-thread.test.ts covers the thread.
process.env.TUNNELSCOPE_ANALYSIS_THREADS = '0';

/** The real analysis plus one critical finding, with evidence and a fix, on vxlan1 of every host named faulty-*. */
vi.mock('@/lib/analyze', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/analyze')>();
  return {
    ...real,
    analyze(bundle: CaptureBundle) {
      const base = real.analyze(bundle);
      const findings = bundle.hosts
        .filter((h) => h.name.startsWith('faulty'))
        .map((h) => ({
          rule: 'vxlan-down',
          severity: 'critical' as const,
          title: `vxlan1 is down on ${h.name}`,
          explanation: 'The tunnel device is administratively down, so no encapsulated traffic leaves the host.',
          evidence: [{ host: h.name, netns: null, command: 'ip -j -d link show', lines: ['"ifname":"vxlan1","flags":["BROADCAST","MULTICAST"]'] }],
          elements: [`host:${h.name}/if:vxlan1`],
          fix: [`ip link set vxlan1 up`],
        }));
      return { ...base, findings: [...base.findings, ...findings] };
    },
  };
});

const HOSTILE = '<script>alert(1)</script>"&\'<img src=x onerror=alert(2)>';

async function created(response: Response): Promise<SnapshotMeta> {
  expect(response.status).toBe(201);
  const body = (await response.json()) as { snapshot: SnapshotMeta; url: string };
  expect(body.url).toBe(`/s/${body.snapshot.id}`);
  expect(response.headers.get('location')).toBe(body.url);
  return body.snapshot;
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error.message;
}

async function count(host: string): Promise<number> {
  const page = (await (await list(`?host=${encodeURIComponent(host)}&limit=200`)).json()) as SnapshotPage;
  return page.items.length;
}

/** Markdown with fenced blocks and code spans removed: what a renderer would treat as markup. */
function outsideCode(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+)[^`]*?\1/g, '');
}

describe.each(backends.map((make) => make()))('snapshot API on $name', (backend: Backend) => {
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    await backend.start();
    await useDatabase(backend.fresh());
  });
  afterAll(async () => {
    await closeStore();
    process.env = savedEnv;
    await backend.stop();
  });

  describe('creating snapshots', () => {
    it('stores a JSON { bundle, title } and answers 201 with the metadata and link', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-w1'] }), title: 'first' }));
      expect(meta.title).toBe('first');
      expect(meta.hosts).toEqual(['api-w1']);
      expect(await count('api-w1')).toBe(1);
    });

    it('accepts a bare bundle as the JSON body', async () => {
      const meta = await created(await postJson(makeBundle({ hosts: ['api-bare'] })));
      expect(meta.hosts).toEqual(['api-bare']);
    });

    it('accepts a bundle file in a multipart upload with a title field', async () => {
      const form = new FormData();
      form.append('title', 'uploaded');
      form.append('file', new Blob([JSON.stringify(makeBundle({ hosts: ['api-multipart'] }))]), 'capture.bundle.json');
      const meta = await created(await postRaw(form, {}));
      expect(meta.title).toBe('uploaded');
      expect(meta.hosts).toEqual(['api-multipart']);
    });

    it('imports a pasted transcript sent as text/plain, naming the host from the prompt', async () => {
      const transcript = `root@api-paste:~# ip -j -d link show\n${IP_LINK_JSON}\nroot@api-paste:~# `;
      const meta = await created(await postRaw(transcript, { 'content-type': 'text/plain; charset=utf-8' }, '?name=paste.txt&title=pasted'));
      expect(meta.hosts).toEqual(['api-paste']);
      expect(meta.title).toBe('pasted');
      expect(meta.source.kind).toBe('upload');
      const view = (await (await getView(meta.id)).json()) as SnapshotView;
      expect(view.topology.nodes.map((n) => n.label)).toEqual(expect.arrayContaining(FIXTURE_DEVICES));
    });

    it('answers 400 nothing_recognised with the problems for text holding no command output', async () => {
      const response = await postRaw('hello there\nnothing to see', { 'content-type': 'text/plain' }, '?name=junk-upload.txt');
      const message = await expectError(response, 400, 'nothing_recognised');
      expect(message).toContain('junk-upload.txt');
    });

    it('refuses a body whose Content-Length exceeds the limit with 413 and stores nothing', async () => {
      process.env.TUNNELSCOPE_MAX_UPLOAD_BYTES = '2048';
      try {
        const body = JSON.stringify(makeBundle({ hosts: ['api-too-big'] }));
        expect(body.length).toBeGreaterThan(2048);
        await expectError(await postJson(body, { 'content-length': String(body.length) }), 413, 'payload_too_large');
        // The declared length alone is enough to refuse, before any byte is read.
        await expectError(await postJson('{}', { 'content-length': String(10 ** 9) }), 413, 'payload_too_large');
        expect(await count('api-too-big')).toBe(0);
      } finally {
        delete process.env.TUNNELSCOPE_MAX_UPLOAD_BYTES;
      }
    });

    it('counts streamed bytes and answers 413 when a body without Content-Length grows past the limit', async () => {
      process.env.TUNNELSCOPE_MAX_UPLOAD_BYTES = '4096';
      let pulled = 0;
      const chunk = new TextEncoder().encode('x'.repeat(1024));
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          if (pulled > 1000) controller.close();
          else controller.enqueue(chunk);
        },
      });
      try {
        await expectError(await postRaw(stream, { 'content-type': 'application/json' }), 413, 'payload_too_large');
        // The reader stopped soon after the limit instead of buffering the whole stream.
        expect(pulled).toBeLessThan(20);
      } finally {
        delete process.env.TUNNELSCOPE_MAX_UPLOAD_BYTES;
      }
    });

    it('answers 400 invalid_json for a body that is not JSON', async () => {
      const message = await expectError(await postJson('{"bundle": {', {}), 400, 'invalid_json');
      expect(message).toMatch(/not valid JSON/);
    });

    it('answers 400 invalid_bundle naming the version for a bundle of another schema version', async () => {
      const bundle = { ...makeBundle({ hosts: ['api-v99'] }), version: 99 };
      const message = await expectError(await postJson({ bundle }), 400, 'invalid_bundle');
      expect(message).toMatch(/version 99/);
      expect(await count('api-v99')).toBe(0);
    });

    it('answers 400 for a bundle with a field of the wrong type, naming the field', async () => {
      const bundle = makeBundle({ hosts: ['api-badfield'] });
      const broken = { ...bundle, hosts: [{ ...bundle.hosts[0], status: 'sideways' }] };
      const message = await expectError(await postJson({ bundle: broken }), 400, 'invalid_bundle');
      expect(message).toMatch(/hosts\[0\]\.status/);
      expect(await count('api-badfield')).toBe(0);
    });

    it('answers 400 for JSON that is neither a bundle, a wrapped bundle nor a source', async () => {
      await expectError(await postJson({ hello: 'world' }), 400, 'bad_request');
      await expectError(await postJson({ source: 'mars' }), 400, 'bad_request');
    });

    it('answers 415 for a content type it does not read', async () => {
      await expectError(await postRaw('<xml/>', { 'content-type': 'application/xml' }), 415, 'unsupported_media_type');
    });

    it('stores HTML and script in host names verbatim, as data', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: [HOSTILE] }), title: HOSTILE }));
      const view = (await (await getView(meta.id)).json()) as SnapshotView;
      expect(view.meta.hosts).toEqual([HOSTILE]);
      expect(view.meta.title).toBe(HOSTILE);
    });

    it('stores all of 10 concurrent uploads under distinct ids', async () => {
      const responses = await Promise.all(Array.from({ length: 10 }, () => postJson({ bundle: makeBundle({ hosts: ['api-par'] }) })));
      const ids = await Promise.all(responses.map(async (r) => (await created(r)).id));
      expect(new Set(ids).size).toBe(10);
      expect(await count('api-par')).toBe(10);
    });
  });

  describe('reading snapshots', () => {
    it('pages the list with an opaque cursor and filters by host, cluster and faults', async () => {
      const faulty = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-list'], cluster: 'lst' }) }));
      const healthy = await created(await postJson({ bundle: makeBundle({ hosts: ['healthy-list'], cluster: 'lst' }) }));
      const first = (await (await list('?cluster=lst&limit=1')).json()) as SnapshotPage;
      expect(first.items.map((m) => m.id)).toEqual([healthy.id]);
      expect(first.nextCursor).toBeTruthy();
      const second = (await (await list(`?cluster=lst&limit=1&cursor=${first.nextCursor}`)).json()) as SnapshotPage;
      expect(second.items.map((m) => m.id)).toEqual([faulty.id]);
      expect(second.nextCursor).toBeUndefined();
      const faults = (await (await list('?cluster=lst&hasFaults=true')).json()) as SnapshotPage;
      expect(faults.items.map((m) => m.id)).toEqual([faulty.id]);
      expect(faults.items[0].counts.critical).toBe(1);
    });

    it('answers 400 for a bad cursor, limit or hasFaults value', async () => {
      await expectError(await list('?cursor=garbage'), 400, 'bad_request');
      await expectError(await list('?limit=0'), 400, 'bad_request');
      await expectError(await list('?limit=abc'), 400, 'bad_request');
      await expectError(await list('?hasFaults=maybe'), 400, 'bad_request');
    });

    it('returns the view with an immutable strong ETag and answers 304 to If-None-Match', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-etag'] }) }));
      const response = await getView(meta.id);
      expect(response.status).toBe(200);
      const etag = response.headers.get('etag');
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      const view = (await response.json()) as SnapshotView;
      expect(view.meta.id).toBe(meta.id);
      expect(view.rulesVersion).toBe(meta.rulesVersion);
      const labels = view.topology.nodes.map((n) => n.label);
      expect(labels).toEqual(expect.arrayContaining(FIXTURE_DEVICES));
      const again = await getView(meta.id, '', { 'if-none-match': etag ?? '' });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
      const otherTag = await getView(meta.id, '', { 'if-none-match': '"something-else"' });
      expect(otherTag.status).toBe(200);
    });

    it('re-diagnoses with the current rules on ?rules=current and says so', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-rules'] }) }));
      const view = (await (await getView(meta.id, '?rules=current')).json()) as SnapshotView;
      expect(view.rediagnosed).toBe(true);
      expect(view.rulesVersion).toBe(meta.rulesVersion);
      expect(view.findings.map((f) => f.rule)).toEqual(['vxlan-down']);
      const stored = await getView(meta.id);
      const current = await getView(meta.id, '?rules=current');
      // Different bytes (rediagnosed flag) need different strong ETags.
      expect(current.headers.get('etag')).not.toBe(stored.headers.get('etag'));
      await expectError(await getView(meta.id, '?rules=tomorrow'), 400, 'bad_request');
    });

    it('lets browsers keep answers under the current rules only after asking again, on every level and read', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-recheck'] }) }));
      const current = [
        await getView(meta.id, '?rules=current'),
        await getView(meta.id, '?level=overview&rules=current'),
        await getView(meta.id, '?host=faulty-recheck&rules=current'),
        await getSearch(meta.id, '?q=vxlan1&rules=current'),
        await getTrace(meta.id, '?from=faulty-recheck&to=10.0.0.9&rules=current'),
      ];
      for (const response of current) expect(response.headers.get('cache-control')).toBe('no-cache');
      const overview = (await current[1].json()) as SnapshotOverview;
      expect(overview.rediagnosed).toBe(true);
      expect(overview.findings.map((f) => f.rule)).toEqual(['vxlan-down']);
      const etag = current[1].headers.get('etag') ?? '';
      expect((await getView(meta.id, '?level=overview&rules=current', { 'if-none-match': etag })).status).toBe(304);
      expect((await getView(meta.id, '?level=overview')).headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    });

    it('names the rules version this server diagnoses with, the one a re-check uses', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-version'] }) }));
      const response = await getVersion();
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { rulesVersion: string };
      expect(body).toEqual({ rulesVersion: meta.rulesVersion });
      expect(body.rulesVersion).toBe(RULES_VERSION);
    });

    it('answers ?level=overview with hosts, fault counts and findings without evidence, cached under its own ETag', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-ov', 'api-ov'] }) }));
      const response = await getView(meta.id, '?level=overview');
      expect(response.status).toBe(200);
      const overview = (await response.json()) as SnapshotOverview;
      expect(overview.meta).toEqual(meta);
      expect(overview.hosts.map((n) => n.host).sort()).toEqual(['api-ov', 'faulty-ov']);
      expect(overview.faults['faulty-ov']).toEqual({ count: 1, severity: 'critical' });
      expect(overview.findings).toEqual([
        {
          rule: 'vxlan-down',
          severity: 'critical',
          title: 'vxlan1 is down on faulty-ov',
          elements: ['host:faulty-ov/if:vxlan1'],
          first: 'host:faulty-ov/if:vxlan1',
          host: 'faulty-ov',
        },
      ]);
      expect(overview).not.toHaveProperty('topology');
      const etag = response.headers.get('etag') ?? '';
      expect(etag).not.toBe((await getView(meta.id)).headers.get('etag'));
      expect((await getView(meta.id, '?level=overview', { 'if-none-match': etag })).status).toBe(304);
      expect((await getView(meta.id, '?level=full')).headers.get('etag')).toBe((await getView(meta.id)).headers.get('etag'));
    });

    it('answers ?host= with that host, the far ends of its edges and its whole findings', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-drill', 'api-drill'] }) }));
      const response = await getView(meta.id, '?host=faulty-drill');
      expect(response.status).toBe(200);
      const cut = (await response.json()) as HostSubview;
      expect(cut.host).toBe('faulty-drill');
      expect(new Set(cut.topology.nodes.map((n) => n.host))).toEqual(new Set(['faulty-drill']));
      expect(cut.topology.hosts.map((h) => h.name)).toEqual(['faulty-drill']);
      expect(cut.findings).toHaveLength(1);
      expect(cut.findings[0].evidence[0].lines[0]).toContain('vxlan1');
      const other = await getView(meta.id, '?host=api-drill');
      expect(((await other.json()) as HostSubview).findings).toEqual([]);
      expect(other.headers.get('etag')).not.toBe(response.headers.get('etag'));
      await expectError(await getView(meta.id, '?host=nowhere'), 404, 'not_found');
      await expectError(await getView(meta.id, '?host=faulty-drill&level=overview'), 400, 'bad_request');
      await expectError(await getView(meta.id, '?level=devices'), 400, 'bad_request');
    });

    it('searches the whole snapshot on the server by device name and IP', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-search-1', 'api-search-2'] }) }));
      const response = await getSearch(meta.id, '?q=vxlan1');
      expect(response.status).toBe(200);
      const { hits } = (await response.json()) as { hits: SearchHit[] };
      expect(hits.map((h) => h.id).sort()).toEqual(['host:api-search-1/if:vxlan1', 'host:api-search-2/if:vxlan1']);
      expect(hits.map((h) => h.host).sort()).toEqual(['api-search-1', 'api-search-2']);
      const etag = response.headers.get('etag') ?? '';
      expect((await getSearch(meta.id, '?q=vxlan1', { 'if-none-match': etag })).status).toBe(304);
      await expectError(await getSearch(meta.id, '?q=v'), 400, 'bad_request');
      await expectError(await getSearch('AAAAAAAAAAAAAAAAAAAAAAAA', '?q=vxlan1'), 404, 'not_found');
    });

    it('names the host of every trace hop, for the overview and for opening the right host', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-trace'] }) }));
      const response = await getTrace(meta.id, `?from=${encodeURIComponent('host:api-trace/if:veth-a')}&to=10.0.0.1`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { hops: { element: string; host?: string }[] };
      expect(body.hops.length).toBeGreaterThan(0);
      for (const hop of body.hops) expect(hop.host).toBe('api-trace');
    });

    it('answers 404 for an unknown id and for an id of the wrong shape, on every snapshot route', async () => {
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAAAA', '../../etc/passwd', '<script>']) {
        await expectError(await getView(id), 404, 'not_found');
        await expectError(await getView(id, '?level=overview'), 404, 'not_found');
        await expectError(await getView(id, '?host=worker-1'), 404, 'not_found');
        await expectError(await getBundle(id), 404, 'not_found');
        await expectError(await getReport(id), 404, 'not_found');
        await expectError(await getSvg(id), 404, 'not_found');
      }
    });

    it('downloads the stored bundle unchanged as an attachment', async () => {
      const bundle = makeBundle({ hosts: ['api-download'] });
      const meta = await created(await postJson({ bundle }));
      const response = await getBundle(meta.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="tunnelscope-${meta.id}.bundle.json"`);
      expect(await response.json()).toEqual(bundle);
      const etag = response.headers.get('etag') ?? '';
      expect((await getBundle(meta.id, { 'if-none-match': `W/"x", ${etag}` })).status).toBe(304);
    });

    it('keeps serving snapshots after the store is closed and reopened (a server restart)', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-restart'] }) }));
      await closeStore();
      const view = (await (await getView(meta.id)).json()) as SnapshotView;
      expect(view.meta).toEqual(meta);
    });

    it('reports the database as healthy', async () => {
      const response = await getHealth();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, database: backend.name, analyses: { running: 0, waiting: 0 } });
    });
  });

  describe('exports', () => {
    it('writes report.md with findings by severity, evidence in a code block, the fix, hosts and a link back', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-report', 'api-report'] }), title: 'report' }));
      const response = await getReport(meta.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      const md = await response.text();
      expect(md).toContain('### Critical');
      expect(md).toContain('vxlan1 is down on faulty-report');
      expect(md).toContain('```\n"ifname":"vxlan1","flags":["BROADCAST","MULTICAST"]\n```');
      expect(md).toContain('```sh\nip link set vxlan1 up\n```');
      expect(md).toMatch(/- faulty-report\n- api-report/);
      expect(md).toContain(`<http://tunnelscope.test/s/${meta.id}>`);
    });

    it('renders hostile host names inert in report.md', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: [`faulty-${HOSTILE}`] }), title: HOSTILE }));
      const md = await (await getReport(meta.id)).text();
      const markup = outsideCode(md);
      expect(markup).toContain('&lt;script&gt;');
      expect(markup).not.toMatch(/<(script|img)/i);
      expect(markup.replace(/<http[^>\s]+>/g, '')).not.toContain('<');
    });

    it('draws graph.svg as well-formed XML naming every device, with the faulty device red and marked', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-svg', 'api-svg'] }) }));
      const response = await getSvg(meta.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const elements = parseXml(await response.text());
      expect(elements[0].name).toBe('svg');
      const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
      expect(texts).toEqual(expect.arrayContaining([...FIXTURE_DEVICES, 'faulty-svg', 'api-svg']));
      const faults = elements.filter((e) => e.name === 'g' && (e.attributes.class ?? '').split(' ').includes('fault'));
      expect(faults.map((g) => g.attributes['data-id'])).toEqual(['host:faulty-svg/if:vxlan1']);
      expect(elements.filter((e) => e.attributes.class === 'fault-marker')).toHaveLength(1);
    });

    it('draws only one host with ?host= and the focused device neighbourhood with ?focus=', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: ['api-one', 'api-two'] }) }));
      const hostIds = (xml: string) =>
        parseXml(xml)
          .filter((e) => e.attributes.class?.startsWith('host'))
          .map((e) => e.attributes['data-id']);
      expect(hostIds(await (await getSvg(meta.id, '?host=api-two')).text())).toEqual(['host:api-two']);
      const focused = parseXml(await (await getSvg(meta.id, `?focus=${encodeURIComponent('host:api-one/if:veth-a')}`)).text());
      const devices = focused.filter((e) => e.attributes.class?.startsWith('device')).map((e) => e.attributes['data-id']);
      expect(devices).toContain('host:api-one/if:veth-a');
      expect(devices.every((id) => id.startsWith('host:api-one/'))).toBe(true);
      const hostFocus = parseXml(await (await getSvg(meta.id, `?focus=${encodeURIComponent('host:api-one')}`)).text());
      const held = hostFocus.filter((e) => e.attributes.class?.startsWith('device')).map((e) => e.attributes['data-id']);
      expect(held).toContain('host:api-one/if:veth-a');
      expect(held.every((id) => id.startsWith('host:api-one/'))).toBe(true);
      const a = (await getSvg(meta.id, '?host=api-one')).headers.get('etag');
      const b = (await getSvg(meta.id, '?host=api-two')).headers.get('etag');
      expect(a).not.toBe(b);
    });

    it('escapes hostile names in graph.svg so the document stays well-formed and script-free', async () => {
      const meta = await created(await postJson({ bundle: makeBundle({ hosts: [`${HOSTILE}\u0001`] }) }));
      const xml = await (await getSvg(meta.id)).text();
      const elements = parseXml(xml);
      expect(elements.some((e) => e.name === 'script' || e.name === 'img')).toBe(false);
      expect(xml).not.toMatch(/<(script|img)/i);
      expect(elements.some((e) => e.name === 'title' && e.text.startsWith(`host:${HOSTILE}`))).toBe(true);
    });
  });

  describe('diff', () => {
    it('lists elements and findings added and removed between two snapshots', async () => {
      const before = await created(await postJson({ bundle: makeBundle({ hosts: ['faulty-diff', 'diff-w1'] }) }));
      const after = await created(await postJson({ bundle: makeBundle({ hosts: ['diff-w1', 'diff-w2'] }) }));
      const response = await getDiff(`?a=${before.id}&b=${after.id}`);
      expect(response.status).toBe(200);
      const d = (await response.json()) as SnapshotDiff;
      expect(d.a.meta.id).toBe(before.id);
      expect(d.findings.removed.map((f) => f.rule)).toEqual(['vxlan-down']);
      expect(d.findings.added).toEqual([]);
      expect(d.nodes.added.map((n) => n.id)).toContain('host:diff-w2/if:vxlan1');
      expect(d.nodes.removed.map((n) => n.id)).toContain('host:faulty-diff');
      expect(d.nodes.added.some((n) => n.host === 'diff-w1')).toBe(false);
      expect(d.summary.findings).toEqual({ added: 0, removed: 1, changed: 0 });
      const cached = await getDiff(`?a=${before.id}&b=${after.id}`, { 'if-none-match': response.headers.get('etag') ?? '' });
      expect(cached.status).toBe(304);
    });

    it('says what the counters did between the captures, read from the earlier to the later either way round', async () => {
      const first = await created(await postJson({ bundle: incidentBundle() }));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const later = await created(await postJson({ bundle: tunnelSentMoreBundle(12) }));
      for (const [a, b] of [
        [first, later],
        [later, first],
      ]) {
        const d = (await (await getDiff(`?a=${a.id}&b=${b.id}`)).json()) as SnapshotDiff;
        expect(d.between.findings.map((f) => [f.rule, f.severity, f.elements[1]])).toEqual([['tunnel-traffic-one-way', 'critical', VXLAN0_ID]]);
        expect(d.between.seconds).toBeGreaterThan(0);
      }
      const same = (await (await getDiff(`?a=${first.id}&b=${first.id}`)).json()) as SnapshotDiff;
      expect(same.between).toEqual({ seconds: 0, findings: [] });
    });

    it('answers 400 without both ids and 404 when one snapshot does not exist', async () => {
      const one = await created(await postJson({ bundle: makeBundle({ hosts: ['diff-only'] }) }));
      await expectError(await getDiff(`?a=${one.id}`), 400, 'bad_request');
      await expectError(await getDiff(`?a=${one.id}&b=BBBBBBBBBBBBBBBBBBBBBBBB`), 404, 'not_found');
    });
  });
});
