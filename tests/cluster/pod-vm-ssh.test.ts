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
import { DUMMY_TLS_KEY, sandboxOf } from '@/lib/lab/peerpod';
import { exec } from '@/lib/lab/exec';
import type { LabSshd } from '@/lib/lab/sshd';
import type { LabHost } from '@/lib/lab/types';
import { captureKube, type KubeCaptureOptions } from '@/lib/kube/source';
import { loadKubeConfig } from '@/lib/kube/config';
import { loadSshAccess, runOverSsh } from '@/lib/kube/ssh';
import { collectPodVm } from '@/lib/kube/pod-vm';
import { KubeConfig } from '@kubernetes/client-node';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { deriveSnapshot } from '@/lib/snapshot/derive';
import { renderReport } from '@/lib/export/report';
import { RULES_VERSION } from '@/lib/diagnose';
import { main } from '@/cli/main';
import { collectHostsWithScript } from '../helpers/collect-script';
import { PEER_POD } from './hosts';
import { buildPodVmLab, type PodVmLab } from './pod-vm-lab';
import { grantsOf } from './rbac';
import { TestApiServer, type ExecBehaviour, type Grant, type TokenRule } from './test-apiserver';

const SCRIPT = readFileSync(path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh'), 'utf8');
const POD_IP = PEER_POD.ip;
const POD_MAC = PEER_POD.mac;
const VNI = PEER_POD.vni;

let lab: PodVmLab;
let server: TestApiServer;
let sshd: LabSshd;
let dir: string;
let kubeconfig: string;
let VM_IP: string;
const behaviours = new Map<string, ExecBehaviour>();
const tokens: Record<string, TokenRule> = { 'token-admin': { user: 'admin' } };

function host(name: 'worker-1' | 'vm-1'): LabHost {
  return lab.host(name);
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
  lab = await buildPodVmLab('h16s-', process.pid);
  sshd = lab.sshd;
  VM_IP = lab.vmIp;
  server = new TestApiServer({ tokens, execPrefix: lab.execPrefix, execBehaviour: (p) => behaviours.get(p.metadata.name ?? '') ?? { kind: 'run' } });
  await server.start();
  lab.populate(server);
  server.addSecret('tunnelscope', 'podvm-ssh', { 'ssh-privatekey': sshd.clientKey, known_hosts: `${sshd.knownHostsLine}\n` });
  dir = mkdtempSync(path.join(os.tmpdir(), 'h16s-'));
  kubeconfig = file('config', server.kubeconfig({ context: 'admin@lab', cluster: 'test-cluster', token: 'token-admin' }));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await lab?.teardown();
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
    const wrong = file('wrong_known_hosts', otherHostKeyLine('other'));
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

/** A known_hosts line for the VM's address with a key the VM does not have. */
function otherHostKeyLine(name: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  const [type, key] = readFileSync(path.join(dir, `${name}.pub`), 'utf8').split(' ');
  return `${VM_IP} ${type} ${key}\n`;
}

describe('known_hosts from a ConfigMap', () => {
  beforeAll(() => {
    server.addSecret('tunnelscope', 'podvm-key-only', { 'ssh-privatekey': sshd.clientKey });
    server.addConfigMap('tunnelscope', 'podvm-known-hosts', { known_hosts: `# pod VMs\n${sshd.knownHostsLine}\n` });
    server.addConfigMap('tunnelscope', 'podvm-known-hosts-stale', { known_hosts: otherHostKeyLine('stale') });
  });

  it("reaches the VM over SSH when the ConfigMap holds the VM's host key", async () => {
    const before = server.requests.length;
    const bundle = await captureKube(options({ podVmSsh: { keySecret: 'tunnelscope/podvm-key-only', knownHostsConfigMap: 'tunnelscope/podvm-known-hosts' } }));
    expect(server.requests.slice(before).filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/tunnelscope/configmaps/podvm-known-hosts')).toHaveLength(1);
    const vm = vmOf(bundle);
    expect(vm).toMatchObject({ name: 'vm-1', status: 'complete', podVm: { via: 'ssh', skipped: [] } });
    expect(vm.podVm?.hostKeyUnchecked).toBeUndefined();
    expect(vm.namespaces.map((n) => n.netns)).toEqual([null, 'podns']);
  });

  it('refuses a VM whose key differs from the one the ConfigMap holds for its address', async () => {
    const access = await loadSshAccess(loadKubeConfig({ kubeconfig }), { keySecret: 'tunnelscope/podvm-key-only', knownHostsConfigMap: 'tunnelscope/podvm-known-hosts-stale' });
    const result = await runOverSsh(access, VM_IP, ['true'], { timeoutMs: 30_000 });
    expect(result.outcome).toBe('refused');
    expect(result.reason).toMatch(new RegExp(`^the host key of ${VM_IP.replace(/\./g, '\\.')} changed: it offered ssh-ed25519 SHA256:\\S+, known_hosts holds SHA256:`));
  });
});

/** Did the collection reach every host, the pod VM over SSH, with only these grants? */
async function sshSucceeds(grants: readonly Grant[]): Promise<boolean> {
  const token = `token-rbac-${Object.keys(tokens).length}`;
  tokens[token] = { user: 'rbac-check', allow: grants };
  const config = file(token, server.kubeconfig({ context: 'rbac@lab', cluster: 'test-cluster', token }));
  try {
    const bundle = await captureKube(options({ kubeconfig: config, podVmSsh: { keySecret: 'tunnelscope/tunnelscope-pod-vm-ssh', knownHostsConfigMap: 'tunnelscope/tunnelscope-pod-vm-known-hosts' } }));
    return bundle.hosts.every((h) => h.status === 'complete') && vmOf(bundle).podVm?.via === 'ssh';
  } catch {
    return false;
  }
}

describe('RBAC of deploy/rbac.yaml for SSH to pod VMs', () => {
  it('grants the key Secret and the known_hosts ConfigMap, each needed, beside discovery and agent mode', async () => {
    server.addSecret('tunnelscope', 'tunnelscope-pod-vm-ssh', { 'ssh-privatekey': sshd.clientKey });
    server.addConfigMap('tunnelscope', 'tunnelscope-pod-vm-known-hosts', { known_hosts: `${sshd.knownHostsLine}\n` });
    const grants = grantsOf(['tunnelscope-discovery', 'tunnelscope-agent-exec', 'tunnelscope-pod-vm-ssh-key', 'tunnelscope-pod-vm-known-hosts']);
    expect(grants).toContainEqual({ verb: 'get', resource: 'configmaps', namespace: 'tunnelscope' });
    expect(await sshSucceeds(grants)).toBe(true);
    for (const [i, g] of grants.entries()) {
      expect(await sshSucceeds(grants.filter((_, j) => j !== i)), `SSH to pod VMs still works without ${g.verb} ${g.resource}`).toBe(false);
    }
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
    const local = await collectHostsWithScript([{ name: 'worker-1', role: 'worker', runner: new PrefixRunner(host('worker-1').enter, new LocalRunner()) }]);
    const sandboxes = analyze(local).topology.hosts[0].peerpodSandboxes;
    expect(sandboxes?.map((s) => [s.podIp, s.vni])).toEqual([[POD_IP, VNI]]);
    expect(bundles).toHaveLength(3);
    for (const bundle of [local, ...bundles]) expectNoKey(madeFrom(bundle));
    // The record itself holds the key: were it copied whole, the checks above would find it.
    expect(await onHost(host('worker-1'), ['cat', `/run/peerpod/pods/${sandboxOf(PEER_POD)}/apf.json`])).toContain(KEY_BODY);
  });
});
