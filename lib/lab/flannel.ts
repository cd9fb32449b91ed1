import { onHost } from './host';
import { UPLINK } from './fabric';
import type { FlannelNodeSpec, LabHost } from './types';

/**
 * What flannel writes as FLANNEL_MTU: the uplink's 1500 less the 50 bytes of VXLAN. flannel.1 gets it, and the CNI
 * plugin gives it to cni0 and to every pod's veth pair, so a pod never sends more than the tunnel carries.
 */
const FLANNEL_MTU = '1450';

/** flannel's VXLAN backend: cni0 bridge for local pods, flannel.1 (VNI 1, port 8472) with route, ARP and FDB per peer. */
export async function createFlannelNode(host: LabHost, spec: FlannelNodeSpec, peers: FlannelNodeSpec[]): Promise<void> {
  await onHost(host, ['ip', 'link', 'add', 'cni0', 'mtu', FLANNEL_MTU, 'type', 'bridge']);
  await onHost(host, ['ip', 'addr', 'add', `${spec.podCidrBase}.1/24`, 'dev', 'cni0']);
  await onHost(host, ['ip', 'link', 'set', 'cni0', 'up']);
  const pod = spec.pod;
  await onHost(host, ['ip', 'netns', 'add', pod.netns]);
  await onHost(host, ['ip', 'link', 'set', 'lo', 'up'], pod.netns);
  await onHost(host, ['ip', 'link', 'add', pod.hostVeth, 'mtu', FLANNEL_MTU, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', FLANNEL_MTU, 'netns', pod.netns]);
  await onHost(host, ['ip', 'link', 'set', pod.hostVeth, 'master', 'cni0', 'up']);
  await onHost(host, ['ip', 'link', 'set', 'eth0', 'up'], pod.netns);
  await onHost(host, ['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0'], pod.netns);
  await onHost(host, ['ip', 'route', 'add', 'default', 'via', `${spec.podCidrBase}.1`], pod.netns);
  await onHost(host, ['ip', 'link', 'add', 'flannel.1', 'mtu', FLANNEL_MTU, 'type', 'vxlan', 'id', '1', 'local', spec.nodeIp, 'dev', UPLINK, 'dstport', '8472', 'nolearning']);
  await onHost(host, ['ip', 'link', 'set', 'flannel.1', 'address', spec.vtepMac, 'up']);
  await onHost(host, ['ip', 'addr', 'add', `${spec.podCidrBase}.0/32`, 'dev', 'flannel.1']);
  for (const peer of peers) {
    const peerNet = `${peer.podCidrBase}.0`;
    await onHost(host, ['ip', 'route', 'add', `${peerNet}/24`, 'via', peerNet, 'dev', 'flannel.1', 'onlink']);
    await onHost(host, ['ip', 'neigh', 'replace', peerNet, 'lladdr', peer.vtepMac, 'dev', 'flannel.1', 'nud', 'permanent']);
    await onHost(host, ['bridge', 'fdb', 'append', peer.vtepMac, 'dev', 'flannel.1', 'dst', peer.nodeIp]);
  }
}
