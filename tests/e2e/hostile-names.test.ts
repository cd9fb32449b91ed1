/**
 * The incident page and the embed of a snapshot whose namespaces and devices carry `<script>`, `<img onerror>`,
 * quotes and shell payloads (real kernel devices, tests/helpers/hostile-host.ts), opened in real Chromium: the names
 * show as text, no script of theirs runs, and the fix shown is the quoted command.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotMeta, SnapshotView } from '@/lib/snapshot/types';
import { NODE, startHostileCluster, VM_HOSTNAME, type HostileCluster } from '../helpers/hostile-cluster';
import { buildHostileHost, collectHostileHost, DEV_SCRIPT, NS_SUBST, removeHostileHost } from '../helpers/hostile-host';
import { createSnapshot, getJson, graphReady, POLL } from './browser';
import { closeSession, openSession, type RunningApp } from './server';

let app: RunningApp;
let browser: Browser;
let page: Page;
let meta: SnapshotMeta;
let view: SnapshotView;
let cluster: HostileCluster;
/** The same names collected through the cluster path, with a hostile node name, pod VM host name and annotations. */
let clusterMeta: SnapshotMeta;
let clusterView: SnapshotView;
const dialogs: string[] = [];

/** Anything a hostile name could make the page run reports itself here. */
const TRIPWIRE = `
  window.__ran = [];
  for (const name of ['alert', 'confirm', 'prompt']) window[name] = (m) => { window.__ran.push(name + ':' + m); };
`;

beforeAll(async () => {
  buildHostileHost();
  const bundle = await collectHostileHost();
  ({ app, browser, page } = await openSession());
  meta = await createSnapshot(app.url, bundle, `<img src=x onerror=alert(1)> ${NS_SUBST}`);
  view = await getJson<SnapshotView>(`${app.url}/api/snapshots/${meta.id}`);
  cluster = await startHostileCluster();
  clusterMeta = await createSnapshot(app.url, await cluster.capture('agent', true), NODE);
  clusterView = await getJson<SnapshotView>(`${app.url}/api/snapshots/${clusterMeta.id}`);
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(TRIPWIRE);
}, 600_000);

afterAll(async () => {
  await closeSession({ app, browser });
  await cluster?.stop();
  removeHostileHost();
});

async function ranNothing(p: Page): Promise<void> {
  expect(await p.evaluate(() => (window as unknown as { __ran: string[] }).__ran)).toEqual([]);
  expect(dialogs).toEqual([]);
  const injected = await p.evaluate(() => ({
    scripts: [...document.querySelectorAll('script')].filter((s) => (s.textContent ?? '').includes('alert(1)')).length,
    images: document.querySelectorAll('img[src="x"]').length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  expect(injected).toEqual({ scripts: 0, images: 0, handlers: 0 });
}

describe('hostile names in real Chromium', () => {
  it('the incident page shows the names as text and runs none of their script, rendered and then kept', async () => {
    // The render allows its scripts by a nonce, the kept page by their hashes: the names run under neither.
    for (const policy of [/'nonce-/, /script-src 'self' 'sha256-/]) {
      const response = await page.goto(`${app.url}/s/${meta.id}`);
      expect(response?.headers()['content-security-policy']).toMatch(policy);
      await graphReady(page);
      const titles = await page.locator('[data-testid="finding"]').allTextContents();
      expect(titles.some((t) => t.includes(DEV_SCRIPT))).toBe(true);
      await expect.poll(() => page.locator('body').innerText(), POLL).toContain('<img src=x onerror=alert(1)>');
      await ranNothing(page);
    }
  });

  it('shows the fix of the link-down finding as the quoted command', async () => {
    const finding = view.findings.find((f) => f.rule === 'link-down-or-no-carrier');
    expect(finding?.fix).toEqual(["ip netns exec 'h20-ts$(touch${IFS}PWNED1)x' ip link set 'e`id`' up"]);
    await page.locator('[data-testid="finding"][data-rule="link-down-or-no-carrier"]').first().click();
    await expect.poll(() => page.locator('[data-testid="fix-commands"]').first().textContent(), POLL).toBe(finding?.fix?.join('\n'));
    await ranNothing(page);
  });

  it('the embed shows the same graph without running their script', async () => {
    await page.goto(`${app.url}/embed/${meta.id}?tab=graph`);
    await graphReady(page);
    await ranNothing(page);
  });
});

describe('hostile names through the cluster path in real Chromium', () => {
  it('the incident page shows the node and pod VM names as text and runs none of their script', async () => {
    await page.goto(`${app.url}/s/${clusterMeta.id}`);
    await graphReady(page);
    await expect.poll(() => page.locator('body').innerText(), POLL).toContain(NODE);
    expect(clusterView.meta.hosts).toEqual(expect.arrayContaining([NODE, VM_HOSTNAME]));
    await ranNothing(page);
  });

  it("shows the flannel finding's kubectl lines with the node name quoted", async () => {
    const finding = clusterView.findings.find((f) => f.rule === 'flannel-annotation-mismatch');
    expect(finding?.fix?.[0]).toMatch(/^kubectl annotate node 'h25-\$\(touch\$\{IFS\}PWG1\)'\\''"<script>alert\(1\)<\/script>' --overwrite /);
    await page.locator('[data-testid="finding"][data-rule="flannel-annotation-mismatch"]').first().click();
    await expect.poll(() => page.locator('[data-testid="fix-commands"]').allTextContents(), POLL).toContainEqual(expect.stringContaining(finding?.fix?.[0] ?? '-'));
    await ranNothing(page);
  });

  it('the embed shows the same graph without running their script', async () => {
    await page.goto(`${app.url}/embed/${clusterMeta.id}?tab=graph`);
    await graphReady(page);
    await ranNothing(page);
  });
});
