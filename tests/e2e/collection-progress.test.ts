/**
 * A cluster collection from the dashboard, followed host by host in real Chromium: the built server against the
 * test API server (tests/cluster/test-apiserver.ts), reaching two kernel hosts (prefix cpj-) through debug pods.
 * node-b's debug pod never answers, so the page shows node-a done and node-b running until Cancel stops it; the
 * debug pod is then gone from the cluster and a partial snapshot of node-a is kept. With node-b answering, the page
 * goes to the new snapshot by itself. Leaving the page while the job runs and coming back finds it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { DEBUG_LABELS } from '@/lib/kube/debug-pod';
import { buildHosts, type TestHosts } from '../cluster/hosts';
import { nodeObject, TestApiServer, type ExecBehaviour, type TestObject } from '../cluster/test-apiserver';
import { launchChromium, POLL, screenshot } from './browser';
import { startApp, VIEWPORT, type RunningApp } from './server';

const SA_TOKEN = 'dashboard-sa-token';

describe('a cluster collection followed and cancelled on the dashboard', () => {
  let hosts: TestHosts;
  let api: TestApiServer;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const hanging = new Set<string>();

  const debugPods = (): TestObject[] => [...api.pods.values()].filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === DEBUG_LABELS['app.kubernetes.io/component']);
  const hostRow = (name: string, state: string) => `[data-testid="collection-host"][data-host="${name}"][data-state="${state}"]`;

  beforeAll(async () => {
    hosts = await buildHosts(
      [
        { name: 'node-a', role: 'worker', pods: { 'cpj-web': '10.244.1.10/24' } },
        { name: 'node-b', role: 'worker', pods: { 'cpj-db': '10.244.2.10/24' } },
      ],
      'cpj-',
    );
    const enter = (nodeName: unknown) => hosts.hosts.find((h) => h.name === nodeName)?.enter;
    api = new TestApiServer({
      tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:dashboard' } },
      // A debug pod shares the host's PID namespace: its PID 1 is the host's, which nsenter -t 1 enters.
      execPrefix: (pod) => {
        const prefix = enter(pod.spec?.nodeName);
        return prefix ? [...prefix, 'unshare', '--pid', '--fork', '--mount-proc'] : null;
      },
      execBehaviour: (pod): ExecBehaviour => (hanging.has(String(pod.spec?.nodeName)) ? { kind: 'hang' } : { kind: 'run' }),
    });
    await api.start();
    api.nodes.push(nodeObject('node-a', '192.168.10.1', '10.244.1.0/24'), nodeObject('node-b', '192.168.10.2', '10.244.2.0/24'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpj-kubeconfig-'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'test', cluster: 'cpj-cluster', token: SA_TOKEN }));
    app = await startApp({ env: { KUBECONFIG: kubeconfig, TUNNELSCOPE_DEFAULT_SOURCE: 'sample' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await api?.stop();
    await hosts?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startFromDashboard(): Promise<void> {
    await page.goto(app.url);
    await page.getByLabel('a debug pod per node').check();
    await page.getByTestId('new-cluster-snapshot').click();
  }

  it('shows each host as it goes, and Cancel stops the hanging one, removes its debug pod and keeps what was collected', async () => {
    hanging.add('node-b');
    await startFromDashboard();
    await page.waitForSelector(hostRow('node-a', 'done'), { timeout: 60_000 });
    await page.waitForSelector(hostRow('node-b', 'running'), { timeout: 10_000 });
    await expect.poll(() => page.getByTestId('progress').innerText(), POLL).toMatch(/1 of 2 hosts finished · 1 running/);
    expect(await page.getByTestId('progress').getAttribute('aria-live')).toBe('polite');
    expect(debugPods().map((p) => p.spec?.nodeName)).toEqual(['node-b']);
    await screenshot(page, 'collection-progress-running');

    // Leaving the page does not stop the job; coming back in the same tab follows it again.
    await page.goto(`${app.url}/diff`);
    await page.goto(app.url);
    await page.waitForSelector(hostRow('node-b', 'running'), POLL);
    expect(await page.locator(hostRow('node-a', 'done')).count()).toBe(1);
    expect(debugPods().map((p) => p.spec?.nodeName)).toEqual(['node-b']);

    await page.getByRole('button', { name: 'Cancel' }).click();
    const summary = page.getByTestId('collection-cancelled');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.innerText()).toMatch(/Not collected: node-b\.[\s\S]*partial snapshot/);
    await page.waitForSelector(hostRow('node-b', 'failed'), POLL);
    expect(await page.locator(hostRow('node-b', 'failed')).innerText()).toMatch(/cancel/i);
    expect(await page.locator(hostRow('node-a', 'done')).count()).toBe(1);
    expect(await page.getByTestId('collection-cancel').count()).toBe(0);
    // The debug pod is deleted before the job ends; nothing is left on the cluster for the next run to clean up.
    expect(debugPods()).toEqual([]);
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path.includes('/pods/tunnelscope-debug'))).toBe(true);
    await screenshot(page, 'collection-progress-cancelled');

    const href = await page.getByTestId('collection-partial-snapshot').getAttribute('href');
    const id = /^\/s\/(.+)$/.exec(href ?? '')?.[1] ?? '';
    const bundle = (await (await fetch(`${app.url}/api/snapshots/${id}/bundle`)).json()) as CaptureBundle;
    expect(bundle.hosts.map((h) => [h.name, h.status, /cancel/i.test(h.error ?? '')])).toEqual([
      ['node-a', 'complete', false],
      ['node-b', 'failed', true],
    ]);
  });

  it('goes to the new snapshot when every host answers', async () => {
    hanging.clear();
    await startFromDashboard();
    await page.waitForURL(/\/s\/[^/?]+/, { timeout: 90_000 });
    const id = new URL(page.url()).pathname.split('/')[2];
    const bundle = (await (await fetch(`${app.url}/api/snapshots/${id}/bundle`)).json()) as CaptureBundle;
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([
      ['node-a', 'complete'],
      ['node-b', 'complete'],
    ]);
    expect(debugPods()).toEqual([]);
  });
});
