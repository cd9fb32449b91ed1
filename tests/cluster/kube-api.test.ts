/**
 * The kube source's dealings with the API server itself, against the test API server (tests/cluster/test-apiserver.ts)
 * with the real @kubernetes/client-node: CNI discovery of every supported CNI, peer pods by a configured runtime
 * class, Status errors (401, 404, 429, 500) and retries, the debug pod's life (Pending → Running, deleted after
 * success, timeout and a pod that never runs, leftovers), and the kubeconfig forms. Execs are answered by simulated
 * hosts (collector output written from a capture), so no kernel namespace is needed here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import type { HostCapture } from '@/lib/capture/types';
import { listContexts, loadKubeConfig } from '@/lib/kube/config';
import { DEBUG_EXPIRES_ANNOTATION, DEBUG_LABELS } from '@/lib/kube/debug-pod';
import { discoverCluster } from '@/lib/kube/discover';
import { execInPod } from '@/lib/kube/exec';
import { captureKube, discoverKube, type KubeCaptureOptions } from '@/lib/kube/source';
import { loadSshAccess } from '@/lib/kube/ssh';
import { checkHostKey, parseKnownHosts } from '@/lib/kube/ssh-known-hosts';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { collectorOutput } from './collector-text';
import { TestApiServer, type ExecBehaviour, type TestObject } from './test-apiserver';

const AGENT_LABELS = { 'app.kubernetes.io/name': 'tunnelscope-agent' };

/** The sample's first worker: what every simulated node answers its exec with. */
function sampleWorker(): HostCapture {
  const parsed = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!parsed.ok) throw new Error(parsed.error);
  const worker = parsed.bundle.hosts.find((h) => h.role === 'worker');
  if (!worker) throw new Error('the sample has no worker');
  return worker;
}

const WORKER = sampleWorker();
const OUTPUT = Buffer.from(collectorOutput(WORKER, '5eed0000cafe'));

let server: TestApiServer;
let dir: string;
let kubeconfig: string;
/** Per pod name: how its exec is answered (a whole collector output by default). */
const behaviours = new Map<string, ExecBehaviour>();
/** Per `METHOD path`: the Status codes still to answer with, one per request. */
const faults = new Map<string, number[]>();
const unschedulable = new Set<string>();

const answer: ExecBehaviour = {
  kind: 'reply',
  reply: async (write) => ((await write(OUTPUT)) ? 0 : 137),
};

function node(name: string, ip: string, annotations: Record<string, string> = {}): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations },
    spec: { podCIDR: `10.${ip.split('.')[3]}.0.0/24` },
    status: { addresses: [{ type: 'InternalIP', address: ip }], nodeInfo: { osImage: 'Ubuntu 24.04.1 LTS', kernelVersion: '6.8.0-45-generic' } },
  };
}

function pod(namespace: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, phase = 'Running'): TestObject {
  return { metadata: { namespace, name, labels }, spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec }, status: { phase } };
}

function options(extra: Partial<KubeCaptureOptions> = {}): KubeCaptureOptions {
  return { kubeconfig, script: 'true', hostTimeoutMs: 30_000, ...extra };
}

function configFor(token: string): string {
  const file = path.join(dir, `config-${token}`);
  writeFileSync(file, server.kubeconfig({ context: `${token}@bench`, cluster: 'api-cluster', token }));
  return file;
}

function debugPods(): TestObject[] {
  return [...server.pods.values()].filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'node-debug');
}

function requestsTo(method: string, pathname: string, since = 0): number {
  return server.requests.slice(since).filter((r) => r.method === method && r.path === pathname).length;
}

/** CNI agents as their upstream manifests label them, one node each; then nodes only the CNI's annotations name. */
const CNI_AGENTS: { cni: string; namespace: string; name: string; labels: Record<string, string> }[] = [
  { cni: 'ovn-kubernetes', namespace: 'ovn-kubernetes', name: 'ovnkube-node-7xk2q', labels: { app: 'ovnkube-node' } },
  { cni: 'cilium', namespace: 'kube-system', name: 'cilium-5bq8z', labels: { 'k8s-app': 'cilium' } },
  { cni: 'flannel', namespace: 'kube-flannel', name: 'kube-flannel-ds-8vwlm', labels: { app: 'flannel' } },
  { cni: 'calico', namespace: 'calico-system', name: 'calico-node-t2x9c', labels: { 'k8s-app': 'calico-node' } },
  { cni: 'antrea', namespace: 'kube-system', name: 'antrea-agent-q4c7r', labels: { app: 'antrea', component: 'antrea-agent' } },
  { cni: 'kube-ovn', namespace: 'kube-system', name: 'kube-ovn-cni-h6m2d', labels: { app: 'kube-ovn-cni' } },
  // Relabelled by an operator: the DaemonSet's name is all that is left.
  { cni: 'calico', namespace: 'calico-system', name: 'calico-node-zz9q1', labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' } },
];
const CNI_ANNOTATIONS: { cni: string; annotations: Record<string, string> }[] = [
  { cni: 'flannel', annotations: { 'flannel.alpha.coreos.com/public-ip': '192.168.50.20', 'flannel.alpha.coreos.com/backend-type': 'vxlan' } },
  { cni: 'calico', annotations: { 'projectcalico.org/IPv4Address': '192.168.50.21/24' } },
  { cni: 'antrea', annotations: { 'node.antrea.io/mac-address': '52:54:00:12:34:56' } },
  { cni: 'kube-ovn', annotations: { 'ovn.kubernetes.io/allocated': 'true', 'ovn.kubernetes.io/ip_address': '100.64.0.2' } },
  { cni: 'cilium', annotations: { 'network.cilium.io/ipv4-cilium-host': '10.0.3.77' } },
  { cni: 'ovn-kubernetes', annotations: { 'k8s.ovn.org/node-subnets': '{"default":["10.244.3.0/24"]}' } },
];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'h16-api-'));
  server = new TestApiServer({
    tokens: { 'token-admin': { user: 'admin' }, 'token-nodebug': { user: 'viewer', deny: ['create pods'] }, 'token-nocm': { user: 'no-configmaps', deny: ['get configmaps'] } },
    execPrefix: (p) => (p.spec?.nodeName || p.spec?.runtimeClassName ? [] : null),
    execBehaviour: (p) => behaviours.get(p.metadata.name ?? '') ?? (p.metadata.generateName ? (behaviours.get('debug') ?? answer) : answer),
    fault: ({ method, path: pathname }) => faults.get(`${method} ${pathname}`)?.shift(),
    unschedulable: (p) => unschedulable.has(String(p.spec?.nodeName ?? '')),
  });
  await server.start();
  CNI_AGENTS.forEach((agent, i) => {
    const name = `cni-${i}`;
    server.nodes.push(node(name, `192.168.50.${i + 1}`));
    server.addPod(pod(agent.namespace, agent.name, { nodeName: name, hostNetwork: true }, agent.labels));
  });
  CNI_ANNOTATIONS.forEach(({ annotations }, i) => server.nodes.push(node(`annotated-${i}`, `192.168.50.${i + 20}`, annotations)));
  server.nodes.push(node('plain', '192.168.50.40'));
  // A workload in the pod network named like an agent, and a relabelled agent without host network: neither tells the CNI.
  server.addPod(pod('shop', 'kube-flannel-ds-demo', { nodeName: 'plain' }));
  server.addPod(pod('shop', 'calico-node-lookalike', { nodeName: 'plain' }, { 'app.kubernetes.io/name': 'calico-node-lookalike' }));
  for (const n of ['cni-0', 'cni-1']) server.addPod(pod('tunnelscope-agent', `agent-${n}`, { nodeName: n, hostNetwork: true }, AGENT_LABELS));
  server.addPod({ ...pod('shop', 'vm-remote', { nodeName: 'cni-0', runtimeClassName: 'kata-remote' }), status: { phase: 'Running', podIP: '10.1.0.50' } });
  server.addPod({ ...pod('shop', 'vm-qemu', { nodeName: 'cni-1', runtimeClassName: 'kata-qemu-remote' }), status: { phase: 'Running', podIP: '10.2.0.51' } });
  server.addPod(pod('shop', 'vm-qemu-starting', { nodeName: 'cni-1', runtimeClassName: 'kata-qemu-remote' }, {}, 'Pending'));
  kubeconfig = configFor('token-admin');
});

afterEach(() => {
  behaviours.clear();
  faults.clear();
  unschedulable.clear();
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the simulated hosts', () => {
  it('answer with collector output that reads back as the capture it was written from', () => {
    const { hosts, problems } = parseCollectorOutput(OUTPUT.toString('utf8'));
    expect(problems).toEqual([]);
    const fields = (h: HostCapture) => h.namespaces.map((ns) => [ns.netns, ns.commands.map((c) => [c.id, c.argv, c.stdout, c.stderr, c.status, c.exitCode])]);
    expect(fields(hosts[0])).toEqual(fields(WORKER));
    expect(hosts[0].namespaces.flatMap((ns) => ns.commands).length).toBeGreaterThan(10);
  });
});

describe('discovery', () => {
  it("tells each node's CNI from its agent pod, else from the annotations the CNI writes on the node", async () => {
    const { cluster } = await discoverCluster(loadKubeConfig({ kubeconfig }));
    const cni = Object.fromEntries(cluster.nodes.map((n) => [n.name, n.cni ?? 'none']));
    expect(cni).toEqual({
      ...Object.fromEntries(CNI_AGENTS.map((a, i) => [`cni-${i}`, a.cni])),
      ...Object.fromEntries(CNI_ANNOTATIONS.map((a, i) => [`annotated-${i}`, a.cni])),
      plain: 'none',
    });
    expect(cluster.nodes.find((n) => n.name === 'cni-3')).toEqual({
      name: 'cni-3',
      internalIPs: ['192.168.50.4'],
      podCIDRs: ['10.4.0.0/24'],
      os: 'Ubuntu 24.04.1 LTS',
      kernel: '6.8.0-45-generic',
      cni: 'calico',
    });
  });

  it('takes peer pods by the runtime class it is given, running ones only', async () => {
    const pick = async (runtimeClass?: string) => {
      const found = await discoverKube(options({ podVms: true, nodes: ['cni-0'], ...(runtimeClass ? { peerPodRuntimeClass: runtimeClass } : {}) }));
      return { vms: found.hosts.filter((h) => h.role === 'podvm').map((h) => h.name), recorded: found.cluster?.peerPodRuntimeClass };
    };
    expect(await pick()).toEqual({ vms: ['shop/vm-remote'], recorded: 'kata-remote' });
    expect(await pick('kata-qemu-remote')).toEqual({ vms: ['shop/vm-qemu'], recorded: 'kata-qemu-remote' });
  });
});

describe('Status errors', () => {
  it('names a refused credential (401) with the action it stopped', async () => {
    await expect(captureKube(options({ kubeconfig: configFor('token-unknown') }))).rejects.toThrow(
      /^the API server did not accept the credentials of this kubeconfig \(401\) while trying to list nodes/,
    );
  });

  it('retries 429 and 500 answers to discovery, and reports a 500 that persists', async () => {
    let since = server.requests.length;
    faults.set('GET /api/v1/nodes', [429, 500]);
    const found = await discoverKube(options());
    expect(found.hosts.length).toBe(CNI_AGENTS.length + CNI_ANNOTATIONS.length + 1);
    expect(requestsTo('GET', '/api/v1/nodes', since)).toBe(3);

    since = server.requests.length;
    faults.set('GET /api/v1/nodes', [500, 500, 500, 500]);
    await expect(discoverKube(options())).rejects.toThrow('the API server answered 500 while trying to list nodes: Internal error occurred: etcdserver: request timed out');
    expect(requestsTo('GET', '/api/v1/nodes', since)).toBe(3);
  });

  it('retries an exec refused with 429, and gives up at once on a pod that is gone (404)', async () => {
    const exec = '/api/v1/namespaces/tunnelscope-agent/pods/agent-cni-0/exec';
    let since = server.requests.length;
    faults.set(`EXEC ${exec}`, [429]);
    const retried = await captureKube(options({ nodes: ['cni-0'] }));
    expect(retried.hosts.map((h) => [h.name, h.status])).toEqual([['cni-0', 'complete']]);
    expect(retried.hosts[0].namespaces.map((ns) => ns.netns)).toEqual(WORKER.namespaces.map((ns) => ns.netns));
    expect(requestsTo('EXEC', exec, since)).toBe(2);

    since = server.requests.length;
    faults.set(`EXEC ${exec}`, [404, 404, 404]);
    const gone = await captureKube(options({ nodes: ['cni-0', 'cni-1'] }));
    expect(gone.hosts.map((h) => [h.name, h.status])).toEqual([
      ['cni-0', 'failed'],
      ['cni-1', 'complete'],
    ]);
    expect(gone.hosts[0].error).toBe('not found while trying to create pods/exec in namespace tunnelscope-agent');
    expect(requestsTo('EXEC', exec, since)).toBe(1);
  });
});

describe('exec output', () => {
  it('keeps a character whose bytes arrive in two frames whole', async () => {
    const note = 'Warning: link alias «ünïcödé 链路» truncated\n';
    const host: HostCapture = { ...WORKER, namespaces: WORKER.namespaces.map((ns, i) => (i === 0 ? { ...ns, commands: ns.commands.map((c, j) => (j === 0 ? { ...c, stderr: note } : c)) } : ns)) };
    const bytes = Buffer.from(collectorOutput(host, '5eed0000beef'));
    const split = bytes.indexOf(Buffer.from('链')) + 1;
    behaviours.set('agent-cni-1', { kind: 'reply', reply: async (write) => ((await write(bytes.subarray(0, split))) && (await write(bytes.subarray(split))) ? 0 : 137) });
    const bundle = await captureKube(options({ nodes: ['cni-1'] }));
    expect(bundle.hosts[0].status).toBe('complete');
    expect(bundle.hosts[0].namespaces[0].commands[0].stderr).toBe(note);
  });
});

describe('TLS of the execs', () => {
  it('resumes the TLS session of the first exec upgrade for the next ones, and still refuses a server its CA did not sign', async () => {
    const since = server.requests.length;
    const bundle = await captureKube(options({ mode: 'cni-pod', nodes: ['cni-0', 'cni-1', 'cni-2'], concurrency: 1 }));
    expect(bundle.hosts.map((h) => h.status)).toEqual(['complete', 'complete', 'complete']);
    const execs = server.requests.slice(since).filter((r) => r.method === 'EXEC');
    expect(execs.map((r) => r.resumedTls)).toEqual([false, true, true]);

    // Another server's CA in a kubeconfig for this server: the upgrade must fail, shared setup or not.
    const other = new TestApiServer({ tokens: {}, execPrefix: () => null });
    await other.start();
    const foreign = path.join(dir, 'config-foreign-ca');
    writeFileSync(foreign, other.kubeconfig({ context: 'foreign', cluster: 'foreign', token: 'token-admin' }).replaceAll(other.url, server.url));
    await other.stop();
    const before = server.requests.length;
    const refused = await execInPod(loadKubeConfig({ kubeconfig: foreign }), { namespace: 'tunnelscope-agent', name: 'agent-cni-0' }, ['true'], { timeoutMs: 10_000, attempts: 1 });
    expect(refused).toMatchObject({ outcome: 'refused', exitCode: null });
    expect(server.requests.slice(before)).toEqual([]);
  });
});

describe('cancel', () => {
  it('stops the exec on the node: the stream it writes to is gone', async () => {
    let stopped!: () => void;
    const nodeSawTheEnd = new Promise<void>((resolve) => (stopped = resolve));
    behaviours.set('agent-cni-0', {
      kind: 'reply',
      // A collector that never ends on its own: it writes until nobody reads.
      reply: async (write) => {
        const line = Buffer.from('still collecting\n');
        while (await write(line));
        stopped();
        return 137;
      },
    });
    const controller = new AbortController();
    const bundle = await captureKube(
      options({
        nodes: ['cni-0'],
        signal: controller.signal,
        onProgress: (p) => {
          if (p.state === 'running') setImmediate(() => controller.abort());
        },
      }),
    );
    expect(bundle.hosts[0]).toMatchObject({ name: 'cni-0', status: 'failed', error: 'cancelled' });
    await nodeSawTheEnd;
  });
});

describe('debug pods', () => {
  it('wait for the pod to go from Pending to Running, exec only then, and delete it after', async () => {
    const since = server.requests.length;
    const created = server.created.length;
    const bundle = await captureKube(options({ mode: 'debug', nodes: ['cni-2'] }));
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([['cni-2', 'complete']]);
    const [name] = server.created.slice(created);
    const seen = server.requests.slice(since).map((r) => `${r.method} ${r.path.replace(`/api/v1/namespaces/tunnelscope-agent/pods/${name}`, 'POD')}`);
    // Created Pending; read until Running (the server schedules it once read); one exec; then deleted.
    expect(seen.filter((s) => s.includes('POD') || s.startsWith('POST'))).toEqual(['POST /api/v1/namespaces/tunnelscope-agent/pods', 'GET POD', 'GET POD', 'EXEC POD/exec', 'DELETE POD']);
    expect(debugPods()).toEqual([]);
  });

  it('delete the pod when the node never runs it, naming why', async () => {
    unschedulable.add('cni-3');
    const bundle = await captureKube(options({ mode: 'debug', nodes: ['cni-3'], hostTimeoutMs: 1_000 }));
    expect(bundle.hosts[0]).toMatchObject({ name: 'cni-3', status: 'failed' });
    expect(bundle.hosts[0].error).toMatch(/^the debug pod tunnelscope-debug-\w+ was not running in time$/);
    expect(debugPods()).toEqual([]);
  });

  it('delete the pod when its exec times out', async () => {
    behaviours.set('debug', { kind: 'hang' });
    const bundle = await captureKube(options({ mode: 'debug', nodes: ['cni-4'], hostTimeoutMs: 2_000 }));
    expect(bundle.hosts[0]).toMatchObject({ name: 'cni-4', status: 'failed', error: 'no answer within 2 s' });
    expect(debugPods()).toEqual([]);
  });

  it('refused pod creation is one message naming the verb and resource, and nothing is left', async () => {
    const bundle = await captureKube(options({ mode: 'debug', nodes: ['cni-0', 'cni-1'], kubeconfig: configFor('token-nodebug') }));
    for (const h of bundle.hosts) {
      expect(h.status).toBe('failed');
      expect(h.error).toMatch(/^RBAC refused: the account may not create pods in namespace tunnelscope-agent \(missing verb "create" on "pods"\): /);
    }
    expect(debugPods()).toEqual([]);
  });

  it("remove an earlier run's pods that ended or expired, and leave a running run's pod alone", async () => {
    const leftover = (name: string, expires: number, phase: string): TestObject => ({
      metadata: { namespace: 'tunnelscope-agent', name, labels: { ...DEBUG_LABELS }, annotations: { [DEBUG_EXPIRES_ANNOTATION]: new Date(expires).toISOString() } },
      spec: { nodeName: 'cni-5', hostPID: true, containers: [{ name: 'debugger', image: 'x' }] },
      status: { phase },
    });
    server.addPod(leftover('tunnelscope-debug-expired', Date.now() - 60_000, 'Running'));
    server.addPod(leftover('tunnelscope-debug-ended', Date.now() + 600_000, 'Failed'));
    server.addPod(leftover('tunnelscope-debug-busy', Date.now() + 600_000, 'Running'));
    await captureKube(options({ mode: 'debug', nodes: ['cni-6'] }));
    expect(debugPods().map((p) => p.metadata.name)).toEqual(['tunnelscope-debug-busy']);
    server.pods.delete('tunnelscope-agent/tunnelscope-debug-busy');
  });
});

describe('SSH settings read from the cluster', () => {
  /** An ed25519 host key blob as SSH sends it: the type as an SSH string, then the 32-byte key. */
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const line = `# pod VMs\n[10.1.0.50]:2222 ssh-ed25519 ${blob.toString('base64')}\n`;

  beforeAll(() => {
    server.addSecret('tunnelscope', 'ssh-key', { 'ssh-privatekey': 'key' });
    server.addConfigMap('tunnelscope', 'kh-text', { known_hosts: line });
    server.addConfigMap('tunnelscope', 'kh-binary', { known_hosts: Buffer.from(line) });
    server.addConfigMap('tunnelscope', 'kh-other-key', { hosts: line });
  });

  it("reads known_hosts from a ConfigMap's data, or its binaryData", async () => {
    for (const name of ['kh-text', 'kh-binary']) {
      const access = await loadSshAccess(loadKubeConfig({ kubeconfig }), { keySecret: 'tunnelscope/ssh-key', knownHostsConfigMap: `tunnelscope/${name}` });
      expect(access.knownHosts).toEqual(parseKnownHosts(line));
      expect(checkHostKey(access.knownHosts ?? [], '10.1.0.50', 2222, blob)).toEqual({ ok: true });
    }
  });

  it('gives every pod VM the reason a ConfigMap could not be read, and collects the nodes and the VMs by exec all the same', async () => {
    const cases = [
      {
        token: 'token-admin',
        configMap: 'tunnelscope/absent',
        reason: 'the known_hosts ConfigMap tunnelscope/absent could not be read: not found while trying to get configmaps in namespace tunnelscope: configmaps "absent" not found',
      },
      {
        token: 'token-nocm',
        configMap: 'tunnelscope/kh-text',
        reason:
          'the known_hosts ConfigMap tunnelscope/kh-text could not be read: RBAC refused: the account may not get configmaps in namespace tunnelscope (missing verb "get" on "configmaps"): configmaps is forbidden: User "no-configmaps" cannot get resource "configmaps" in API group "" in the namespace "tunnelscope"',
      },
      { token: 'token-admin', configMap: 'tunnelscope/kh-other-key', reason: 'ConfigMap tunnelscope/kh-other-key has no "known_hosts" key' },
    ];
    for (const { token, configMap, reason } of cases) {
      const bundle = await captureKube(options({ kubeconfig: configFor(token), nodes: ['cni-0'], podVms: true, podVmSsh: { keySecret: 'tunnelscope/ssh-key', knownHostsConfigMap: configMap } }));
      expect(bundle.hosts.map((h) => [h.role, h.status])).toEqual([
        ['worker', 'complete'],
        ['podvm', 'partial'],
      ]);
      expect(bundle.hosts[1].podVm).toMatchObject({ pod: { namespace: 'shop', name: 'vm-remote' }, via: 'exec', skipped: [{ way: 'ssh', reason }] });
    }
  });
});

describe('kubeconfig forms', () => {
  it('reads ~/.kube/config when KUBECONFIG is unset, and KUBECONFIG before it', () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    writeFileSync(path.join(home, '.kube', 'config'), server.kubeconfig({ context: 'home@lab', cluster: 'home-cluster', token: 'token-admin' }));
    expect(loadKubeConfig({}, { NODE_ENV: 'test', HOME: home }).getCurrentContext()).toBe('home@lab');
    expect(loadKubeConfig({}, { NODE_ENV: 'test', HOME: home, KUBECONFIG: kubeconfig }).getCurrentContext()).toBe('token-admin@bench');
    expect(loadKubeConfig({ kubeconfig }, { NODE_ENV: 'test', HOME: home }).getCurrentCluster()?.name).toBe('api-cluster');
  });

  it("falls back to the pod's service account in a cluster, and says what to do outside one", () => {
    const empty = path.join(dir, 'nowhere');
    mkdirSync(empty, { recursive: true });
    // The client library reads the service's address from the process environment itself.
    const saved = { ...process.env };
    Object.assign(process.env, { HOME: empty, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    delete process.env.KUBECONFIG;
    try {
      const inCluster = loadKubeConfig();
      expect(inCluster.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
      expect(inCluster.getCurrentUser()?.authProvider).toMatchObject({ config: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } });
      expect(listContexts()).toEqual([{ name: 'in-cluster', cluster: 'in-cluster', current: true }]);
    } finally {
      process.env = saved;
    }
    expect(() => loadKubeConfig({}, { NODE_ENV: 'test', HOME: empty })).toThrow('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config');
    expect(() => loadKubeConfig({ kubeconfig: path.join(empty, 'config') }, { NODE_ENV: 'test', HOME: empty })).toThrow(`kubeconfig not found: ${path.join(empty, 'config')}`);
  });
});
