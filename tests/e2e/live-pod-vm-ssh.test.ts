/**
 * The live view of a cluster with SSH to pod VMs chosen on its own form, in real Chromium: the built server against
 * the test API server (tests/cluster/test-apiserver.ts), a worker and its peer pod's VM as kernel hosts with a real
 * sshd in the VM (tests/cluster/pod-vm-lab.ts). The cluster panel's choices open the live view; a name that is no
 * Kubernetes name comes back as the server's 400 there, is mended on the live view's form, and the view then shows
 * the VM reached over SSH with the key Secret and the known_hosts ConfigMap named on it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { buildPodVmLab, type PodVmLab } from '../cluster/pod-vm-lab';
import { TestApiServer } from '../cluster/test-apiserver';
import { graphReady, launchChromium, POLL, screenshot } from './browser';
import { startApp, VIEWPORT, type RunningApp } from './server';

const SA_TOKEN = 'dashboard-sa-token';
const KEY_SECRET = 'Key Secret (ssh-privatekey)';
const CONFIGMAP = 'known_hosts ConfigMap';

describe('SSH to pod VMs chosen for the live view of a cluster', () => {
  let lab: PodVmLab;
  let api: TestApiServer;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    // Another /30 and uplink than the other pod VM suites', whatever the process ids.
    lab = await buildPodVmLab('h16l-', process.pid + 137);
    api = new TestApiServer({ tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:tunnelscope' } }, execPrefix: lab.execPrefix });
    await api.start();
    lab.populate(api);
    api.addSecret('tunnelscope', 'pod-vm-ssh', { 'ssh-privatekey': lab.sshd.clientKey });
    api.addConfigMap('tunnelscope', 'pod-vm-known-hosts', { known_hosts: `${lab.sshd.knownHostsLine}\n` });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h16l-kubeconfig-'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'lab', cluster: 'h16l-cluster', token: SA_TOKEN }));
    app = await startApp({ env: { KUBECONFIG: kubeconfig, TUNNELSCOPE_DEFAULT_SOURCE: 'sample' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await api?.stop();
    await lab?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("opens the live view with the cluster panel's SSH choices, and shows there the server refusing a name that is no Secret name", async () => {
    await page.goto(app.url);
    await page.getByLabel('Also reach peer-pod VMs').check();
    await page.getByLabel('SSH into each pod VM', { exact: false }).check();
    await page.getByLabel(KEY_SECRET).fill('Tunnelscope/pod-vm-ssh');
    await page.getByLabel('a ConfigMap (its known_hosts key)').check();
    await page.getByLabel(CONFIGMAP).fill('tunnelscope/pod-vm-known-hosts');
    await page.getByTestId('cluster-live').click();
    await page.waitForURL(/\/live\?/);
    const link = new URL(page.url()).searchParams;
    expect(Object.fromEntries(link)).toMatchObject({
      source: 'kube',
      context: 'lab',
      podVms: '1',
      'podVmSsh.keySecret': 'Tunnelscope/pod-vm-ssh',
      'podVmSsh.knownHostsConfigMap': 'tunnelscope/pod-vm-known-hosts',
    });

    const refused = page.getByRole('alert').filter({ hasText: 'podVmSsh.keySecret' });
    await refused.waitFor(POLL);
    expect(await refused.innerText()).toContain("podVmSsh.keySecret: names a Secret as NAMESPACE/NAME: lowercase letters, digits and '-'");
    // The live view's own form is open where the choice was refused, filled in as the link says.
    const choices = page.getByTestId('live-cluster-choices');
    expect(await choices.getAttribute('open')).not.toBeNull();
    expect(await choices.getByLabel(KEY_SECRET).inputValue()).toBe('Tunnelscope/pod-vm-ssh');
    expect(await choices.getByLabel(CONFIGMAP).inputValue()).toBe('tunnelscope/pod-vm-known-hosts');
    expect(await choices.getByTestId('cluster-context').inputValue()).toBe('lab');
    await screenshot(page, 'live-pod-vm-ssh-refused');
    expect(api.requests.some((r) => r.path.includes('/secrets/') || r.path.includes('/configmaps/'))).toBe(false);
  });

  it('reaches the pod VM over SSH, live, with the key Secret and the known_hosts ConfigMap named on its form', async () => {
    const choices = page.getByTestId('live-cluster-choices');
    await choices.getByLabel(KEY_SECRET).fill('tunnelscope/pod-vm-ssh');
    const answered = page.waitForResponse((r) => r.url().includes('/api/live?') && r.url().includes('podVmSsh.keySecret=tunnelscope%2Fpod-vm-ssh'), { timeout: 180_000 });
    await choices.getByTestId('live-apply').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    const view = (await response.json()) as SnapshotView;
    const vm = view.topology.nodes.find((n) => n.kind === 'host' && n.host === 'vm-1');
    expect(vm?.podVm).toMatchObject({ pod: 'shop/peer-1', worker: 'worker-1', reachedBy: 'ssh' });
    expect(vm?.podVm?.unreached).toBeUndefined();
    expect(new URL(page.url()).searchParams.get('podVmSsh.keySecret')).toBe('tunnelscope/pod-vm-ssh');

    await graphReady(page);
    await page.click('[data-testid="device-item"][data-id="host:vm-1"]');
    const inspector = page.locator('[data-testid="inspector"][data-id="host:vm-1"]');
    await inspector.waitFor(POLL);
    expect(await inspector.innerText()).toMatch(/Reached by\s+ssh/);
    // Selecting is view state: the link still names the cluster and its choices.
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({ source: 'kube', 'podVmSsh.keySecret': 'tunnelscope/pod-vm-ssh', sel: 'host:vm-1' });
    await screenshot(page, 'live-pod-vm-ssh-reached');

    const read = api.requests.filter((r) => r.method === 'GET' && /\/(secrets|configmaps)\//.test(r.path)).map((r) => r.path);
    expect(new Set(read)).toEqual(new Set(['/api/v1/namespaces/tunnelscope/secrets/pod-vm-ssh', '/api/v1/namespaces/tunnelscope/configmaps/pod-vm-known-hosts']));
    // The key went from the Secret to the SSH client only: the live answer does not hold it.
    expect(JSON.stringify(view)).not.toContain(lab.sshd.clientKey.split('\n')[1]);
  }, 240_000);
});
