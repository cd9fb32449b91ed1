import { onHost, runOnHost } from './host';
import type { CiliumNodeSpec, CiliumPodSpec, LabHost } from './types';

/**
 * A Cilium-style node's devices. No BPF loader exists here, so pods are routed by plain kernel routes and
 * the lxc ingress hook carries a classic-BPF filter (kind "bpf", returns 0 = no verdict) where Cilium would
 * attach its programs; on kernels without cls_bpf a match-nothing u32 filter stands in.
 */
export async function createCiliumNode(host: LabHost, spec: CiliumNodeSpec): Promise<void> {
  await onHost(host, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await onHost(host, ['ip', 'link', 'add', 'cilium_host', 'type', 'veth', 'peer', 'name', 'cilium_net']);
  await onHost(host, ['ip', 'addr', 'add', `${spec.routerIp}/32`, 'dev', 'cilium_host']);
  await onHost(host, ['ip', 'link', 'set', 'cilium_net', 'up']);
  await onHost(host, ['ip', 'link', 'set', 'cilium_host', 'up']);
  await onHost(host, ['ip', 'link', 'add', 'cilium_vxlan', 'type', 'vxlan', 'external', 'dstport', '8472']);
  await onHost(host, ['ip', 'link', 'set', 'cilium_vxlan', 'up']);
  for (const pod of spec.pods) await createCiliumPod(host, spec, pod);
}

async function createCiliumPod(host: LabHost, spec: CiliumNodeSpec, pod: CiliumPodSpec): Promise<void> {
  const inPod = (argv: string[]) => onHost(host, argv, pod.netns);
  await onHost(host, ['ip', 'netns', 'add', pod.netns]);
  await inPod(['ip', 'link', 'set', 'lo', 'up']);
  await onHost(host, ['ip', 'link', 'add', pod.lxc, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
  await inPod(['ip', 'link', 'set', 'eth0', 'up']);
  await inPod(['ip', 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0']);
  await inPod(['ip', 'route', 'add', spec.routerIp, 'dev', 'eth0', 'scope', 'link']);
  await inPod(['ip', 'route', 'add', 'default', 'via', spec.routerIp, 'dev', 'eth0']);
  await onHost(host, ['ip', 'link', 'set', pod.lxc, 'up']);
  await onHost(host, ['ip', 'route', 'add', pod.ip, 'dev', pod.lxc, 'scope', 'link']);
  await onHost(host, ['tc', 'qdisc', 'add', 'dev', pod.lxc, 'clsact']);
  const bpf = await runOnHost(host, ['tc', 'filter', 'add', 'dev', pod.lxc, 'ingress', 'prio', '1', 'handle', '1', 'bpf', 'bytecode', '1,6 0 0 0,']);
  if (bpf.exitCode !== 0) {
    await onHost(host, ['tc', 'filter', 'add', 'dev', pod.lxc, 'ingress', 'prio', '1', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0']);
  }
}
