import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterBundle, pairAddress } from './cluster-bundle';
import { PODVM, POD_IP, POD_MAC, VM_MAC, VXLAN0_ID, WORKER, peerPodBundle } from './peerpod-bundle';
import { POLL, artifactPath, createSnapshot, graphReady, screenshot } from './browser';
import { closeSession, openSession, type RunningApp } from './server';
import type { SourceInfo } from '@/lib/capture/source-kinds';

let app: RunningApp;
let browser: Browser;
let page: Page;
let snapshotId: string;

const shot = (name: string): Promise<void> => screenshot(page, name);

beforeAll(async () => {
  ({ app, browser, page } = await openSession());
  snapshotId = (await createSnapshot(app.url, peerPodBundle(), 'peer-pod incident')).id;
}, 600_000);

afterAll(() => closeSession({ app, browser }));

describe('snapshot dashboard in Chromium', () => {
  it('lists the peer-pod MAC mismatch among the findings', async () => {
    await page.goto(`${app.url}/s/${snapshotId}`);
    await graphReady(page);
    const finding = page.locator('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]');
    await expect.poll(() => finding.count(), POLL).toBe(1);
    await expect.poll(() => finding.innerText(), POLL).toContain('critical');
    await shot('01-dashboard');
  });

  it('clicking the finding selects vxlan0 on the pod VM and shows evidence and fix', async () => {
    await page.click('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]');
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    await expect.poll(() => page.getAttribute('[data-testid="topology-canvas"]', 'data-selected'), POLL).toBe(VXLAN0_ID);
    const url = new URL(page.url());
    expect(url.searchParams.get('sel')).toBe(VXLAN0_ID);
    expect(url.searchParams.get('focus')).toContain(VXLAN0_ID);
    await expect.poll(() => page.locator('[data-testid="finding-detail"]').innerText(), POLL).toContain(VM_MAC);
    // The evidence marks the two MACs the finding names where the quoted output holds them.
    const marks = await page.locator('[data-testid="finding-detail"] pre mark').allInnerTexts();
    expect(marks.map((m) => m.toLowerCase())).toEqual(expect.arrayContaining([VM_MAC, POD_MAC]));
    await expect.poll(() => page.locator(`[data-testid="device-item"][data-id="${VXLAN0_ID}"]`).getAttribute('aria-current'), POLL).toBe('true');
    await shot('02-finding-selected');
  });

  it('the inspector shows both the pod VM MAC and the worker pod MAC', async () => {
    const text = await page.locator('[data-testid="inspector"]').innerText();
    expect(text).toContain(VM_MAC);
    expect(text).toContain(POD_MAC);
    expect(text).toContain(PODVM);
  });

  it('reloading the URL reproduces the same view', async () => {
    const before = page.url();
    await page.reload();
    await graphReady(page);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    expect(page.url()).toBe(before);
    await expect.poll(() => page.getAttribute('[data-testid="topology-canvas"]', 'data-selected'), POLL).toBe(VXLAN0_ID);
    await expect.poll(() => page.locator('[data-testid="finding"][aria-expanded="true"]').getAttribute('data-rule'), POLL).toBe('peerpod-podvm-mac-mismatch');
    await shot('03-reloaded');
  });

  it('back goes to the previous view and forward returns', async () => {
    await page.click(`[data-testid="device-item"][data-id="host:${PODVM}"]`);
    await page.waitForSelector(`[data-testid="inspector"][data-id="host:${PODVM}"]`);
    await page.goBack();
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    await page.goForward();
    await page.waitForSelector(`[data-testid="inspector"][data-id="host:${PODVM}"]`);
  });

  it('search finds 10.132.2.46 on the pod VM and the worker', async () => {
    await page.fill('[data-testid="search-input"]', POD_IP);
    await page.press('[data-testid="search-input"]', 'Enter');
    await page.waitForSelector('[data-testid="search-hit"]');
    const ids = await page.locator('[data-testid="search-hit"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));
    expect(ids).toContain(VXLAN0_ID);
    expect(ids.some((id) => id?.startsWith('host:ocp-412-ovn-worker-1/') && id.endsWith('/if:eth0'))).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe(POD_IP);
    await shot('04-search');
  });

  it('exports the view: graph.svg of the selected device, and a PNG drawn from it', async () => {
    await page.click(`[data-testid="device-item"][data-id="${VXLAN0_ID}"]`);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    const svgHref = await page.getAttribute('[data-testid="export-svg"]', 'href');
    expect(new URL(svgHref ?? '', app.url).searchParams.get('focus')).toBe(VXLAN0_ID);
    const svg = await (await fetch(new URL(svgHref ?? '', app.url))).text();
    expect(svg).toContain('vxlan0');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
    expect(download.suggestedFilename()).toBe(`tunnelscope-${snapshotId}.png`);
    await download.saveAs(artifactPath('06-export.png'));
    const png = fs.readFileSync(artifactPath('06-export.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect(png.readUInt32BE(16)).toBeGreaterThan(200);
    expect(png.readUInt32BE(20)).toBeGreaterThan(100);
  });

  it('the embed page draws the same graph without the panels (tab=graph; by default it shows the path)', async () => {
    await page.goto(`${app.url}/embed/${snapshotId}?sel=${encodeURIComponent(VXLAN0_ID)}&tab=graph`);
    await graphReady(page);
    await expect.poll(() => page.locator('[data-testid="findings"]').count(), POLL).toBe(0);
    await expect.poll(() => page.getAttribute('[data-testid="topology-canvas"]', 'data-selected'), POLL).toBe(VXLAN0_ID);
    await shot('05-embed');
  });
});

describe('a 200-host snapshot in Chromium', () => {
  const PAIRS = 100;
  const DRILL = `${WORKER}-7`;
  let bigId: string;
  /** Reads of the whole snapshot (the API without a level): a big snapshot must never need one. */
  const wholeReads: string[] = [];

  beforeAll(async () => {
    bigId = (await createSnapshot(app.url, clusterBundle(PAIRS), `${2 * PAIRS} hosts`)).id;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === `/api/snapshots/${bigId}` && url.search === '') wholeReads.push(url.href);
    });
  }, 120_000);

  it('opens in the overview: one item per host, drawn without reading the whole snapshot', async () => {
    await page.goto(`${app.url}/s/${bigId}`);
    await graphReady(page, 'overview');
    await expect.poll(() => page.locator('[data-testid="device-item"]').count(), POLL).toBe(2 * PAIRS);
    const drill = page.locator(`[data-testid="device-item"][data-id="host:${DRILL}"]`);
    await expect.poll(() => drill.getAttribute('aria-label'), POLL).toMatch(/fault: critical/);
    expect(wholeReads).toEqual([]);
    await shot('06-overview-200-hosts');
  });

  it('drills into one host, lists its devices and inspects one of them', async () => {
    await page.selectOption('[data-testid="host-select"]', DRILL);
    await graphReady(page, 'host');
    expect(new URL(page.url()).searchParams.get('host')).toBe(DRILL);
    const ids = await page.locator('[data-testid="device-item"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id') ?? ''));
    const own = ids.filter((id) => id.startsWith(`host:${DRILL}/`));
    expect(own.length).toBeGreaterThan(3);
    expect(ids).toContain(`host:${PODVM}-7`);
    expect(ids.length).toBeLessThan(20);
    const eth0 = own.find((id) => id.endsWith('/if:eth0'));
    expect(eth0).toBeDefined();
    await page.click(`[data-testid="device-item"][data-id="${eth0}"]`);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${eth0}"]`);
    const inspector = await page.locator('[data-testid="inspector"]').innerText();
    expect(inspector).toContain(POD_MAC.replace(/^(..:..):..:..:/, '$1:00:07:'));
    // The pod VM holds the same address: found in another host's state, which the drill-down cut keeps.
    expect(inspector).toContain(`${PODVM}-7`);
    expect(wholeReads).toEqual([]);
    await shot('07-drill-down');
  });

  it('back returns to the overview', async () => {
    await page.goBack();
    await page.goBack();
    await graphReady(page, 'overview');
    expect(new URL(page.url()).searchParams.get('host')).toBeNull();
  });

  it('search runs on the server and a hit opens its host with the device selected', async () => {
    await page.fill('[data-testid="search-input"]', pairAddress(POD_IP, 7));
    await page.press('[data-testid="search-input"]', 'Enter');
    const hit = page.locator(`[data-testid="search-hit"][data-id^="host:${DRILL}/"]`).first();
    await hit.waitFor();
    const id = (await hit.getAttribute('data-id')) ?? '';
    await hit.click();
    await graphReady(page, 'host');
    expect(new URL(page.url()).searchParams.get('host')).toBe(DRILL);
    await page.waitForSelector(`[data-testid="inspector"][data-id="${id}"]`);
    expect(wholeReads).toEqual([]);
  });

  it('a finding opened from the overview opens its host with the evidence', async () => {
    await page.goto(`${app.url}/s/${bigId}`);
    await graphReady(page, 'overview');
    await page.locator('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]').first().click();
    await graphReady(page, 'host');
    const detail = await page.locator('[data-testid="finding-detail"]').innerText();
    expect(detail).toMatch(/ip -j -d addr show/);
    expect(new URL(page.url()).searchParams.get('focus')).toBeTruthy();
    expect(wholeReads).toEqual([]);
  });
});

describe('the home page in Chromium', () => {
  it('offers the collector script for download, the commands to run it on a host, and the CLI naming this server', async () => {
    await page.goto(app.url);
    const href = await page.locator('[data-testid="collector-download"]').getAttribute('href');
    expect(href).toBe('/tunnelscope-collect.sh');
    const script = await fetch(`${app.url}${href}`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/^#!\/bin\/sh\n# tunnelscope-collect:/);
    await expect.poll(() => page.locator('[data-testid="collector-commands"]').innerText(), POLL).toBe(`curl -fsSLO ${app.url}/tunnelscope-collect.sh\nsh tunnelscope-collect.sh > node1.txt`);
    await expect.poll(() => page.locator('[data-testid="cli-command"]').innerText(), POLL).toBe(`tunnelscope snapshot --source local --server ${app.url}`);
    await shot('00-home');
  });

  it('offers a new snapshot from each source the server says it can capture from now, the cluster in its own panel', async () => {
    await page.goto(app.url);
    const { sources } = (await (await fetch(`${app.url}/api/sources`)).json()) as { sources: SourceInfo[] };
    const expected = sources.filter((s) => s.available && s.kind !== 'kube').map((s) => `new-${s.kind}-snapshot ${s.label}`);
    // The sample ships with Tunnelscope, so there is always one.
    expect(expected).toContain('new-sample-snapshot Bundled sample');
    const offered = page.locator('[data-testid^="new-"][data-testid$="-snapshot"]');
    await expect.poll(() => offered.count(), POLL).toBe(expected.length);
    const shown = await offered.evaluateAll((buttons) => buttons.map((b) => `${b.getAttribute('data-testid')} ${b.textContent}`));
    expect(shown).toEqual(expected);
  });
});
