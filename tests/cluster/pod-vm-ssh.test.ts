/**
 * Pod VMs reached by SSH: a real sshd (lib/lab/sshd.ts) in a kernel pod VM's root namespace, reached from this
 * process over a veth into the VM, and the kube source against the test API server (the real client library reads
 * the key's Secret and execs into the peer pod). The worker holds the adaptor's per-sandbox record with a dummy key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { CaptureBundle, HostCapture } from '@/lib/capture/types';
import { onHost } from '@/lib/lab/host';
import { DUMMY_TLS_KEY, sandboxOf, writeSandboxRecord } from '@/lib/lab/peerpod';
import { exec } from '@/lib/lab/exec';
import { startSshd, type LabSshd } from '@/lib/lab/sshd';
import type { LabHost } from '@/lib/lab/types';
import { captureKube, type KubeCaptureOptions } from '@/lib/kube/source';
import { loadSshAccess, runOverSsh } from '@/lib/kube/ssh';
import { collectPodVm } from '@/lib/kube/pod-vm';
import { KubeConfig } from '@kubernetes/client-node';
import { collectHosts } from '@/lib/capture/collect/collect';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { deriveSnapshot } from '@/lib/snapshot/derive';
import { renderReport } from '@/lib/export/report';
import { RULES_VERSION } from '@/lib/diagnose';
import { main } from '@/cli/main';
import { buildHosts, PEER_POD, type TestHosts } from './hosts';
import { TestApiServer, type ExecBehaviour, type TestObject } from './test-apiserver';

const SCRIPT = readFileSync(path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh'), 'utf8');
const POD_IP = PEER_POD.ip;
const POD_MAC = PEER_POD.mac;
const VNI = PEER_POD.vni;
/** A /30 of the benchmarking range between this process's namespace and the VM, per run. */
const NET = `198.18.${process.pid % 250}`;
const VM_IP = `${NET}.2`;

let hosts: TestHosts;
let server: TestApiServer;
let sshd: LabSshd;
let dir: string;
let kubeconfig: string;
let uplink: string;
const behaviours = new Map<string, ExecBehaviour>();

function host(name: string): LabHost {
  const found = hosts.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no test host ${name}`);
  return found;
}

/** The worker's side of the peer pod: its namespace holds the pod IP and a VXLAN device sending to the VM. */
async function workerTunnel(worker: LabHost): Promise<void> {
  await onHost(worker, ['ip', 'link', 'add', 'vxlan1', 'type', 'vxlan', 'id', String(VNI), 'remote', VM_IP, 'dstport', '4789']);
  await onHost(worker, ['ip', 'link', 'set', 'vxlan1', 'netns', 'cni-peer']);
  await onHost(worker, ['ip', 'link', 'set', 'vxlan1', 'up'], 'cni-peer');
  await writeSandboxRecord(worker, PEER_POD, '192.168.10.1');
}

/** The VM: an uplink from this process's namespace, and podns with vxlan0 carrying the pod IP and MAC. */
async function podVm(vm: LabHost): Promise<void> {
  uplink = `tsvm${process.pid % 100000}`;
  execFileSync('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'ens3', 'netns', vm.netns]);
  execFileSync('ip', ['addr', 'add', `${NET}.1/30`, 'dev', uplink]);
  execFileSync('ip', ['link', 'set', uplink, 'up']);
  await onHost(vm, ['ip', 'addr', 'add', `${VM_IP}/30`, 'dev', 'ens3']);
  await onHost(vm, ['ip', 'link', 'set', 'ens3', 'up']);
  await onHost(vm, ['ip', 'netns', 'add', 'podns']);
  await onHost(vm, ['ip', 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', String(VNI), 'remote', '192.168.10.1', 'dstport', '4789']);
  await onHost(vm, ['ip', 'link', 'set', 'vxlan0', 'netns', 'podns']);
  await onHost(vm, ['ip', 'link', 'set', 'vxlan0', 'address', POD_MAC, 'mtu', '1450', 'up'], 'podns');
  await onHost(vm, ['ip', 'addr', 'add', `${POD_IP}/24`, 'dev', 'vxlan0'], 'podns');
}

function pod(namespace: string, name: string, spec: Record<string, unknown>, extra: { labels?: Record<string, string>; ip?: string } = {}): TestObject {
  return {
    metadata: { namespace, name, labels: extra.labels ?? {} },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
    status: { phase: 'Running', ...(extra.ip ? { podIP: extra.ip, podIPs: [{ ip: extra.ip }] } : {}) },
  };
}

function execPrefix(p: TestObject): readonly string[] | null {
  if (p.spec?.runtimeClassName === 'kata-remote') return [...host('vm-1').enter, 'ip', 'netns', 'exec', 'podns'];
  return p.spec?.nodeName === 'worker-1' ? host('worker-1').enter : null;
}

function options(extra: Partial<KubeCaptureOptions> = {}): KubeCaptureOptions {
  return { kubeconfig, script: SCRIPT, hostTimeoutMs: 60_000, podVms: true, ...extra };
}

function vmOf(bundle: CaptureBundle): HostCapture {
  const found = bundle.hosts.find((h) => h.role === 'podvm');
  if (!found) throw new Error(`no pod VM in the bundle (${bundle.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text, { mode: 0o600 });
  return at;
}

beforeAll(async () => {
  hosts = await buildHosts(
    [
      { name: 'worker-1', role: 'worker', pods: { 'cni-peer': `${POD_IP}/24` } },
      { name: 'vm-1', role: 'podvm', pods: {} },
    ],
    'h16s-',
  );
  await workerTunnel(host('worker-1'));
  await podVm(host('vm-1'));
  sshd = await startSshd(host('vm-1'), VM_IP);
  server = new TestApiServer({ tokens: { 'token-admin': { user: 'admin' } }, execPrefix, execBehaviour: (p) => behaviours.get(p.metadata.name ?? '') ?? { kind: 'run' } });
  await server.start();
  server.nodes.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: {} }, status: { addresses: [{ type: 'InternalIP', address: '192.168.10.1' }] } });
  server.addPod(pod('tunnelscope-agent', 'agent-1', { nodeName: 'worker-1', hostNetwork: true }, { labels: { 'app.kubernetes.io/name': 'tunnelscope-agent' }, ip: '192.168.10.1' }));
  server.addPod(pod('shop', 'peer-1', { nodeName: 'worker-1', runtimeClassName: 'kata-remote' }, { ip: POD_IP }));
  server.addSecret('tunnelscope', 'podvm-ssh', { 'ssh-privatekey': sshd.clientKey, known_hosts: `${sshd.knownHostsLine}\n` });
  dir = mkdtempSync(path.join(os.tmpdir(), 'h16s-'));
  kubeconfig = file('config', server.kubeconfig({ context: 'admin@lab', cluster: 'test-cluster', token: 'token-admin' }));
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  await server?.stop();
  if (uplink) await exec(['ip', 'link', 'del', uplink]);
  await hosts?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Key material of the worker's record: the PEM body line and the marker. */
const KEY_BODY = DUMMY_TLS_KEY.split('\n')[1];

/** Nothing made from a bundle may hold the record's key: the bundle, the snapshot, its report. */
function madeFrom(bundle: CaptureBundle): string[] {
  const derived = deriveSnapshot({ bundle, title: 'pod VMs' });
  const view = { meta: { ...derived.meta, id: 'snap', createdAt: bundle.createdAt }, topology: derived.topology, findings: derived.findings, rulesVersion: RULES_VERSION };
  return [JSON.stringify(bundle), JSON.stringify(derived), renderReport(view)];
}

function expectNoKey(texts: readonly string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(KEY_BODY);
    expect(text).not.toContain('-----BEGIN');
  }
}

const bundles: CaptureBundle[] = [];

describe('pod VMs over SSH', () => {
  it("gives the VM's root namespace and podns with vxlan0 and its MAC, with the key and known_hosts read from a Secret", async () => {
    const before = server.requests.length;
    const bundle = await captureKube(options({ podVmSsh: { keySecret: 'tunnelscope/podvm-ssh' } }));
    bundles.push(bundle);
    expect(server.requests.slice(before).some((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/tunnelscope/secrets/podvm-ssh')).toBe(true);
    const vm = vmOf(bundle);
    expect(vm).toMatchObject({ name: 'vm-1', status: 'complete', podVm: { pod: { namespace: 'shop', name: 'peer-1' }, via: 'ssh', skipped: [] } });
    expect(vm.namespaces.map((n) => n.netns)).toEqual([null, 'podns']);
    const { topology } = analyze(bundle);
    const vxlan0 = topology.nodes.find((n) => n.host === 'vm-1' && n.netns === 'podns' && n.label === 'vxlan0');
    expect(vxlan0?.iface).toMatchObject({ mac: POD_MAC, mtu: 1450, vxlan: { vni: VNI, remote: '192.168.10.1' } });
    expect(topology.nodes.some((n) => n.host === 'vm-1' && n.netns === null && n.label === 'ens3')).toBe(true);
    const tunnel = topology.edges.find((e) => e.kind === 'tunnel' && [e.source, e.target].includes(vxlan0?.id ?? ''));
    expect(tunnel?.vni).toBe(VNI);
    // The VM's host node is joined to its worker's record and says how it was reached.
    expect(topology.nodes.find((n) => n.id === 'host:vm-1')?.podVm).toMatchObject({ worker: 'worker-1', pod: 'shop/peer-1', reachedBy: 'ssh', expected: { podIp: POD_IP, vni: VNI } });
  });

  it('refuses a changed host key with the reason and falls back to exec, which sees podns only', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
    const [type, key] = readFileSync(path.join(dir, 'other.pub'), 'utf8').split(' ');
    const wrong = file('wrong_known_hosts', `${VM_IP} ${type} ${key}\n`);
    const bundle = await captureKube(options({ podVmSsh: { keyFile: file('key', sshd.clientKey), knownHostsFile: wrong } }));
    bundles.push(bundle);
    const vm = vmOf(bundle);
    expect(vm.status).toBe('partial');
    expect(vm.podVm?.via).toBe('exec');
    expect(vm.podVm?.skipped).toEqual([{ way: 'ssh', reason: expect.stringMatching(new RegExp(`^the host key of ${VM_IP.replace(/\./g, '\\.')} changed: it offered ssh-ed25519 SHA256:`)) }]);
    expect(vm.namespaces.map((n) => n.netns)).toEqual([null]);
  });

  it('keeps a VM no way reached, joined to its pod and worker with the tunnel settings the worker expects (CLI)', async () => {
    behaviours.set('peer-1', { kind: 'cut', afterBytes: 0 });
    const out = path.join(dir, 'unreached.json');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    try {
      const args = ['collect', '--source', 'kube', '--kubeconfig', kubeconfig, '--pod-vms', '--pod-vm-ssh-key', file('key', sshd.clientKey), '--pod-vm-known-hosts', file('empty', '')];
      expect(await main([...args, '--host-timeout', '60', '-o', out], io)).toBe(0);
    } finally {
      behaviours.delete('peer-1');
    }
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as CaptureBundle;
    bundles.push(bundle);
    const vm = vmOf(bundle);
    expect(vm).toMatchObject({ name: 'peer-1.shop.podvm', status: 'failed', podVm: { pod: { namespace: 'shop', name: 'peer-1' } } });
    expect(vm.podVm?.via).toBeUndefined();
    expect(vm.error).toMatch(new RegExp(`^ssh: the host key of ${VM_IP.replace(/\./g, '\\.')} \\(ssh-ed25519 SHA256:[^)]+\\) is not in known_hosts.*; exec: the exec stream ended`));
    expect(lines).toContain(`[2/2] shop/peer-1 failed: ${vm.error}`);
    const node = analyze(bundle).topology.nodes.find((n) => n.id === 'host:peer-1.shop.podvm');
    expect(node).toMatchObject({ kind: 'host', role: 'podvm', podVm: { worker: 'worker-1', pod: 'shop/peer-1', unreached: vm.error } });
    expect(node?.podVm?.expected).toMatchObject({ podIp: POD_IP, podMac: POD_MAC, workerIp: '192.168.10.1', vni: VNI, port: 4789, mtu: 1450 });
    expectNoKey([...madeFrom(bundle), lines.join('\n')]);
  });

  it('cancel closes the session and stops the command on the VM', async () => {
    const access = await loadSshAccess(new KubeConfig(), { keyFile: file('key', sshd.clientKey), knownHostsFile: file('known_hosts', `${sshd.knownHostsLine}\n`) });
    const marker = `tunnelscope-cancel-${process.pid}`;
    const controller = new AbortController();
    const running = runOverSsh(access, VM_IP, ['sh', '-c', `exec sleep 3600 # ${marker}`], { timeoutMs: 60_000, signal: controller.signal });
    const sessions = () => execFileSync('ip', ['netns', 'exec', host('vm-1').netns, 'ss', '-Htn', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' }).trim();
    const remote = () => exec(['pgrep', '-f', marker]).then((r) => r.stdout.trim());
    await until(async () => (await remote()) !== '');
    expect(sessions()).not.toBe('');
    controller.abort();
    expect(await running).toMatchObject({ outcome: 'cancelled', reason: 'cancelled' });
    await until(async () => sessions() === '' && (await remote()) === '');
  });
});

describe('skipping the host key check', () => {
  it('needs known_hosts unless skipped explicitly, and a VM reached without the check says so', async () => {
    const kc = new KubeConfig();
    await expect(loadSshAccess(kc, { keyFile: file('key', sshd.clientKey) })).rejects.toThrow(/SSH to pod VMs checks host keys: give a known_hosts file/);
    const access = await loadSshAccess(kc, { keyFile: file('key', sshd.clientKey), skipHostKeyCheck: true });
    // A collector output of one command, printed by a script that stands in for the collector.
    const script = `printf '%s\\n' '#tunnelscope-collect format=1 host=vm-1 role=podvm date=2026-12-06T17:52:11Z boundary=b1' '[tunnelscope@vm-1 /]# hostname #ts:b1' vm-1 '#ts:b1 end id=hostname ns=- exit=0 status=ok ms=1 eol=1 errs=0 erreol=1 optional=0'`;
    const worker = bundles[0]?.hosts.find((h) => h.name === 'worker-1');
    if (!worker) throw new Error('the first test collects worker-1');
    const peer = { namespace: 'shop', name: 'peer-1', ip: POD_IP, nodeName: 'worker-1', labels: {}, containers: ['main'] };
    const vm = await collectPodVm(kc, { pod: peer, script, timeoutMs: 30_000, ssh: { access, worker: Promise.resolve(worker) } });
    expect(vm).toMatchObject({ name: 'vm-1', podVm: { via: 'ssh', hostKeyUnchecked: true } });
    expect(vm.status).not.toBe('failed');
  });
});

/** Polls a state until it holds (bounded, so a broken cancel fails the test instead of hanging it). */
async function until(state: () => Promise<boolean>, boundMs = 20_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await state())) {
    if (Date.now() > end) throw new Error('the state was not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the worker's record", () => {
  it('never lets the TLS key out, collected on the worker itself or through the cluster', async () => {
    const local = await collectHosts([{ name: 'worker-1', role: 'worker', runner: new PrefixRunner(host('worker-1').enter, new LocalRunner()) }]);
    const sandboxes = analyze(local).topology.hosts[0].peerpodSandboxes;
    expect(sandboxes?.map((s) => [s.podIp, s.vni])).toEqual([[POD_IP, VNI]]);
    expect(bundles).toHaveLength(3);
    for (const bundle of [local, ...bundles]) expectNoKey(madeFrom(bundle));
    // The record itself holds the key: were it copied whole, the checks above would find it.
    expect(await onHost(host('worker-1'), ['cat', `/run/peerpod/pods/${sandboxOf(PEER_POD)}/apf.json`])).toContain(KEY_BODY);
  });
});
