/**
 * The built server with a kubeconfig for the test API server of the cluster tests (tests/cluster/test-apiserver.ts),
 * whose exec runs the collector on two kernel hosts built here (node-a and node-b, one pod namespace each, named with
 * the suite's prefix), and Chromium on it: what the Chromium tests of a cluster collection share.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildHosts, type TestHosts } from '../cluster/hosts';
import { nodeObject, TestApiServer, type TestApiServerOptions } from '../cluster/test-apiserver';
import { launchChromium } from './browser';
import { startApp, VIEWPORT, type RunningApp } from './server';

const SA_TOKEN = 'dashboard-sa-token';

export interface ClusterApp {
  hosts: TestHosts;
  api: TestApiServer;
  app: RunningApp;
  page: Page;
}

export interface ClusterAppSetup {
  /** Names the kernel namespaces and the cluster (`${prefix}cluster`, context `test`). */
  prefix: string;
  /** How the test API server's exec reaches the hosts; the dashboard's token is added. */
  api(hosts: TestHosts): Omit<TestApiServerOptions, 'tokens'>;
  /** What the cluster holds besides its nodes (the agent's pods). */
  populate?(api: TestApiServer): void;
  /** The server's settings besides KUBECONFIG. */
  env?: Record<string, string>;
}

async function startClusterApp(setup: ClusterAppSetup): Promise<ClusterApp & { stop(): Promise<void> }> {
  let hosts: TestHosts | undefined;
  let api: TestApiServer | undefined;
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${setup.prefix}kubeconfig-`));
  const stop = async (): Promise<void> => {
    await browser?.close();
    await app?.stop();
    await api?.stop();
    await hosts?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    hosts = await buildHosts(
      [
        { name: 'node-a', role: 'worker', pods: { [`${setup.prefix}web`]: '10.244.1.10/24' } },
        { name: 'node-b', role: 'worker', pods: { [`${setup.prefix}db`]: '10.244.2.10/24' } },
      ],
      setup.prefix,
    );
    api = new TestApiServer({ tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:dashboard' } }, ...setup.api(hosts) });
    await api.start();
    api.nodes.push(nodeObject('node-a', '192.168.10.1', '10.244.1.0/24'), nodeObject('node-b', '192.168.10.2', '10.244.2.0/24'));
    setup.populate?.(api);
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'test', cluster: `${setup.prefix}cluster`, token: SA_TOKEN }));
    app = await startApp({ env: { KUBECONFIG: kubeconfig, ...setup.env } });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: VIEWPORT });
    return { hosts, api, app, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Started before the calling suite's tests and stopped after them; its tests read it through the returned function. */
export function clusterAppForSuite(setup: ClusterAppSetup): () => ClusterApp {
  let running: (ClusterApp & { stop(): Promise<void> }) | undefined;
  beforeAll(async () => {
    running = await startClusterApp(setup);
  }, 600_000);
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error('the server, test API server and kernel hosts did not start');
    return running;
  };
}
