/**
 * The live view's source switch in real Chromium: the built server with no lab running (a lab directory of its own,
 * empty) and a kubeconfig for the test API server of the cluster tests (tests/cluster/test-apiserver.ts), whose exec
 * runs the collector on two kernel hosts built here (prefix lss-) through their node agents. The nav's "Live" opens
 * the lab's view; the switch offers this machine and the cluster too, and the cluster, picked with the new-snapshot
 * panel's fields, shows its nodes live with its choices in the link.
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { agentPodObject } from '../cluster/test-apiserver';
import { graphReady, POLL, screenshot } from './browser';
import { clusterAppForSuite } from './cluster-app';

describe("the live view's source switch", () => {
  const suite = clusterAppForSuite({
    prefix: 'lss-',
    api: (hosts) => ({ execPrefix: (pod) => hosts.hosts.find((h) => h.name === pod.spec?.nodeName)?.enter ?? null }),
    populate: (api) => {
      api.addPod(agentPodObject('agent-a', 'node-a', '192.168.10.1'));
      api.addPod(agentPodObject('agent-b', 'node-b', '192.168.10.2'));
    },
    // A lab directory nothing was ever written to: no lab runs for this server, whatever this machine's lab does.
    env: { TUNNELSCOPE_LAB_DIR: path.join(os.tmpdir(), `lss-no-lab-${process.pid}`), TUNNELSCOPE_DEFAULT_SOURCE: 'sample' },
  });

  it("switches from the lab's live view to the cluster, picked with its choices, and shows its nodes", async () => {
    const { app, page } = suite();
    await page.goto(app.url);
    await page.getByRole('navigation').getByRole('link', { name: 'Live', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/live');
    const refused = page.getByRole('alert').filter({ hasText: 'No lab is running' });
    await refused.waitFor(POLL);

    const switcher = page.getByTestId('live-source');
    await expect.poll(() => switcher.locator('[data-testid^="live-source-"]').allInnerTexts(), POLL).toEqual(['Lab', 'This server', 'Kubernetes cluster']);
    expect(await switcher.getByTestId('live-source-lab').getAttribute('aria-current')).toBe('page');
    expect(await switcher.getByTestId('live-source-local').getAttribute('href')).toBe('/live?source=local');
    expect(await page.getByTestId('live-cluster-choices').count()).toBe(0);

    await switcher.getByTestId('live-source-kube').click();
    const choices = page.getByTestId('live-cluster-choices');
    await choices.waitFor(POLL);
    expect(await choices.getAttribute('open')).not.toBeNull();
    expect(await switcher.getByTestId('live-source-kube').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => choices.getByTestId('cluster-context').inputValue(), POLL).toBe('test');
    await choices.getByTestId('cluster-nodes').fill('node-a, node-b');

    const answered = page.waitForResponse((r) => r.url().includes('/api/live?') && r.url().includes('source=kube'), { timeout: 120_000 });
    await choices.getByTestId('live-apply').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    const view = (await response.json()) as SnapshotView;
    expect(view.meta.cluster).toBe('lss-cluster');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ source: 'kube', context: 'test', mode: 'agent', nodes: 'node-a,node-b' });

    await graphReady(page);
    for (const node of ['node-a', 'node-b']) await page.locator(`[data-testid="device-item"][data-id="host:${node}"]`).waitFor(POLL);
    expect(await page.getByTestId('live-cluster-choices').locator('summary').innerText()).toBe('Cluster choices: test, agent');
    // No lab runs: off the lab's own view, it is offered greyed, with the reason.
    const lab = switcher.getByTestId('live-source-lab');
    expect([await lab.isDisabled(), await lab.getAttribute('title')]).toEqual([true, 'No lab is running. Start one with: tunnelscope lab up']);
    await screenshot(page, 'live-source-switch-cluster');

    // The way back is the link before: the lab's view, without the cluster's choices.
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/live' && url.search === '');
    await refused.waitFor(POLL);
    expect(await switcher.getByTestId('live-source-lab').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('live-cluster-choices').count()).toBe(0);
  }, 240_000);
});
