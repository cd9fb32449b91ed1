/**
 * SSH to pod VMs chosen on the dashboard's cluster panel, in real Chromium: the built server against the test API
 * server (tests/cluster/test-apiserver.ts), a worker and its peer pod's VM as kernel hosts with a real sshd in the VM
 * (tests/cluster/pod-vm-lab.ts). The form names the key's Secret and a known_hosts ConfigMap; the server reads them
 * through the API and reaches the VM over SSH. A name that is no Kubernetes name comes back as the server's 400.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { POLL, screenshot } from './browser';
import { podVmSshAppForSuite } from './pod-vm-ssh-app';

const NO_CHECK = 'Do not check host keys';
const FROM_CONFIGMAP = 'a ConfigMap (its known_hosts key)';

describe('SSH to pod VMs chosen on the cluster panel', () => {
  // Another /30 and uplink than tests/cluster/pod-vm-ssh.test.ts's, whatever the process ids.
  const suite = podVmSshAppForSuite('h16f-', process.pid + 125);

  it('offers the SSH choices, warns before host keys go unchecked, and shows the server refusing a name that is no Secret name', async () => {
    const { api, app, page } = suite();
    await page.goto(app.url);
    await page.getByLabel('Also reach peer-pod VMs').check();
    await page.getByLabel('SSH into each pod VM', { exact: false }).check();
    const submit = page.getByTestId('new-cluster-snapshot');
    expect(await submit.isDisabled()).toBe(true);

    await page.getByLabel('Key Secret (ssh-privatekey)').fill('Tunnelscope/pod-vm-ssh');
    await page.getByLabel(FROM_CONFIGMAP).check();
    expect(await submit.isDisabled()).toBe(true);
    await page.getByLabel('known_hosts ConfigMap').fill('tunnelscope/pod-vm-known-hosts');
    expect(await submit.isDisabled()).toBe(false);

    // Skipping the check is a box of its own, worked from the keyboard; it shows its warning and sets known_hosts aside.
    await page.getByLabel(NO_CHECK).focus();
    await page.keyboard.press('Space');
    const warning = page.getByRole('alert').filter({ hasText: 'host keys will NOT be checked' });
    await warning.waitFor(POLL);
    expect(await page.getByLabel(FROM_CONFIGMAP).isDisabled()).toBe(true);
    await screenshot(page, 'pod-vm-ssh-no-check-warning');
    await page.keyboard.press('Space');
    await warning.waitFor({ ...POLL, state: 'detached' });
    expect(await page.getByLabel(NO_CHECK).isChecked()).toBe(false);

    await submit.click();
    const refused = page.getByRole('alert').filter({ hasText: 'kube.podVmSsh.keySecret' });
    await refused.waitFor(POLL);
    expect(await refused.innerText()).toContain("kube.podVmSsh.keySecret names a Secret as NAMESPACE/NAME: lowercase letters, digits and '-'");
    expect(api.requests.some((r) => r.path.includes('/secrets/') || r.path.includes('/configmaps/'))).toBe(false);
  });

  it('reaches the pod VM over SSH with the key Secret and the known_hosts ConfigMap named on the form', async () => {
    const { lab, api, app, page } = suite();
    await page.getByLabel('Key Secret (ssh-privatekey)').fill('tunnelscope/pod-vm-ssh');
    await page.getByTestId('new-cluster-snapshot').click();
    await page.waitForURL(/\/s\/[^/?]+/, { timeout: 180_000 });
    const id = new URL(page.url()).pathname.split('/')[2];
    const bundle = (await (await fetch(`${app.url}/api/snapshots/${id}/bundle`)).json()) as CaptureBundle;
    const vm = bundle.hosts.find((h) => h.role === 'podvm');
    expect(vm).toMatchObject({ name: 'vm-1', status: 'complete', podVm: { pod: { namespace: 'shop', name: 'peer-1' }, via: 'ssh', skipped: [] } });
    expect(vm?.podVm?.hostKeyUnchecked).toBeUndefined();
    expect(vm?.namespaces.map((n) => n.netns)).toEqual([null, 'podns']);
    expect(bundle.hosts.find((h) => h.name === 'worker-1')?.status).toBe('complete');
    const read = api.requests.filter((r) => r.method === 'GET' && /\/(secrets|configmaps)\//.test(r.path)).map((r) => r.path);
    expect(read).toEqual(['/api/v1/namespaces/tunnelscope/secrets/pod-vm-ssh', '/api/v1/namespaces/tunnelscope/configmaps/pod-vm-known-hosts']);
    // The key went from the Secret to the SSH client only: nothing stored holds it.
    const keyBody = lab.sshd.clientKey.split('\n')[1];
    expect(JSON.stringify(bundle)).not.toContain(keyBody);
  }, 240_000);
});
