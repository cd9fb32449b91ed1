/**
 * The kube source against the test API server (tests/cluster/test-apiserver.ts): the real
 * @kubernetes/client-node does discovery and exec, and every exec runs the collector script on a kernel host
 * built by this file (prefix h16-).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import type { CaptureBundle, HostCapture } from '@/lib/capture/types';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import type { LabHost } from '@/lib/lab/types';
import { podNetwork } from '@/lib/lab/peerpod';
import { fileOnHost } from '@/lib/lab/host';
import { loadKubeConfig } from '@/lib/kube/config';
import { discoverCluster } from '@/lib/kube/discover';
import { captureKube, type KubeCaptureOptions } from '@/lib/kube/source';
import type { HostProgress } from '@/lib/sources/source';
import { DEBUG_EXPIRES_ANNOTATION, DEBUG_LABELS } from '@/lib/kube/debug-pod';
import { main } from '@/cli/main';
import { closeStore } from '@/lib/store';
import * as contextsRoute from '@/app/api/kube/contexts/route';
import * as liveRoute from '@/app/api/live/route';
import { BASE, postJson, useDatabase } from '../api/api';
import { collectHostsWithScript } from '../helpers/collect-script';
import { buildHosts, PEER_POD, type TestHosts } from './hosts';
import { grantsOf } from './rbac';
import { TestApiServer, type ExecBehaviour, type Grant, type TestObject, type TokenRule } from './test-apiserver';

const SCRIPT = readFileSync(path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh'), 'utf8');
const AGENT_LABELS = { 'app.kubernetes.io/name': 'tunnelscope-agent' };

const SANDBOX = '9f2c1e0d7a4b';
const DUMMY_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH16dummyKeyNeverToLeaveTheNode\n-----END PRIVATE KEY-----';
const POD_NETWORK = podNetwork(PEER_POD, '192.168.10.1');
const ADAPTOR_RECORD = { 'pod-name': 'peer-1', 'pod-namespace': 'shop', 'pod-network': POD_NETWORK, 'tls-server-key': DUMMY_KEY, 'tls-server-cert': 'CERT' };

let hosts: TestHosts;
let server: TestApiServer;
let dir: string;
let kubeconfig: string;
const behaviours = new Map<string, ExecBehaviour>();
const tokens: Record<string, TokenRule> = {
  'token-admin': { user: 'admin' },
  'token-noexec': { user: 'viewer', deny: ['create pods/exec'] },
  'token-nonodes': { user: 'nobody', deny: ['list nodes'] },
};

function host(name: string): LabHost {
  const found = hosts.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no test host ${name}`);
  return found;
}

function node(name: string, ip: string, cidr: string, annotations: Record<string, string> = {}): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, pool: name === 'node-a' ? 'blue' : 'green' }, annotations },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-test',
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.31.0',
        machineID: '',
        operatingSystem: 'linux',
        systemUUID: '',
      },
    },
  };
}

function pod(namespace: string, name: string, spec: Record<string, unknown>, extra: { labels?: Record<string, string>; ip?: string } = {}): TestObject {
  return {
    metadata: { namespace, name, labels: extra.labels ?? {}, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"x"}' } },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
    status: { phase: 'Running', ...(extra.ip ? { podIP: extra.ip, podIPs: [{ ip: extra.ip }] } : {}) },
  };
}

/** Where a pod's exec runs: agents and debug pods on their node's host, a peer pod in its VM's podns. */
function execPrefix(p: TestObject): readonly string[] | null {
  const nodeName = p.spec?.nodeName as string | undefined;
  if (p.spec?.runtimeClassName === 'kata-remote') return [...host('podvm-1').enter, 'ip', 'netns', 'exec', 'podns'];
  if (!nodeName || !hosts.hosts.some((h) => h.name === nodeName)) return null;
  // A hostPID pod's PID 1 is the node's init: the command starts in a PID namespace whose PID 1 is on the host.
  if (p.spec?.hostPID) return [...host(nodeName).enter, 'unshare', '--pid', '--fork', '--mount-proc'];
  return host(nodeName).enter;
}

function options(extra: Partial<KubeCaptureOptions> = {}): KubeCaptureOptions {
  return { kubeconfig, script: SCRIPT, hostTimeoutMs: 60_000, ...extra };
}

function byName(bundle: CaptureBundle, name: string): HostCapture {
  const found = bundle.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in the bundle (${bundle.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

function debugPodsLeft(): string[] {
  return [...server.pods.values()].filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'node-debug').map((p) => p.metadata.name ?? '');
}

beforeAll(async () => {
  hosts = await buildHosts([
    { name: 'node-a', role: 'worker', pods: { 'cni-web1': '10.244.1.10/24', 'cni-db1': '10.244.1.11/24' } },
    { name: 'node-b', role: 'worker', pods: { 'cni-web2': '10.244.2.10/24' } },
    { name: 'podvm-1', role: 'podvm', pods: { podns: '10.244.1.50/24' } },
  ]);
  // The adaptor's record of a peer pod on its worker: the pod-network part and a (dummy) TLS private key.
  await fileOnHost(host('node-a'), `/run/peerpod/pods/${SANDBOX}/apf.json`, JSON.stringify(ADAPTOR_RECORD));
  server = new TestApiServer({
    tokens,
    execPrefix,
    execBehaviour: (p) => behaviours.get(p.metadata.name ?? '') ?? { kind: 'run' },
  });
  await server.start();
  server.nodes.push(
    node('node-a', '192.168.10.1', '10.244.1.0/24', { 'flannel.alpha.coreos.com/public-ip': '192.168.10.1', 'node.alpha.kubernetes.io/ttl': '0' }),
    node('node-b', '192.168.10.2', '10.244.2.0/24', { 'k8s.ovn.org/node-subnets': '{"default":"10.244.2.0/24"}' }),
  );
  server.addPod(pod('tunnelscope-agent', 'agent-a', { nodeName: 'node-a', hostNetwork: true, hostPID: false }, { labels: AGENT_LABELS, ip: '192.168.10.1' }));
  server.addPod(pod('tunnelscope-agent', 'agent-b', { nodeName: 'node-b', hostNetwork: true }, { labels: AGENT_LABELS, ip: '192.168.10.2' }));
  server.addPod(
    pod('kube-system', 'cilium-x7k2p', { nodeName: 'node-a', hostNetwork: true, containers: [{ name: 'cilium-agent', image: 'cilium' }] }, { labels: { 'k8s-app': 'cilium' }, ip: '192.168.10.1' }),
  );
  const ovnContainers = ['nbdb', 'ovnkube-controller'].map((name) => ({ name, image: 'ovn-kubernetes' }));
  server.addPod(pod('ovn-kubernetes', 'ovnkube-node-q8x2d', { nodeName: 'node-b', hostNetwork: true, containers: ovnContainers }, { labels: { app: 'ovnkube-node' }, ip: '192.168.10.2' }));
  // A workload named like a CNI agent, in the pod network: not the node's CNI.
  server.addPod(pod('shop', 'cilium-demo', { nodeName: 'node-b' }, { ip: '10.244.2.99' }));
  server.addPod(pod('shop', 'web-7c9', { nodeName: 'node-a' }, { ip: '10.244.1.10' }));
  server.addPod(pod('shop', 'db-0', { nodeName: 'node-a' }, { ip: '10.244.1.11' }));
  server.addPod(pod('shop', 'web-2', { nodeName: 'node-b' }, { ip: '10.244.2.10' }));
  server.addPod(pod('shop', 'peer-1', { nodeName: 'node-a', runtimeClassName: 'kata-remote' }, { ip: '10.244.1.50' }));
  dir = mkdtempSync(path.join(os.tmpdir(), 'h16-kube-'));
  kubeconfig = path.join(dir, 'config');
  writeFileSync(kubeconfig, server.kubeconfig({ context: 'admin@lab', cluster: 'test-cluster', token: 'token-admin' }));
});

afterAll(async () => {
  await server?.stop();
  await hosts?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubeconfig', () => {
  it('merges the files of KUBECONFIG as kubectl does and switches context on request', () => {
    const second = path.join(dir, 'second');
    writeFileSync(second, server.kubeconfig({ context: 'viewer@lab', cluster: 'other-cluster', token: 'token-noexec' }));
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', KUBECONFIG: [second, kubeconfig].join(path.delimiter), HOME: dir };
    expect(loadKubeConfig({}, env).getCurrentContext()).toBe('viewer@lab');
    const chosen = loadKubeConfig({ context: 'admin@lab' }, env);
    expect(chosen.getCurrentCluster()?.name).toBe('test-cluster');
    expect(() => loadKubeConfig({ context: 'prod' }, env)).toThrow(/context "prod" is not in the kubeconfig \(known: viewer@lab, admin@lab\)/);
  });
});

describe('discovery', () => {
  it('lists nodes with addresses, pod CIDRs, OS, kernel and CNI, and pods with IPs, nodes and runtime classes', async () => {
    const { cluster } = await discoverCluster(loadKubeConfig({ kubeconfig }), { name: 'test-cluster', peerPodRuntimeClass: 'kata-remote' });
    expect(cluster.nodes).toEqual([
      {
        name: 'node-a',
        internalIPs: ['192.168.10.1'],
        podCIDRs: ['10.244.1.0/24'],
        os: 'Debian GNU/Linux 12 (bookworm)',
        kernel: '6.1.0-test',
        cni: 'cilium',
        // Only what flannel publishes for the other nodes is kept of a node's annotations.
        annotations: { 'flannel.alpha.coreos.com/public-ip': '192.168.10.1' },
      },
      { name: 'node-b', internalIPs: ['192.168.10.2'], podCIDRs: ['10.244.2.0/24'], os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-test', cni: 'ovn-kubernetes' },
    ]);
    expect(cluster.pods.find((p) => p.name === 'peer-1')).toEqual({ namespace: 'shop', name: 'peer-1', ip: '10.244.1.50', nodeName: 'node-a', runtimeClassName: 'kata-remote' });
    // The whole applied manifest in an annotation never enters the cluster context.
    expect(JSON.stringify(cluster)).not.toContain('last-applied-configuration');
  });
});

describe('agent mode', () => {
  it('collects each node through its agent pod with one exec, with the same findings as a direct collection', async () => {
    const progress: HostProgress[] = [];
    const before = server.requests.filter((r) => r.method === 'EXEC').length;
    const bundle = await captureKube(options({ onProgress: (p) => progress.push(p) }));
    expect(server.requests.filter((r) => r.method === 'EXEC').length - before).toBe(2);
    expect(parseBundle(JSON.parse(JSON.stringify(bundle)) as unknown).ok).toBe(true);
    expect(bundle.cluster?.name).toBe('test-cluster');
    expect(bundle.source).toEqual({ kind: 'kube', detail: 'context admin@lab, agent mode' });
    expect(bundle.hosts.map((h) => [h.name, h.role, h.status])).toEqual([
      ['node-a', 'worker', 'complete'],
      ['node-b', 'worker', 'complete'],
    ]);
    expect(byName(bundle, 'node-a').namespaces.map((n) => n.netns)).toEqual([null, 'cni-db1', 'cni-web1']);
    expect(progress.filter((p) => p.state === 'done').map((p) => p.host)).toEqual(expect.arrayContaining(['node-a', 'node-b']));

    const local = new LocalRunner();
    const direct = await collectHostsWithScript(
      ['node-a', 'node-b'].map((name) => ({ name, role: 'worker' as const, runner: new PrefixRunner(host(name).enter, local) })),
      { cluster: bundle.cluster },
    );
    const viaKube = analyze(bundle);
    const viaHost = analyze(direct);
    const ids = (a: typeof viaKube) => a.topology.nodes.map((n) => n.id).sort();
    expect(ids(viaKube)).toEqual(ids(viaHost));
    expect(ids(viaKube).length).toBeGreaterThan(6);
    const findings = (a: typeof viaKube) => a.findings.map((f) => `${f.rule} ${f.title}`).sort();
    expect(findings(viaKube)).toEqual(findings(viaHost));
  });

  it('collects over the v4 channel protocol of older API servers as well', async () => {
    server.protocols = ['v4.channel.k8s.io'];
    try {
      const seen = server.execProtocols.length;
      const bundle = await captureKube(options({ nodes: ['node-b'] }));
      expect(server.execProtocols.slice(seen)).toEqual(['v4.channel.k8s.io']);
      expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([['node-b', 'complete']]);
    } finally {
      server.protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
    }
  });

  it('keeps the other nodes when one node hangs, and says which timed out', async () => {
    behaviours.set('agent-b', { kind: 'hang' });
    try {
      const bundle = await captureKube(options({ hostTimeoutMs: 20_000 }));
      expect(byName(bundle, 'node-a').status).toBe('complete');
      expect(byName(bundle, 'node-b')).toMatchObject({ status: 'failed', error: 'no answer within 20 s' });
    } finally {
      behaviours.delete('agent-b');
    }
  });

  it('marks a node partial when its exec stream is cut mid-output', async () => {
    behaviours.set('agent-a', { kind: 'cut', afterBytes: 6_000 });
    try {
      const bundle = await captureKube(options());
      const a = byName(bundle, 'node-a');
      expect(a.status).toBe('partial');
      expect(a.error).toBe('the exec stream ended before the command reported its exit status');
      expect(a.namespaces.flatMap((n) => n.commands).some((c) => c.status === 'ok')).toBe(true);
      expect(byName(bundle, 'node-b').status).toBe('complete');
    } finally {
      behaviours.delete('agent-a');
    }
  });

  it('turns an RBAC refusal of exec into a failed host naming the verb and resource', async () => {
    const config = path.join(dir, 'viewer');
    writeFileSync(config, server.kubeconfig({ context: 'viewer@lab', cluster: 'test-cluster', token: 'token-noexec' }));
    const bundle = await captureKube({ ...options(), kubeconfig: config });
    for (const h of bundle.hosts) {
      expect(h.status).toBe('failed');
      expect(h.error).toMatch(/^RBAC refused: the account may not create pods\/exec in namespace tunnelscope-agent \(missing verb "create" on "pods\/exec"\)/);
    }
  });

  it('fails the whole collection with one clear message when nodes may not be listed', async () => {
    const config = path.join(dir, 'nobody');
    writeFileSync(config, server.kubeconfig({ context: 'nobody@lab', cluster: 'test-cluster', token: 'token-nonodes' }));
    await expect(captureKube({ ...options(), kubeconfig: config })).rejects.toThrow(
      'RBAC refused: the account may not list nodes (missing verb "list" on "nodes"): nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it('sends the impersonated user and groups on API calls and on exec', async () => {
    const before = server.requests.length;
    await captureKube(options({ nodes: ['node-b'], impersonate: { user: 'alice@example.com', groups: ['sre'] } }));
    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(2);
    for (const r of seen) expect([r.headers['impersonate-user'], r.headers['impersonate-group']]).toEqual(['alice@example.com', 'sre']);
  });
});

describe("the worker's peer-pod record", () => {
  it('reads only the pod-network part of each sandbox record, and parses it: the TLS key never leaves the node', async () => {
    const bundle = await captureKube(options({ nodes: ['node-a'] }));
    const record = byName(bundle, 'node-a')
      .namespaces.find((n) => n.netns === null)
      ?.commands.find((c) => c.id === 'peerpod-sandboxes');
    expect(record?.status).toBe('ok');
    expect(JSON.parse(record?.stdout ?? '')).toEqual({ sandbox: SANDBOX, 'pod-network': POD_NETWORK });
    const sandboxes = analyze(bundle).topology.hosts.find((h) => h.name === 'node-a')?.peerpodSandboxes;
    expect(sandboxes?.map((s) => [s.sandbox, s.podIp, s.workerIp, s.vni, s.port, s.mtu])).toEqual([[SANDBOX, '10.244.1.50', '192.168.10.1', 555001, 4789, 1450]]);
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('dummyKeyNeverToLeaveTheNode');
    expect(text).not.toContain('tls-server-key');
    expect(text).not.toContain('PRIVATE KEY');
  });
});

describe('cni-pod mode', () => {
  it("collects each node through its CNI's own agent container", async () => {
    const before = server.requests.length;
    const bundle = await captureKube(options({ mode: 'cni-pod' }));
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([
      ['node-a', 'complete'],
      ['node-b', 'complete'],
    ]);
    const execs = server.requests
      .slice(before)
      .filter((r) => r.method === 'EXEC')
      .map((r) => `${r.path} ${new URLSearchParams(r.search).get('container') ?? ''}`)
      .sort();
    expect(execs).toEqual(['/api/v1/namespaces/kube-system/pods/cilium-x7k2p/exec cilium-agent', '/api/v1/namespaces/ovn-kubernetes/pods/ovnkube-node-q8x2d/exec ovnkube-controller']);
  });
});

describe('debug mode', () => {
  it('collects through a privileged pod pinned to each node and deletes the pods afterwards', async () => {
    const created = server.created.length;
    const bundle = await captureKube(options({ mode: 'debug', selector: 'pool=blue' }));
    expect(bundle.hosts.map((h) => [h.name, h.status, h.error])).toEqual([['node-a', 'complete', undefined]]);
    expect(byName(bundle, 'node-a').namespaces.map((n) => n.netns)).toEqual([null, 'cni-db1', 'cni-web1']);
    const made = server.created.slice(created);
    expect(made).toHaveLength(1);
    expect(server.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/pods/${made[0]}`))).toBe(true);
    expect(debugPodsLeft()).toEqual([]);
  });

  it('deletes the debug pod when the collection fails and when it is cancelled', async () => {
    const noexec = path.join(dir, 'viewer-debug');
    writeFileSync(noexec, server.kubeconfig({ context: 'viewer@lab', cluster: 'test-cluster', token: 'token-noexec' }));
    const refused = await captureKube({ ...options({ mode: 'debug' }), kubeconfig: noexec });
    expect(refused.hosts.every((h) => h.status === 'failed' && /pods\/exec/.test(h.error ?? ''))).toBe(true);
    expect(debugPodsLeft()).toEqual([]);

    const controller = new AbortController();
    const cancelled = captureKube(
      options({
        mode: 'debug',
        nodes: ['node-b'],
        signal: controller.signal,
        onProgress: (p) => {
          if (p.state === 'running') setImmediate(() => controller.abort());
        },
      }),
    );
    const bundle = await cancelled;
    expect(bundle.hosts[0]).toMatchObject({ name: 'node-b', status: 'failed' });
    expect(bundle.hosts[0].error).toMatch(/cancelled/);
    expect(debugPodsLeft()).toEqual([]);
  });

  it('removes debug pods an interrupted run left behind', async () => {
    server.addPod({
      metadata: { namespace: 'tunnelscope-agent', name: 'tunnelscope-debug-old', labels: { ...DEBUG_LABELS }, annotations: { [DEBUG_EXPIRES_ANNOTATION]: new Date(Date.now() - 1000).toISOString() } },
      spec: { nodeName: 'node-a', hostPID: true, containers: [{ name: 'debugger', image: 'x' }] },
      status: { phase: 'Running' },
    });
    expect(debugPodsLeft()).toEqual(['tunnelscope-debug-old']);
    await captureKube(options({ mode: 'debug', nodes: ['node-b'] }));
    expect(debugPodsLeft()).toEqual([]);
  });
});

describe('peer-pod VMs', () => {
  it('reaches a pod VM by exec into its peer pod and records the pod namespace it sees', async () => {
    const bundle = await captureKube(options({ podVms: true, nodes: ['node-b'] }));
    const vm = bundle.hosts.find((h) => h.role === 'podvm');
    expect(vm).toMatchObject({ name: 'podvm-1', status: 'complete' });
    const addr = vm?.namespaces.find((n) => n.netns === null)?.commands.find((c) => c.id === 'ip-addr');
    expect(addr?.stdout).toContain('10.244.1.50');
    expect(vm?.namespaces).toHaveLength(1);
  });
});

describe('unreachable peer-pod VMs', () => {
  it('still appear, named after their pod, with the reason', async () => {
    behaviours.set('peer-1', { kind: 'cut', afterBytes: 0 });
    try {
      const bundle = await captureKube(options({ podVms: true, selector: 'pool=none' }));
      expect(bundle.hosts).toHaveLength(1);
      expect(bundle.hosts[0]).toMatchObject({ name: 'peer-1.shop.podvm', role: 'podvm', status: 'failed', error: 'the exec stream ended before the command reported its exit status' });
    } finally {
      behaviours.delete('peer-1');
    }
  });
});

describe('command line', () => {
  it('collect --source kube writes the bundle of the chosen context and prints a line per host', async () => {
    const out = path.join(dir, 'cli.bundle.json');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    const code = await main(['collect', '--source', 'kube', '--kubeconfig', kubeconfig, '--context', 'admin@lab', '--nodes', 'node-b', '--host-timeout', '60', '-o', out], io);
    expect(lines.filter((l) => l.startsWith('tunnelscope: error'))).toEqual([]);
    expect(code).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as CaptureBundle;
    expect(bundle.cluster?.name).toBe('test-cluster');
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([['node-b', 'complete']]);
    expect(lines).toContain('[1/1] node-b done');
  });

  it('refuses an unknown mode, an unknown node and an unknown context with one line each', async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await main(['collect', '--source', 'kube', '--kubeconfig', kubeconfig, '--mode', 'ssh'], io)).toBe(2);
    expect(await main(['collect', '--source', 'kube', '--kubeconfig', kubeconfig, '--nodes', 'node-z'], io)).toBe(2);
    expect(await main(['collect', '--source', 'kube', '--kubeconfig', kubeconfig, '--context', 'prod'], io)).toBe(2);
    expect(lines).toEqual([
      'tunnelscope: error: unknown mode "ssh" (expected agent|debug|cni-pod)',
      'tunnelscope: error: no such node in the cluster: node-z',
      'tunnelscope: error: context "prod" is not in the kubeconfig (known: admin@lab)',
    ]);
  });
});

/** Did the collection do all it should, leaving nothing behind? */
async function succeeds(grants: readonly Grant[], extra: Partial<KubeCaptureOptions>): Promise<boolean> {
  const token = `token-rbac-${Object.keys(tokens).length}`;
  tokens[token] = { user: 'rbac-check', allow: grants };
  const config = path.join(dir, token);
  writeFileSync(config, server.kubeconfig({ context: 'rbac@lab', cluster: 'test-cluster', token }));
  let ok: boolean;
  try {
    const bundle = await captureKube({ ...options(extra), kubeconfig: config });
    ok = bundle.hosts.length > 0 && bundle.hosts.every((h) => h.status === 'complete');
  } catch {
    ok = false;
  }
  const left = debugPodsLeft();
  for (const name of left) server.pods.delete(`tunnelscope-agent/${name}`);
  return ok && left.length === 0;
}

describe('RBAC of deploy/rbac.yaml', () => {
  const modes = [
    { mode: 'agent', roles: ['tunnelscope-discovery', 'tunnelscope-agent-exec'], extra: { nodes: ['node-b'] } },
    { mode: 'debug', roles: ['tunnelscope-discovery', 'tunnelscope-debug'], extra: { mode: 'debug' as const, nodes: ['node-b'] } },
    { mode: 'pod VMs', roles: ['tunnelscope-discovery', 'tunnelscope-pod-vm-exec'], extra: { nodes: ['node-b'], podVms: true } },
    { mode: 'cni-pod', roles: ['tunnelscope-discovery', 'tunnelscope-cni-exec'], extra: { mode: 'cni-pod' as const, nodes: ['node-b'] } },
  ];
  for (const { mode, roles, extra } of modes) {
    it(`grants ${mode} mode what it needs and nothing it could do without`, async () => {
      const grants = grantsOf(roles);
      expect(grants.length).toBeGreaterThan(2);
      expect(await succeeds(grants, extra)).toBe(true);
      for (const [i, g] of grants.entries()) {
        const without = grants.filter((_, j) => j !== i);
        expect(await succeeds(without, extra), `${mode} mode still works without ${g.verb} ${g.resource}`).toBe(false);
      }
    });
  }
});

describe('dashboard API', () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG };
  beforeAll(async () => {
    process.env.KUBECONFIG = kubeconfig;
    await useDatabase({ kind: 'sqlite', file: path.join(dir, 'store', 'tunnelscope.db') });
  });
  afterAll(async () => {
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
    await closeStore();
  });

  it("lists the server kubeconfig's contexts for the picker, without credentials", async () => {
    const response = await contextsRoute.GET(new Request('http://tunnelscope.test/api/kube/contexts'));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ contexts: [{ name: 'admin@lab', cluster: 'test-cluster', current: true }] });
    expect(text).not.toContain('token-admin');
  });

  it('stores a snapshot of the chosen context, named after its cluster', async () => {
    const response = await postJson({ source: 'kube', title: 'node b', kube: { context: 'admin@lab', nodes: ['node-b'] } });
    const body = (await response.json()) as { snapshot: { cluster?: string; hosts: number } };
    expect(response.status).toBe(201);
    expect(body.snapshot).toMatchObject({ cluster: 'test-cluster' });
  });

  it('refuses a kubeconfig path from a request and an unknown context with a reason', async () => {
    const withPath = await postJson({ source: 'kube', kube: { kubeconfig: '/etc/passwd' } });
    expect(withPath.status).toBe(400);
    const unknown = await liveRoute.GET(new Request(`${BASE}/api/live?source=kube&context=prod`));
    expect(unknown.status).toBe(409);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('context "prod" is not in the kubeconfig (known: admin@lab)');
  });
});
