/**
 * From a snapshot of the real lab, "Capture again and compare" in real Chromium: with the lab's underlay dropping
 * the peer-pod tunnel and traffic sent in between, the comparison names the tunnel that no single capture shows.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labBreak, labDown, labHeal, labStatus, labUp } from '@/lib/lab';
import { ping } from '@/lib/lab/probe';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { graphReady, POLL, screenshot } from './browser';
import { closeSession, openSession, type RunningApp } from './server';

const WORKER = 'ocp-412-ovn-worker-1';
const POD_IP = '10.132.2.46';

let app: RunningApp;
let browser: Browser;
let page: Page;

async function snapshotOfLab(): Promise<SnapshotMeta> {
  const response = await fetch(`${app.url}/api/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'lab', title: 'lab, first capture' }) });
  const body = (await response.json()) as { snapshot?: SnapshotMeta };
  if (response.status !== 201 || !body.snapshot) throw new Error(`POST /api/snapshots answered ${response.status}`);
  return body.snapshot;
}

async function sendToPod(times: number): Promise<void> {
  const worker = (await labStatus())?.hosts.find((h) => h.name === WORKER);
  if (!worker) throw new Error(`the lab has no host ${WORKER}`);
  for (let i = 0; i < times; i++) await ping(worker, POD_IP);
}

// The lab runs in this machine's kernel: a server elsewhere (TUNNELSCOPE_E2E_URL) cannot capture it.
describe.skipIf(process.env.TUNNELSCOPE_E2E_URL)('capture again and compare, on the real lab', () => {
  beforeAll(async () => {
    await labUp({ scenario: 'default' });
    await labHeal('podvm-mac-mismatch');
    ({ app, browser, page } = await openSession());
  }, 600_000);

  afterAll(async () => {
    await closeSession({ app, browser });
    await labDown();
  });

  it('opens the comparison with a new capture, which names the tunnel whose packets the underlay drops', async () => {
    await labBreak('underlay-drops-tunnel');
    try {
      const first = await snapshotOfLab();
      await page.goto(`${app.url}/s/${first.id}`);
      await graphReady(page);
      await sendToPod(3);
      await page.click('[data-testid="recapture"]');
      await page.waitForURL((url) => url.pathname === '/diff' && url.searchParams.get('a') === first.id && url.searchParams.get('b') !== null);
      await graphReady(page);
      const row = page.locator('[data-testid="counter-finding"]');
      await expect.poll(() => row.count(), POLL).toBe(1);
      await expect.poll(() => row.getAttribute('data-rule'), POLL).toBe('tunnel-traffic-one-way');
      await expect.poll(() => row.innerText(), POLL).toMatch(/Tunnel vxlan1 → vxlan0: \d+ packet\(s\) sent, none received/);
      // Each capture alone diagnoses clean: the drop is outside every host.
      await expect.poll(() => page.locator('[data-testid="diff-summary"]').innerText(), POLL).toMatch(/findings: 0 resolved, 0 new, 0 changed · between the captures: 1 finding/);
      await screenshot(page, 'recapture-01-underlay-drops-tunnel');
    } finally {
      await labHeal('underlay-drops-tunnel');
    }
  });
});
