/**
 * A cluster collection from the dashboard, followed host by host in real Chromium: the built server against the
 * test API server (tests/cluster/test-apiserver.ts), reaching two kernel hosts (prefix cpj-) through debug pods.
 * node-b's debug pod never answers, so the page shows node-a done and node-b running until Cancel stops it; the
 * debug pod is then gone from the cluster and a partial snapshot of node-a is kept. With node-b answering, the page
 * goes to the new snapshot by itself. Leaving the page while the job runs and coming back finds it again.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { DEBUG_LABELS } from '@/lib/kube/debug-pod';
import type { ExecBehaviour, TestObject } from '../cluster/test-apiserver';
import { POLL, screenshot } from './browser';
import { clusterAppForSuite } from './cluster-app';

describe('a cluster collection followed and cancelled on the dashboard', () => {
  const hanging = new Set<string>();
  const suite = clusterAppForSuite({
    prefix: 'cpj-',
    api: (hosts) => ({
      // A debug pod shares the host's PID namespace: its PID 1 is the host's, which nsenter -t 1 enters.
      execPrefix: (pod) => {
        const prefix = hosts.hosts.find((h) => h.name === pod.spec?.nodeName)?.enter;
        return prefix ? [...prefix, 'unshare', '--pid', '--fork', '--mount-proc'] : null;
      },
      execBehaviour: (pod): ExecBehaviour => (hanging.has(String(pod.spec?.nodeName)) ? { kind: 'hang' } : { kind: 'run' }),
    }),
    env: { TUNNELSCOPE_DEFAULT_SOURCE: 'sample' },
  });

  const debugPods = (): TestObject[] => [...suite().api.pods.values()].filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === DEBUG_LABELS['app.kubernetes.io/component']);
  const hostRow = (name: string, state: string) => `[data-testid="collection-host"][data-host="${name}"][data-state="${state}"]`;

  async function startFromDashboard(): Promise<void> {
    const { app, page } = suite();
    await page.goto(app.url);
    await page.getByLabel('a debug pod per node').check();
    await page.getByTestId('new-cluster-snapshot').click();
  }

  it('shows each host as it goes, and Cancel stops the hanging one, removes its debug pod and keeps what was collected', async () => {
    const { api, app, page } = suite();
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
    const { app, page } = suite();
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
