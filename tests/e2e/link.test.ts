import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { incidentBundle } from '../helpers/incident-sample';
import { createSnapshot, getJson, graphReady, POLL } from './browser';
import { closeSession, openSession, type RunningApp } from './server';

let app: RunningApp;
let browser: Browser;
let page: Page;
let view: SnapshotView;

beforeAll(async () => {
  // The session's page has a fresh profile, as for someone opening the link from the incident channel.
  ({ app, browser, page } = await openSession());
  const meta = await createSnapshot(app.url, incidentBundle(), 'nginx-priv unreachable (peer pod)');
  view = await getJson<SnapshotView>(`${app.url}/api/snapshots/${meta.id}`);
  await page.goto(`${app.url}/s/${meta.id}`);
  await graphReady(page);
}, 600_000);

afterAll(() => closeSession({ app, browser }));

describe('a link opened in real Chromium shows the same elements and findings as the API', () => {
  it('draws the whole device graph for this two-host capture', async () => {
    await expect.poll(() => page.getAttribute('[data-testid="topology-canvas"]', 'data-level'), POLL).toBe('full');
  });

  it('the accessible device list names every device of the API topology, by id and name', async () => {
    const list = page.getByRole('navigation', { name: 'Devices on the graph' }).getByRole('button');
    const rows = await list.evaluateAll((buttons) => buttons.map((b) => ({ id: b.getAttribute('data-id') ?? '', name: b.getAttribute('aria-label') ?? '' })));
    expect(rows.map((r) => r.id).sort()).toEqual(view.topology.nodes.map((n) => n.id).sort());
    const names = new Map(rows.map((r) => [r.id, r.name]));
    for (const node of view.topology.nodes) expect(names.get(node.id)?.slice(0, node.label.length + 2)).toBe(`${node.label}: `);
  });

  it('the device list marks as faulty exactly the devices the API findings name', async () => {
    const faulty = await page
      .locator('[data-testid="device-item"]')
      .evaluateAll((buttons) => buttons.filter((b) => (b.getAttribute('aria-label') ?? '').includes('fault: ')).map((b) => b.getAttribute('data-id')));
    const nodeIds = new Set(view.topology.nodes.map((n) => n.id));
    const named = new Set(view.findings.flatMap((f) => f.elements).filter((id) => nodeIds.has(id)));
    expect(faulty.sort()).toEqual([...named].sort());
    expect(faulty.length).toBeGreaterThan(0);
  });

  it('the canvas holds every node and every distinct edge of the API topology', async () => {
    const distinctEdges = new Set(view.topology.edges.map((e) => `${e.kind}:${e.source}|${e.target}`)).size;
    await expect.poll(() => page.getAttribute('[data-testid="topology-canvas"]', 'data-count'), POLL).toBe(String(view.topology.nodes.length + distinctEdges));
  });

  it('the findings panel shows the same finding titles and rules as the API', async () => {
    const panel = page.getByRole('region', { name: 'Findings' });
    const shown = await panel
      .locator('[data-testid="finding"]')
      .evaluateAll((buttons) => buttons.map((b) => ({ rule: b.getAttribute('data-rule') ?? '', title: b.querySelector('.font-medium')?.textContent ?? '' })));
    const fromApi = view.findings.map((f) => ({ rule: f.rule, title: f.title }));
    const order = (x: { rule: string; title: string }, y: { rule: string; title: string }) => `${x.rule}${x.title}`.localeCompare(`${y.rule}${y.title}`);
    expect(shown.sort(order)).toEqual(fromApi.sort(order));
    expect(shown.map((f) => f.rule)).toContain('peerpod-podvm-mac-mismatch');
  });
});
