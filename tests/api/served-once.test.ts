/**
 * An incident link opened by many people at once: each answer about a snapshot — the view, its levels, report.md
 * and graph.svg — is computed once and then sent as the same bytes, whatever the number of requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeStore } from '@/lib/store';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { responseCache } from '@/lib/serve/response-cache';
import { sqliteBackend } from '../store/backends';
import { incidentBundle } from '../helpers/incident-sample';
import { getReport, getSvg, getView, postJson, useDatabase } from './api';

const backend = sqliteBackend();
let meta: SnapshotMeta;

beforeAll(async () => {
  await useDatabase(backend.fresh());
  const response = await postJson({ bundle: incidentBundle(), title: 'served once' });
  meta = ((await response.json()) as { snapshot: SnapshotMeta }).snapshot;
});

afterAll(async () => {
  await closeStore();
  await backend.stop();
});

describe('answers about a snapshot are computed once', () => {
  const answers: [string, (headers: Record<string, string>) => Promise<Response>][] = [
    ['the view', (h) => getView(meta.id, '', h)],
    ['the overview', (h) => getView(meta.id, '?level=overview', h)],
    ['a host', (h) => getView(meta.id, `?host=${encodeURIComponent(meta.hosts[0] ?? '')}`, h)],
    ['the view under current rules', (h) => getView(meta.id, '?rules=current', h)],
    ['report.md', (h) => getReport(meta.id, '', h)],
    ['graph.svg', (h) => getSvg(meta.id, '', h)],
  ];

  for (const [what, get] of answers) {
    it(`${what}: 40 concurrent requests cost one computation and get the same bytes`, async () => {
      const before = responseCache().computed;
      const responses = await Promise.all(Array.from({ length: 40 }, () => get({})));
      expect(responseCache().computed - before).toBe(1);
      expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]));
      const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
      expect(bodies.size).toBe(1);
      expect([...bodies][0]?.length).toBeGreaterThan(100);
      expect(new Set(responses.map((r) => r.headers.get('etag'))).size).toBe(1);

      const etag = responses[0]?.headers.get('etag') ?? '';
      const again = await get({ 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(responseCache().computed - before).toBe(1);
    });
  }

  it('answers 404 for a snapshot that does not exist and keeps nothing for it', async () => {
    const before = responseCache().size;
    const missing = await getView('A'.repeat(24));
    expect(missing.status).toBe(404);
    expect(responseCache().size).toBe(before);
  });
});
