import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PODVM, POD_IP, POD_MAC, VM_MAC, VXLAN0_ID, peerPodBundle } from './peerpod-bundle';
import { startApp, type RunningApp } from './server';

const SHOTS = path.resolve(__dirname, '../../test-results/e2e');

let app: RunningApp;
let browser: Browser;
let page: Page;
let snapshotId: string;

async function shot(name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function graphReady(): Promise<void> {
  await page.waitForSelector('[data-testid="topology-canvas"][data-ready="true"]', { timeout: 30_000 });
}

beforeAll(async () => {
  app = await startApp();
  const response = await fetch(`${app.url}/api/snapshots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bundle: peerPodBundle() }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { meta?: { id: string }; snapshot?: { id: string } };
  snapshotId = (created.meta ?? created.snapshot)?.id ?? '';
  expect(snapshotId).not.toBe('');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('snapshot dashboard in Chromium', () => {
  it('lists the peer-pod MAC mismatch among the findings', async () => {
    await page.goto(`${app.url}/s/${snapshotId}`);
    await graphReady();
    const finding = page.locator('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]');
    await expect(finding.count()).resolves.toBe(1);
    await expect(finding.innerText()).resolves.toContain('critical');
    await shot('01-dashboard');
  });

  it('clicking the finding selects vxlan0 on the pod VM and shows evidence and fix', async () => {
    await page.click('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]');
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    await expect(page.getAttribute('[data-testid="topology-canvas"]', 'data-selected')).resolves.toBe(VXLAN0_ID);
    const url = new URL(page.url());
    expect(url.searchParams.get('sel')).toBe(VXLAN0_ID);
    expect(url.searchParams.get('focus')).toContain(VXLAN0_ID);
    await expect(page.locator('[data-testid="finding-detail"]').innerText()).resolves.toContain(VM_MAC);
    await expect(page.locator(`[data-testid="device-item"][data-id="${VXLAN0_ID}"]`).getAttribute('aria-current')).resolves.toBe('true');
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
    await graphReady();
    await page.waitForSelector(`[data-testid="inspector"][data-id="${VXLAN0_ID}"]`);
    expect(page.url()).toBe(before);
    await expect(page.getAttribute('[data-testid="topology-canvas"]', 'data-selected')).resolves.toBe(VXLAN0_ID);
    await expect(page.locator('[data-testid="finding"][aria-expanded="true"]').getAttribute('data-rule')).resolves.toBe('peerpod-podvm-mac-mismatch');
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

  it('the embed page draws the same graph without the panels', async () => {
    await page.goto(`${app.url}/embed/${snapshotId}?sel=${encodeURIComponent(VXLAN0_ID)}`);
    await graphReady();
    await expect(page.locator('[data-testid="findings"]').count()).resolves.toBe(0);
    await expect(page.getAttribute('[data-testid="topology-canvas"]', 'data-selected')).resolves.toBe(VXLAN0_ID);
    await shot('05-embed');
  });
});
