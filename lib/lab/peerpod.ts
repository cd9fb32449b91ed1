import { createHash } from 'node:crypto';
import { onHost, fileOnHost } from './host';
import { attachPodPort, kernelBlindPort, podLsp } from './ovn';
import type { LabHost, OvnWorkerSpec, PeerPodSpec } from './types';

export const PODVM_NETNS = 'podns';
export const PODVM_VXLAN = 'vxlan0';
export const PEERPOD_CONFIG = '/run/peerpod/podnetwork.json';
/** Where the worker's cloud-api-adaptor keeps each sandbox's pod VM config (pkg/adaptor/cloud/cloud.go). */
export const SANDBOX_RECORDS = '/run/peerpod/pods';
/**
 * The record's TLS key, a dummy in the lab: the collector must read only the record's `pod-network`, so this text
 * must never appear in anything collected from a worker.
 */
export const DUMMY_TLS_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFabDummyPodVmTlsKeyNeverLeavesTheWorker0\n-----END PRIVATE KEY-----\n';

/** Worker side of a peer pod: the CNI's pod veth on br-int, vxlan1 and the tc redirects between them. */
export async function createWorkerPod(host: LabHost, spec: OvnWorkerSpec, pod: PeerPodSpec, vmIp: string): Promise<void> {
  const inPod = (argv: string[]) => onHost(host, argv, pod.netns);
  await onHost(host, ['ip', 'netns', 'add', pod.netns]);
  await inPod(['ip', 'link', 'set', 'lo', 'up']);
  await onHost(host, ['ip', 'link', 'add', pod.hostVeth, 'mtu', String(pod.mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
  await inPod(['ip', 'link', 'set', 'eth0', 'address', pod.mac, 'mtu', String(pod.mtu), 'up']);
  await inPod(['ip', 'addr', 'add', `${pod.ip}/${pod.prefix}`, 'dev', 'eth0']);
  await inPod(['ip', 'route', 'add', 'default', 'via', pod.gateway, 'dev', 'eth0']);
  // The tc redirect transmits on eth0 with the checksum still partial; OVS userspace would forward it unfinished.
  await inPod(['ethtool', '-K', 'eth0', 'tx', 'off']);
  await onHost(host, ['ip', 'link', 'set', pod.hostVeth, 'up']);
  await kernelBlindPort(host, pod.hostVeth);
  await attachPodPort(host, pod.hostVeth, podLsp(pod));
  await onHost(host, ['ip', 'link', 'add', 'vxlan1', 'type', 'vxlan', 'id', String(pod.vni), 'remote', vmIp, 'dstport', String(pod.port)]);
  await onHost(host, ['ip', 'link', 'set', 'vxlan1', 'netns', pod.netns]);
  await inPod(['ip', 'link', 'set', 'vxlan1', 'up']);
  await addRedirect(host, pod.netns, 'eth0', 'vxlan1');
  await addRedirect(host, pod.netns, 'vxlan1', 'eth0');
  await writeSandboxRecord(host, pod, spec.nodeIp);
}

/** The adaptor's per-sandbox record on the worker, with a dummy TLS key beside the pod network. */
export async function writeSandboxRecord(host: LabHost, pod: PeerPodSpec, workerIp: string): Promise<void> {
  await fileOnHost(host, `${SANDBOX_RECORDS}/${sandboxOf(pod)}/apf.json`, JSON.stringify(sandboxRecord(pod, workerIp), null, 2));
}

/** A sandbox id as containerd makes them (64 hex digits), derived from the pod so a rebuilt lab keeps it. */
export function sandboxOf(pod: PeerPodSpec): string {
  return createHash('sha256').update(`${pod.k8sNamespace}/${pod.k8sName}`).digest('hex');
}

/** The tunnel as the adaptor hands it to the pod VM (Go's tunneler.Config), shared by the worker's record and the VM's copy. */
export function podNetwork(pod: PeerPodSpec, workerIp: string): Record<string, unknown> {
  return {
    podip: `${pod.ip}/${pod.prefix}`,
    'pod-hw-addr': pod.mac,
    interface: PODVM_VXLAN,
    'worker-node-ip': `${workerIp}/24`,
    'tunnel-type': 'vxlan',
    routes: [{ Dst: '0.0.0.0/0', GW: pod.gateway, Dev: 'eth0', Protocol: 0, Scope: 0 }],
    mtu: pod.mtu,
    index: pod.vni - 555000,
    'vxlan-port': pod.port,
    'vxlan-id': pod.vni,
    dedicated: false,
  };
}

/** The worker's apf.json of one sandbox (the adaptor's forwarder Config): the pod network and the VM's TLS material. */
function sandboxRecord(pod: PeerPodSpec, workerIp: string): Record<string, unknown> {
  return {
    'pod-network': podNetwork(pod, workerIp),
    'pod-namespace': pod.k8sNamespace,
    'pod-name': pod.k8sName,
    'tls-server-key': DUMMY_TLS_KEY,
    'tls-server-cert': '-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n',
    'tls-client-ca': '-----BEGIN CERTIFICATE-----\nMIIBdummyca\n-----END CERTIFICATE-----\n',
  };
}

export async function addRedirect(host: LabHost, netns: string, from: string, to: string): Promise<void> {
  const qdiscs = await onHost(host, ['tc', 'qdisc', 'show', 'dev', from, 'ingress'], netns);
  if (!qdiscs.includes('ingress')) await onHost(host, ['tc', 'qdisc', 'add', 'dev', from, 'ingress'], netns);
  await onHost(host, ['tc', 'filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to], netns);
}

export interface PodVmTunnel {
  vni: number;
  remote: string;
  port: number;
  mac: string;
}

export function tunnelFor(pod: PeerPodSpec, workerIp: string): PodVmTunnel {
  return { vni: pod.vni, remote: workerIp, port: pod.port, mac: pod.mac };
}

/** Pod VM root side: the primary NIC address comes from the fabric; podns holds the pod IP on vxlan0. */
export async function createPodVm(host: LabHost, pod: PeerPodSpec, worker: OvnWorkerSpec, mac: string): Promise<void> {
  await onHost(host, ['ip', 'netns', 'add', PODVM_NETNS]);
  await onHost(host, ['ip', 'link', 'set', 'lo', 'up'], PODVM_NETNS);
  await createPodVmVxlan(host, pod, { ...tunnelFor(pod, worker.nodeIp), mac });
  const config = podNetwork(pod, worker.nodeIp);
  await fileOnHost(host, PEERPOD_CONFIG, JSON.stringify(config, null, 2));
}

/** Created in the VM's root namespace (the UDP socket stays there) and moved into podns, as cloud-api-adaptor does. */
export async function createPodVmVxlan(host: LabHost, pod: PeerPodSpec, t: PodVmTunnel): Promise<void> {
  const inPodns = (argv: string[]) => onHost(host, argv, PODVM_NETNS);
  await onHost(host, ['ip', 'link', 'add', PODVM_VXLAN, 'type', 'vxlan', 'id', String(t.vni), 'remote', t.remote, 'dstport', String(t.port)]);
  await onHost(host, ['ip', 'link', 'set', PODVM_VXLAN, 'netns', PODVM_NETNS]);
  await inPodns(['ip', 'link', 'set', PODVM_VXLAN, 'address', t.mac, 'mtu', String(pod.mtu), 'up']);
  await inPodns(['ip', 'addr', 'add', `${pod.ip}/${pod.prefix}`, 'dev', PODVM_VXLAN]);
  await inPodns(['ip', 'route', 'add', 'default', 'via', pod.gateway, 'dev', PODVM_VXLAN]);
}

export async function deletePodVmVxlan(host: LabHost): Promise<void> {
  await onHost(host, ['ip', 'link', 'del', PODVM_VXLAN], PODVM_NETNS);
}

/** Current vxlan0 MAC, so recreating the device keeps whatever MAC state it had. */
export async function podVmVxlanMac(host: LabHost): Promise<string | null> {
  const out = await onHost(host, ['ip', '-j', 'link', 'show'], PODVM_NETNS);
  const links: unknown = JSON.parse(out);
  if (!Array.isArray(links)) return null;
  for (const l of links) {
    if (typeof l === 'object' && l !== null && (l as Record<string, unknown>).ifname === PODVM_VXLAN) {
      const mac = (l as Record<string, unknown>).address;
      return typeof mac === 'string' ? mac : null;
    }
  }
  return null;
}
