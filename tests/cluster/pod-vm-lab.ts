/**
 * A worker and its peer pod's VM as kernel hosts, with a real sshd in the VM, for the tests that reach pod VMs over
 * SSH (tests/cluster/pod-vm-ssh.test.ts, tests/e2e/pod-vm-ssh-form.test.ts): the worker's namespace holds the pod IP
 * and a VXLAN device sending to the VM; the VM has an uplink from the test's own namespace and podns with vxlan0
 * carrying the pod IP and MAC. The worker holds the adaptor's per-sandbox record with a dummy TLS key.
 */
import { execFileSync } from 'node:child_process';
import { onHost } from '@/lib/lab/host';
import { writeSandboxRecord } from '@/lib/lab/peerpod';
import { exec } from '@/lib/lab/exec';
import { startSshd, type LabSshd } from '@/lib/lab/sshd';
import type { LabHost } from '@/lib/lab/types';
import { buildHosts, PEER_POD, type TestHosts } from './hosts';
import type { TestApiServer, TestObject } from './test-apiserver';

export interface PodVmLab {
  hosts: TestHosts;
  sshd: LabSshd;
  /** The VM's address on its uplink, where sshd listens. */
  vmIp: string;
  host(name: 'worker-1' | 'vm-1'): LabHost;
  /** The test API server's exec target: a peer pod lands in the VM's podns, the agent on worker-1. */
  execPrefix(pod: TestObject): readonly string[] | null;
  /** worker-1 as a Node, its agent pod and the peer pod shop/peer-1. */
  populate(server: TestApiServer): void;
  teardown(): Promise<void>;
}

async function workerTunnel(worker: LabHost, vmIp: string): Promise<void> {
  await onHost(worker, ['ip', 'link', 'add', 'vxlan1', 'type', 'vxlan', 'id', String(PEER_POD.vni), 'remote', vmIp, 'dstport', '4789']);
  await onHost(worker, ['ip', 'link', 'set', 'vxlan1', 'netns', 'cni-peer']);
  await onHost(worker, ['ip', 'link', 'set', 'vxlan1', 'up'], 'cni-peer');
  await writeSandboxRecord(worker, PEER_POD, '192.168.10.1');
}

async function podVm(vm: LabHost, uplink: string, net: string): Promise<void> {
  execFileSync('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'ens3', 'netns', vm.netns]);
  execFileSync('ip', ['addr', 'add', `${net}.1/30`, 'dev', uplink]);
  execFileSync('ip', ['link', 'set', uplink, 'up']);
  await onHost(vm, ['ip', 'addr', 'add', `${net}.2/30`, 'dev', 'ens3']);
  await onHost(vm, ['ip', 'link', 'set', 'ens3', 'up']);
  await onHost(vm, ['ip', 'netns', 'add', 'podns']);
  await onHost(vm, ['ip', 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', String(PEER_POD.vni), 'remote', '192.168.10.1', 'dstport', '4789']);
  await onHost(vm, ['ip', 'link', 'set', 'vxlan0', 'netns', 'podns']);
  await onHost(vm, ['ip', 'link', 'set', 'vxlan0', 'address', PEER_POD.mac, 'mtu', '1450', 'up'], 'podns');
  await onHost(vm, ['ip', 'addr', 'add', `${PEER_POD.ip}/24`, 'dev', 'vxlan0'], 'podns');
}

function pod(namespace: string, name: string, spec: Record<string, unknown>, extra: { labels?: Record<string, string>; ip?: string } = {}): TestObject {
  return {
    metadata: { namespace, name, labels: extra.labels ?? {} },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
    status: { phase: 'Running', ...(extra.ip ? { podIP: extra.ip, podIPs: [{ ip: extra.ip }] } : {}) },
  };
}

/**
 * `prefix` names the kernel namespaces; `slot` picks the /30 of the benchmarking range between the test's namespace
 * and the VM and the uplink's name, so two suites never share them.
 */
export async function buildPodVmLab(prefix: string, slot: number): Promise<PodVmLab> {
  const net = `198.18.${slot % 250}`;
  const uplink = `tsvm${slot % 100000}`;
  const vmIp = `${net}.2`;
  const hosts = await buildHosts(
    [
      { name: 'worker-1', role: 'worker', pods: { 'cni-peer': `${PEER_POD.ip}/24` } },
      { name: 'vm-1', role: 'podvm', pods: {} },
    ],
    prefix,
  );
  const host = (name: string): LabHost => {
    const found = hosts.hosts.find((h) => h.name === name);
    if (!found) throw new Error(`no test host ${name}`);
    return found;
  };
  let sshd: LabSshd | undefined;
  let linked = false;
  const teardown = async (): Promise<void> => {
    await sshd?.stop();
    if (linked) await exec(['ip', 'link', 'del', uplink]);
    await hosts.teardown();
  };
  try {
    await workerTunnel(host('worker-1'), vmIp);
    linked = true;
    await podVm(host('vm-1'), uplink, net);
    sshd = await startSshd(host('vm-1'), vmIp);
  } catch (error) {
    await teardown();
    throw error;
  }
  const started = sshd;
  return {
    hosts,
    sshd: started,
    vmIp,
    host,
    execPrefix: (p) => {
      if (p.spec?.runtimeClassName === 'kata-remote') return [...host('vm-1').enter, 'ip', 'netns', 'exec', 'podns'];
      return p.spec?.nodeName === 'worker-1' ? host('worker-1').enter : null;
    },
    populate(server) {
      server.nodes.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: {} }, status: { addresses: [{ type: 'InternalIP', address: '192.168.10.1' }] } });
      server.addPod(pod('tunnelscope-agent', 'agent-1', { nodeName: 'worker-1', hostNetwork: true }, { labels: { 'app.kubernetes.io/name': 'tunnelscope-agent' }, ip: '192.168.10.1' }));
      server.addPod(pod('shop', 'peer-1', { nodeName: 'worker-1', runtimeClassName: 'kata-remote' }, { ip: PEER_POD.ip }));
    },
    teardown,
  };
}
