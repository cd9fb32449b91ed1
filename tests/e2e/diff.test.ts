import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotDiff } from '@/lib/diff/diff';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { BROKEN_MAC, FIXED_MAC, MAC_RULE, VXLAN0_ID, fixedIncidentBundle, incidentBundle, tunnelSentMoreBundle } from '../helpers/incident-sample';
import { createSnapshot, getJson, graphReady, screenshot, POLL } from './browser';
import { VIEWPORT, closeSession, openSession, type RunningApp } from './server';

let app: RunningApp;
let browser: Browser;
let page: Page;
let broken: SnapshotMeta;
let fixed: SnapshotMeta;

const diffUrl = () => `${app.url}/diff?a=${broken.id}&b=${fixed.id}`;

beforeAll(async () => {
  ({ app, browser, page } = await openSession());
  broken = await createSnapshot(app.url, incidentBundle(), 'nginx-priv unreachable');
  fixed = await createSnapshot(app.url, fixedIncidentBundle(), 'after setting vxlan0 MAC');
}, 600_000);

afterAll(() => closeSession({ app, browser }));

describe('diff of the peer-pod incident before and after the fix, in Chromium', () => {
  it('marks vxlan0 on the pod VM changed, with iface.mac old → new', async () => {
    await page.goto(diffUrl());
    await graphReady(page);
    const row = page.locator(`[data-testid="diff-element"][data-id="${VXLAN0_ID}"]`);
    await expect.poll(() => row.getAttribute('data-status'), POLL).toBe('changed');
    const mac = page.locator(`li:has([data-id="${VXLAN0_ID}"]) [data-testid="field-change"][data-field="iface.mac"]`);
    const text = await mac.innerText();
    expect(text.indexOf(BROKEN_MAC)).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(FIXED_MAC)).toBeGreaterThan(text.indexOf(BROKEN_MAC));
    await expect.poll(() => mac.locator('del').innerText(), POLL).toBe(BROKEN_MAC);
    await expect.poll(() => mac.locator('ins').innerText(), POLL).toBe(FIXED_MAC);
    await screenshot(page, 'diff-01-mac-fix');
  });

  it('marks the same vxlan0 changed on the graph, as the device list names it', async () => {
    const item = page.locator(`[data-testid="device-item"][data-id="${VXLAN0_ID}"]`);
    await expect.poll(() => item.getAttribute('aria-label'), POLL).toMatch(/^~ vxlan0: .*\bchanged\b/);
    const marked = await page
      .locator('[data-testid="device-item"]')
      .evaluateAll((rows) => rows.filter((r) => /\b(added|removed|changed)$/.test(r.getAttribute('aria-label') ?? '')).map((r) => r.getAttribute('data-id')));
    expect(marked).toEqual([VXLAN0_ID]);
  });

  it('lists the peerpod-podvm-mac-mismatch finding as resolved and no new one', async () => {
    const findings = page.locator('[data-testid="diff-finding"]');
    await expect.poll(() => findings.count(), POLL).toBe(1);
    await expect.poll(() => findings.getAttribute('data-rule'), POLL).toBe(MAC_RULE);
    await expect.poll(() => findings.getAttribute('data-status'), POLL).toBe('resolved');
    await expect.poll(() => findings.innerText(), POLL).toMatch(/resolved/);
  });

  it('lists exactly the elements and findings that the diff API names', async () => {
    const api = await getJson<SnapshotDiff>(`${app.url}/api/diff?a=${broken.id}&b=${fixed.id}`);
    const fromApi = [api.nodes, api.edges].flatMap((s) => [...s.added.map((x) => x.id), ...s.removed.map((x) => x.id), ...s.changed.map((c) => c.id)]);
    const shown = await page.locator('[data-testid="diff-element"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(shown.sort()).toEqual(fromApi.sort());
    const rules = await page.locator('[data-testid="diff-finding"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
    expect(rules).toEqual([...api.findings.removed, ...api.findings.added, ...api.findings.changed.map((c) => c.after)].map((f) => f.rule));
  });

  it('selection and "Changes only" live in the URL, and the link reopens the same view in a new tab', async () => {
    await page.click(`[data-testid="diff-element"][data-id="${VXLAN0_ID}"]`);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    expect(new URL(page.url()).searchParams.get('sel')).toBe(VXLAN0_ID);
    const whole = await page.locator('[data-testid="device-item"]').count();
    await page.click('[data-testid="show-changes"]');
    await page.waitForURL((url) => url.searchParams.get('show') === 'changes');
    await graphReady(page);
    await expect.poll(() => page.locator('[data-testid="device-item"]').count(), POLL).toBeLessThan(whole);
    const link = page.url();
    const fresh = await browser.newPage({ viewport: VIEWPORT });
    await fresh.goto(link);
    await graphReady(fresh);
    await fresh.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    await expect.poll(() => fresh.getAttribute('[data-testid="topology-canvas"]', 'data-selected'), POLL).toBe(VXLAN0_ID);
    await expect.poll(() => fresh.locator('[data-testid="show-changes"]').getAttribute('aria-pressed'), POLL).toBe('true');
    await screenshot(fresh, 'diff-02-changes-only-selected');
    await fresh.close();
  });

  it('re-diagnosing both with the current rules still shows the finding resolved, and says so in the URL', async () => {
    await page.goto(diffUrl());
    await graphReady(page);
    await page.click('[data-testid="rules-current"]');
    await page.waitForURL((url) => url.searchParams.get('rules') === 'current');
    await page.waitForSelector(`[data-testid="diff-finding"][data-rule="${MAC_RULE}"][data-status="resolved"]`);
    await expect.poll(() => page.locator('[data-testid="rules-current"]').getAttribute('aria-pressed'), POLL).toBe('true');
  });

  it('names the problem when a snapshot of the pair does not exist', async () => {
    await page.goto(`${app.url}/diff?a=${broken.id}&b=AAAAAAAAAAAAAAAAAAAAAA`);
    // Next.js keeps an empty role=alert route announcer on every page.
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load' });
    await alert.waitFor();
    await expect.poll(() => alert.innerText(), POLL).toMatch(/^Could not load the comparison: Snapshot AAAAAAAAAAAAAAAAAAAAAA does not exist/);
  });

  it('Compare… on either snapshot opens the diff from the earlier to the later', async () => {
    for (const from of [broken, fixed]) {
      await page.goto(`${app.url}/s/${from.id}`);
      await page.waitForSelector('[data-testid="compare-link"]');
      if (from === broken) await screenshot(page, 'diff-03-compare-control');
      const other = from === broken ? fixed : broken;
      await expect.poll(() => page.locator('[data-testid="compare-select"]').inputValue(), POLL).toBe(other.id);
      await page.click('[data-testid="compare-link"]');
      await page.waitForURL((url) => url.pathname === '/diff');
      const url = new URL(page.url());
      expect([url.searchParams.get('a'), url.searchParams.get('b')]).toEqual([broken.id, fixed.id]);
      await page.waitForSelector(`[data-testid="diff-element"][data-id="${VXLAN0_ID}"]`);
    }
  });
});

describe('counters between two captures of the same devices, in Chromium', () => {
  let later: SnapshotMeta;

  beforeAll(async () => {
    later = await createSnapshot(app.url, tunnelSentMoreBundle(12), 'nginx-priv still unreachable, a minute later');
  });

  it('shows the tunnel that sent while its far end received nothing, with the captures to run, and focuses it on a click', async () => {
    await page.goto(`${app.url}/diff?a=${broken.id}&b=${later.id}`);
    await graphReady(page);
    const row = page.locator('[data-testid="counter-finding"]');
    await expect.poll(() => row.count(), POLL).toBe(1);
    await expect.poll(() => row.getAttribute('data-rule'), POLL).toBe('tunnel-traffic-one-way');
    await expect.poll(() => page.locator('[data-testid="diff-summary"]').innerText(), POLL).toMatch(/between the captures: 1 finding$/);
    await expect.poll(() => row.innerText(), POLL).toMatch(/12 packet\(s\) sent, none received/);
    await expect.poll(() => page.locator('[data-testid="counter-fix"]').innerText(), POLL).toMatch(/tcpdump -ni \S+ -c 20 'udp port \d+/);
    await row.click();
    await page.waitForURL((url) => url.searchParams.getAll('focus').join(',').includes(VXLAN0_ID));
    await screenshot(page, 'diff-04-tunnel-one-way');
    const sender = (await getJson<SnapshotDiff>(`${app.url}/api/diff?a=${broken.id}&b=${later.id}`)).between.findings[0].elements[0];
    await page.click(`[data-testid="device-item"][data-id="${sender}"]`);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${sender}"]`);
    await expect.poll(() => page.locator('[data-testid="inspector"]').innerText(), POLL).toMatch(/Counters between the captures[\s\S]*tx_packets\s+\d+ → \d+ \(\+12\)/i);
  });

  it('says that nothing moved when the counters are the same', async () => {
    await page.goto(diffUrl());
    await graphReady(page);
    await expect.poll(() => page.locator('section[aria-label="Between the captures"]').innerText(), POLL).toMatch(/No tunnel went one way/);
  });

  it('reads a comparison cached before counters were compared (no between) as nothing moved', async () => {
    const { between: _between, ...older } = await getJson<SnapshotDiff>(`${app.url}/api/diff?a=${broken.id}&b=${fixed.id}`);
    await page.route('**/api/diff?*', (route) => route.fulfill({ json: older }));
    try {
      await page.goto(diffUrl());
      await graphReady(page);
      await expect.poll(() => page.locator('section[aria-label="Between the captures"]').innerText(), POLL).toMatch(/No tunnel went one way/);
      await expect.poll(() => page.locator('[data-testid="diff-finding"]').count(), POLL).toBe(1);
    } finally {
      await page.unroute('**/api/diff?*');
    }
  });
});
