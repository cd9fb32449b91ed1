/**
 * A cluster nobody named carefully, collected through the real @kubernetes/client-node: the test API server
 * (tests/cluster/test-apiserver.ts) runs each exec on a kernel host (tests/cluster/hosts.ts). The worker holds the
 * hostile namespaces and devices of tests/helpers/hostile-host.ts and a peer-pod record in a hostile sandbox
 * directory with hostile field values; the pod VM's host name is hostile. The API server, untrusted too, serves a
 * node whose name, labels and flannel annotations carry shell payloads and markup, a CNI agent pod with the longest
 * name a pod may have, and a workload pod in a hostile namespace's address.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaptureBundle } from '@/lib/capture/types';
import { onHost, fileOnHost } from '@/lib/lab/host';
import type { LabHost } from '@/lib/lab/types';
import { captureKube, type KubeMode } from '@/lib/kube/source';
import { buildHosts, type TestHosts } from '../cluster/hosts';
import { TestApiServer, type TestObject } from '../cluster/test-apiserver';
import { HOSTILE_STEPS } from './hostile-host';

const SCRIPT = readFileSync(path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh'), 'utf8');

/** Names a real API server refuses (a node name is a DNS subdomain), served anyway: the client trusts no server. */
export const NODE = `h25-$(touch\${IFS}PWG1)'"<script>alert(1)</script>`;
/** At most 64 bytes, as the kernel keeps a host name. */
export const VM_HOSTNAME = `vm'$(touch\${IFS}PWG2)<img src=x onerror=alert(2)>🔥`;
export const SANDBOX = `sb'$(touch\${IFS}PWG3)\`id\``;
export const PUBLIC_IP = `192.168.10.1$(touch\${IFS}PWG4)`;
export const VTEP_MAC = `0a:58:$(touch\${IFS}PWG5)<script>`;
/** The longest name Kubernetes gives a pod: a DNS subdomain of 253 characters. */
export const CNI_POD = `kube-flannel-ds-${'a'.repeat(63 - 16)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
const WORKLOAD = { namespace: 'shop', name: 'web-0', ip: '10.250.20.1' };
export const PEER_POD = { namespace: 'shop', name: 'peer-1', ip: '10.244.1.50' };
export const AGENT_POD = 'agent-1';

export interface HostileCluster {
  server: TestApiServer;
  kubeconfig: string;
  capture(mode: KubeMode, podVms?: boolean): Promise<CaptureBundle>;
  stop(): Promise<void>;
}

function pod(namespace: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, ip?: string): TestObject {
  return {
    metadata: { namespace, name, labels },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
    status: { phase: 'Running', ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}) },
  };
}

export async function startHostileCluster(): Promise<HostileCluster> {
  const hosts: TestHosts = await buildHosts(
    [
      { name: 'worker-1', role: 'worker', pods: {} },
      { name: 'podvm-1', role: 'podvm', pods: { podns: `${PEER_POD.ip}/24` } },
    ],
    'h25-',
  );
  const [worker, vm] = hosts.hosts as [LabHost, LabHost];
  for (const step of HOSTILE_STEPS) await onHost(worker, ['ip', ...step]);
  // flannel's VTEP, whose MAC and address are not what the node's annotations publish.
  await onHost(worker, ['ip', 'link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'local', '192.168.10.1', 'dstport', '8472', 'nolearning']);
  const record = {
    'pod-name': `${PEER_POD.name}$(touch\${IFS}PWG6)`,
    'pod-namespace': PEER_POD.namespace,
    'pod-network': { podip: `${PEER_POD.ip}/24'\`id\``, 'pod-hw-addr': VTEP_MAC, 'worker-node-ip': PUBLIC_IP, 'vxlan-id': '555001;touch PWG7', 'vxlan-port': 4789, mtu: 1450, interface: '<script>x' },
  };
  await fileOnHost(worker, `/run/peerpod/pods/${SANDBOX}/apf.json`, JSON.stringify(record));
  await onHost(vm, ['sh', '-c', 'printf %s "$1" > /proc/sys/kernel/hostname', 'sh', VM_HOSTNAME]);

  const server = new TestApiServer({
    tokens: { 'token-admin': { user: 'admin' } },
    execPrefix: (p) => {
      if (p.spec?.runtimeClassName === 'kata-remote') return [...vm.enter, 'ip', 'netns', 'exec', 'podns'];
      if (p.spec?.nodeName !== NODE) return null;
      // A hostPID pod's PID 1 is the node's init: the command starts in a PID namespace whose PID 1 is on the host.
      return p.spec.hostPID ? [...worker.enter, 'unshare', '--pid', '--fork', '--mount-proc'] : worker.enter;
    },
  });
  await server.start();
  server.nodes.push({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE,
      labels: { 'kubernetes.io/hostname': 'worker-1', pool: 'hostile' },
      annotations: {
        'flannel.alpha.coreos.com/public-ip': PUBLIC_IP,
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: VTEP_MAC }),
      },
    },
    spec: { podCIDR: '10.250.20.0/24', podCIDRs: ['10.250.20.0/24'] },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.10.1' }] },
  });
  server.addPod(pod('tunnelscope-agent', AGENT_POD, { nodeName: NODE, hostNetwork: true }, { 'app.kubernetes.io/name': 'tunnelscope-agent' }, '192.168.10.1'));
  server.addPod(pod('kube-flannel', CNI_POD, { nodeName: NODE, hostNetwork: true, containers: [{ name: 'kube-flannel', image: 'flannel' }] }, { app: 'flannel' }, '192.168.10.1'));
  server.addPod(pod(WORKLOAD.namespace, WORKLOAD.name, { nodeName: NODE }, {}, WORKLOAD.ip));
  server.addPod(pod(PEER_POD.namespace, PEER_POD.name, { nodeName: NODE, runtimeClassName: 'kata-remote' }, {}, PEER_POD.ip));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'h25-kube-'));
  const kubeconfig = path.join(dir, 'config');
  writeFileSync(kubeconfig, server.kubeconfig({ context: 'admin@hostile', cluster: 'hostile-cluster', token: 'token-admin' }));
  return {
    server,
    kubeconfig,
    capture: (mode, podVms = false) => captureKube({ kubeconfig, script: SCRIPT, hostTimeoutMs: 60_000, mode, podVms }),
    stop: async () => {
      await server.stop();
      await hosts.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
