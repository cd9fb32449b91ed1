/**
 * The live view of a cluster with SSH to pod VMs chosen on its own form, in real Chromium: the built server against
 * the test API server (tests/cluster/test-apiserver.ts), a worker and its peer pod's VM as kernel hosts with a real
 * sshd in the VM (tests/cluster/pod-vm-lab.ts). The cluster panel's choices open the live view; a name that is no
 * Kubernetes name comes back as the server's 400 there, is mended on the live view's form, and the view then shows
 * the VM reached over SSH with the key Secret and the known_hosts ConfigMap named on it.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { graphReady, POLL, screenshot } from './browser';
import { podVmSshAppForSuite } from './pod-vm-ssh-app';

const KEY_SECRET = 'Key Secret (ssh-privatekey)';
const CONFIGMAP = 'known_hosts ConfigMap';

describe('SSH to pod VMs chosen for the live view of a cluster', () => {
  // Another /30 and uplink than the other pod VM suites', whatever the process ids.
  const suite = podVmSshAppForSuite('h16l-', process.pid + 137);

  it("opens the live view with the cluster panel's SSH choices, and shows there the server refusing a name that is no Secret name", async () => {
    const { api, app, page } = suite();
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
    const { lab, api, page } = suite();
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
