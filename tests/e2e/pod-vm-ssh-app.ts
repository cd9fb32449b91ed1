/**
 * The built server against the test API server (tests/cluster/test-apiserver.ts), a worker and its peer pod's VM as
 * kernel hosts with a real sshd in the VM (tests/cluster/pod-vm-lab.ts), and Chromium: what the Chromium tests of SSH
 * to pod VMs share. The cluster holds the key's Secret (tunnelscope/pod-vm-ssh) and a known_hosts ConfigMap
 * (tunnelscope/pod-vm-known-hosts); the server has no SSH settings of its own, so SSH is only what a page chooses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildPodVmLab, type PodVmLab } from '../cluster/pod-vm-lab';
import { TestApiServer } from '../cluster/test-apiserver';
import { launchChromium } from './browser';
import { startApp, VIEWPORT, type RunningApp } from './server';

const SA_TOKEN = 'dashboard-sa-token';

export interface PodVmSshApp {
  lab: PodVmLab;
  api: TestApiServer;
  app: RunningApp;
  page: Page;
  stop(): Promise<void>;
}

/** `prefix` names the kernel namespaces and the cluster; `slot` picks the lab's /30 (tests/cluster/pod-vm-lab.ts). */
async function startPodVmSshApp(prefix: string, slot: number): Promise<PodVmSshApp> {
  let lab: PodVmLab | undefined;
  let api: TestApiServer | undefined;
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}kubeconfig-`));
  const stop = async (): Promise<void> => {
    await browser?.close();
    await app?.stop();
    await api?.stop();
    await lab?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    lab = await buildPodVmLab(prefix, slot);
    api = new TestApiServer({ tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:tunnelscope' } }, execPrefix: lab.execPrefix });
    await api.start();
    lab.populate(api);
    api.addSecret('tunnelscope', 'pod-vm-ssh', { 'ssh-privatekey': lab.sshd.clientKey });
    api.addConfigMap('tunnelscope', 'pod-vm-known-hosts', { known_hosts: `${lab.sshd.knownHostsLine}\n` });
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'lab', cluster: `${prefix}cluster`, token: SA_TOKEN }));
    app = await startApp({ env: { KUBECONFIG: kubeconfig, TUNNELSCOPE_DEFAULT_SOURCE: 'sample' } });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: VIEWPORT });
    return { lab, api, app, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Started before the calling suite's tests and stopped after them; its tests read it through the returned function. */
export function podVmSshAppForSuite(prefix: string, slot: number): () => PodVmSshApp {
  let running: PodVmSshApp | undefined;
  beforeAll(async () => {
    running = await startPodVmSshApp(prefix, slot);
  }, 600_000);
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error('the server, test API server and pod VM lab did not start');
    return running;
  };
}
