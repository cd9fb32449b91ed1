/**
 * Healthy node layouts of CNIs the rules were not written against, each built as two nodes with pods in real
 * namespaces. Device names, routes and sysctls follow what each CNI sets up on a real node.
 */
import { createHash } from 'node:crypto';
import { KernelCluster, UPLINK, type Node, type Pod } from './kernel-cluster';

/** Stable hex the way CNIs derive device names from a container id. */
export function hex(seed: string, length: number): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, length);
}

export function sandbox(seed: string): string {
  const h = hex(seed, 32);
  return `cni-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const PODS_PER_NODE = [3, 2];

const CALICO_GATEWAY = '169.254.1.1';

/**
 * A Calico workload: `caliXXXXXXXXXXX` with no address on the host end and MAC ee:ee:ee:ee:ee:ee on every host end,
 * proxy ARP answering for the pod's gateway 169.254.1.1, strict rp_filter on the cali device and a /32 route per pod.
 */
async function addCalicoPod(cluster: KernelCluster, node: Node, seed: string, ip: string, mtu?: number): Promise<void> {
  const pod: Pod = { netns: sandbox(seed), hostVeth: `cali${hex(seed, 11)}`, ip };
  await cluster.addPodNamespace(node, pod);
  await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'address', 'ee:ee:ee:ee:ee:ee']);
  if (mtu !== undefined) {
    await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'mtu', String(mtu)]);
    await cluster.on(node, ['ip', 'link', 'set', 'eth0', 'mtu', String(mtu)], pod.netns);
  }
  await cluster.on(node, [
    'sysctl',
    '-qw',
    `net.ipv4.conf.${pod.hostVeth}.proxy_arp=1`,
    `net.ipv4.neigh.${pod.hostVeth}.proxy_delay=0`,
    `net.ipv4.conf.${pod.hostVeth}.rp_filter=1`,
    `net.ipv4.conf.${pod.hostVeth}.forwarding=1`,
    `net.ipv6.conf.${pod.hostVeth}.disable_ipv6=1`,
  ]);
  await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'up']);
  await cluster.on(node, ['ip', 'route', 'add', pod.ip, 'dev', pod.hostVeth, 'scope', 'link']);
  await cluster.on(node, ['ip', 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0'], pod.netns);
  await cluster.on(node, ['ip', 'route', 'add', CALICO_GATEWAY, 'dev', 'eth0', 'scope', 'link'], pod.netns);
  await cluster.on(node, ['ip', 'route', 'add', 'default', 'via', CALICO_GATEWAY, 'dev', 'eth0'], pod.netns);
}

/** Calico without encapsulation (BGP, host-gw style): a blackhole for the node's own /26 block, the other node's block via its address. */
export async function calicoRouted(): Promise<KernelCluster> {
  const cluster = new KernelCluster('cal', { base: '172.31.1' });
  const block = (n: number) => `10.200.${10 + n}`;
  for (const name of ['calico-node-a', 'calico-node-b']) await cluster.addNode(name);
  for (const [i, node] of cluster.nodes.entries()) {
    const n = i + 1;
    await cluster.on(node, ['ip', 'route', 'add', 'blackhole', `${block(n)}.0/26`, 'proto', 'bird']);
    for (const [j, peer] of cluster.nodes.entries()) {
      if (peer !== node) await cluster.on(node, ['ip', 'route', 'add', `${block(j + 1)}.0/26`, 'via', peer.ip, 'dev', UPLINK, 'proto', 'bird']);
    }
    for (let p = 0; p < PODS_PER_NODE[i]; p++) await addCalicoPod(cluster, node, `cal-${n}-${p}`, `${block(n)}.${2 + p}`);
  }
  return cluster;
}

export const CALICO_VXLAN = { device: 'vxlan.calico', vni: 4096, port: 4789, mtu: 1450 };

/**
 * Calico in VXLAN mode: `vxlan.calico` holds a /32 from the node's block; each other block is routed `onlink` via
 * the peer's VTEP address, with a permanent neighbour and an FDB entry per peer. As Felix does, the node accepts
 * VXLAN only from the cluster's hosts and drops it from anywhere else (an ACCEPT, then a DROP for the port).
 */
export async function calicoVxlan(): Promise<KernelCluster> {
  const cluster = new KernelCluster('cvx', { base: '172.31.5' });
  const block = (n: number) => `10.200.${50 + n}`;
  const vtepMac = (n: number) => `66:${hex(`cvx-vtep-${n}`, 10).replace(/(..)(?!$)/g, '$1:')}`;
  for (const name of ['calico-vxlan-1', 'calico-vxlan-2']) await cluster.addNode(name);
  for (const [i, node] of cluster.nodes.entries()) {
    const n = i + 1;
    const vx = ['type', 'vxlan', 'id', String(CALICO_VXLAN.vni), 'dstport', String(CALICO_VXLAN.port), 'local', node.ip, 'dev', UPLINK, 'nolearning'];
    await cluster.on(node, ['ip', 'link', 'add', CALICO_VXLAN.device, ...vx]);
    await cluster.on(node, ['ip', 'link', 'set', CALICO_VXLAN.device, 'address', vtepMac(n), 'mtu', String(CALICO_VXLAN.mtu), 'up']);
    await cluster.on(node, ['ip', 'addr', 'add', `${block(n)}.0/32`, 'dev', CALICO_VXLAN.device]);
    await cluster.on(node, ['ip', 'route', 'add', 'blackhole', `${block(n)}.0/26`, 'proto', '80']);
    for (const [j, peer] of cluster.nodes.entries()) {
      if (peer === node) continue;
      const vtep = `${block(j + 1)}.0`;
      await cluster.on(node, ['ip', 'neigh', 'replace', vtep, 'lladdr', vtepMac(j + 1), 'dev', CALICO_VXLAN.device, 'nud', 'permanent']);
      await cluster.on(node, ['bridge', 'fdb', 'replace', vtepMac(j + 1), 'dev', CALICO_VXLAN.device, 'dst', peer.ip, 'self', 'permanent']);
      await cluster.on(node, ['ip', 'route', 'add', `${block(j + 1)}.0/26`, 'via', vtep, 'dev', CALICO_VXLAN.device, 'onlink', 'proto', '80']);
    }
    await cluster.on(node, ['iptables', '-w', '-N', 'cali-INPUT']);
    await cluster.on(node, ['iptables', '-w', '-A', 'INPUT', '-m', 'comment', '--comment', 'cali:Cz_u1IQiXIMmKD4c', '-j', 'cali-INPUT']);
    const vxlanIn = ['-p', 'udp', '-m', 'multiport', '--dports', String(CALICO_VXLAN.port), '-m', 'addrtype', '--dst-type', 'LOCAL'];
    const comment = (text: string) => ['-m', 'comment', '--comment', text];
    await cluster.on(node, ['iptables', '-w', '-A', 'cali-INPUT', ...vxlanIn, '-s', '172.31.5.0/24', ...comment('Allow IPv4 VXLAN packets from allowed hosts'), '-j', 'ACCEPT']);
    await cluster.on(node, ['iptables', '-w', '-A', 'cali-INPUT', ...vxlanIn, ...comment('Drop IPv4 VXLAN packets from non-allowed hosts'), '-j', 'DROP']);
    for (let p = 0; p < PODS_PER_NODE[i]; p++) await addCalicoPod(cluster, node, `cvx-${n}-${p}`, `${block(n)}.${2 + p}`, CALICO_VXLAN.mtu);
  }
  return cluster;
}

interface BridgeCni {
  name: string;
  bridge: string;
  underlay: { base: string; base6?: string };
  /** IPv4 pod subnet of node n as `a.b.c` (a /24). */
  subnet: (n: number) => string;
  /** IPv6 pod subnet of node n as a /64 prefix without `::`. */
  subnet6?: (n: number) => string;
  hostnames: string[];
  /** Extra node sysctls (the distribution's defaults). */
  sysctls?: string[];
}

async function addBridgePod(cluster: KernelCluster, cni: BridgeCni, node: Node, n: number, p: number): Promise<void> {
  const seed = `${cni.name}-${n}-${p}`;
  const pod: Pod = { netns: sandbox(seed), hostVeth: `veth${hex(seed, 8)}`, ip: `${cni.subnet(n)}.${2 + p}` };
  if (cni.subnet6) pod.ip6 = `${cni.subnet6(n)}::${2 + p}`;
  await cluster.addPodNamespace(node, pod);
  await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'master', cni.bridge]);
  await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'type', 'bridge_slave', 'hairpin', 'on']);
  await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'up']);
  await cluster.on(node, ['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0'], pod.netns);
  await cluster.on(node, ['ip', 'route', 'add', 'default', 'via', `${cni.subnet(n)}.1`], pod.netns);
  if (pod.ip6 && cni.subnet6) {
    await cluster.on(node, ['ip', '-6', 'addr', 'add', `${pod.ip6}/64`, 'dev', 'eth0'], pod.netns);
    await cluster.on(node, ['ip', '-6', 'route', 'add', 'default', 'via', `${cni.subnet6(n)}::1`], pod.netns);
  }
}

/** The bridge plugin with host-gw routing: pods on a node bridge, the other nodes' pod subnets via their node address. */
async function bridgeHostGw(cni: BridgeCni): Promise<KernelCluster> {
  const cluster = new KernelCluster(cni.name, cni.underlay);
  for (const name of cni.hostnames) await cluster.addNode(name);
  for (const [i, node] of cluster.nodes.entries()) {
    const n = i + 1;
    if (cni.subnet6) await cluster.on(node, ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    if (cni.sysctls) await cluster.on(node, ['sysctl', '-qw', ...cni.sysctls]);
    await cluster.on(node, ['ip', 'link', 'add', cni.bridge, 'type', 'bridge']);
    await cluster.on(node, ['ip', 'addr', 'add', `${cni.subnet(n)}.1/24`, 'dev', cni.bridge]);
    if (cni.subnet6) await cluster.on(node, ['ip', '-6', 'addr', 'add', `${cni.subnet6(n)}::1/64`, 'dev', cni.bridge]);
    await cluster.on(node, ['ip', 'link', 'set', cni.bridge, 'up']);
    for (const [j, peer] of cluster.nodes.entries()) {
      if (peer === node) continue;
      await cluster.on(node, ['ip', 'route', 'add', `${cni.subnet(j + 1)}.0/24`, 'via', peer.ip, 'dev', UPLINK]);
      if (cni.subnet6 && peer.ip6) await cluster.on(node, ['ip', '-6', 'route', 'add', `${cni.subnet6(j + 1)}::/64`, 'via', peer.ip6, 'dev', UPLINK]);
    }
    for (let p = 0; p < PODS_PER_NODE[i]; p++) await addBridgePod(cluster, cni, node, n, p);
  }
  return cluster;
}

/** flannel's host-gw backend: `cni0` with the node's /24, no VXLAN; the nodes keep RHEL's strict rp_filter default. */
export function flannelHostGw(): Promise<KernelCluster> {
  return bridgeHostGw({
    name: 'fhg',
    bridge: 'cni0',
    underlay: { base: '172.31.2' },
    subnet: (n) => `10.200.${20 + n}`,
    hostnames: ['flannel-hostgw-1', 'flannel-hostgw-2'],
    sysctls: ['net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.default.rp_filter=1'],
  });
}

/** A dual-stack bridge CNI (kubenet's `cbr0`): IPv4 and IPv6 pod subnets per node, IPv6 routes between nodes. */
export function dualStackBridge(): Promise<KernelCluster> {
  return bridgeHostGw({
    name: 'ds',
    bridge: 'cbr0',
    underlay: { base: '172.31.3', base6: 'fd00:ab:ff:3' },
    subnet: (n) => `10.200.${30 + n}`,
    subnet6: (n) => `fd00:ab:3:${n}`,
    hostnames: ['dualstack-node-1', 'dualstack-node-2'],
  });
}

export const OVERLAY = { device: 'vx-ovl', bridge: 'br-ovl', vni: 4242, port: 4789, mtu: 1450, subnet: '10.200.40' };

/**
 * A plain L2 VXLAN overlay: one pod subnet stretched over the nodes, pods on a bridge that also holds the VXLAN
 * device, head-end replication to the other node through an all-zero FDB entry. Pods use the overlay's MTU.
 */
export async function vxlanOverlay(): Promise<KernelCluster> {
  const cluster = new KernelCluster('vx', { base: '172.31.4' });
  for (const name of ['overlay-node-1', 'overlay-node-2']) await cluster.addNode(name);
  for (const [i, node] of cluster.nodes.entries()) {
    const n = i + 1;
    await cluster.on(node, ['ip', 'link', 'add', OVERLAY.bridge, 'type', 'bridge']);
    await cluster.on(node, ['ip', 'addr', 'add', `${OVERLAY.subnet}.${n}/24`, 'dev', OVERLAY.bridge]);
    const vx = ['type', 'vxlan', 'id', String(OVERLAY.vni), 'dstport', String(OVERLAY.port), 'local', node.ip, 'dev', UPLINK];
    await cluster.on(node, ['ip', 'link', 'add', OVERLAY.device, ...vx]);
    await cluster.on(node, ['ip', 'link', 'set', OVERLAY.device, 'mtu', String(OVERLAY.mtu), 'master', OVERLAY.bridge, 'up']);
    for (const peer of cluster.nodes.filter((p) => p !== node)) {
      await cluster.on(node, ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', OVERLAY.device, 'dst', peer.ip]);
    }
    await cluster.on(node, ['ip', 'link', 'set', OVERLAY.bridge, 'up']);
    for (let p = 0; p < PODS_PER_NODE[i]; p++) {
      const seed = `vx-${n}-${p}`;
      const pod: Pod = { netns: sandbox(seed), hostVeth: `veth${hex(seed, 8)}`, ip: `${OVERLAY.subnet}.${10 * n + p}` };
      await cluster.addPodNamespace(node, pod);
      await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'mtu', String(OVERLAY.mtu), 'master', OVERLAY.bridge, 'up']);
      await cluster.on(node, ['ip', 'link', 'set', 'eth0', 'mtu', String(OVERLAY.mtu)], pod.netns);
      await cluster.on(node, ['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0'], pod.netns);
      await cluster.on(node, ['ip', 'route', 'add', 'default', 'via', `${OVERLAY.subnet}.${n}`], pod.netns);
    }
  }
  return cluster;
}

export const OVS_ROUTED = { bridge: 'br-int', gateway: 'antrea-gw0' };

/**
 * An OVS-based CNI without OVN, routed without encapsulation (Antrea's noEncap mode): pods' veths are ports of the
 * `br-int` OVS bridge, whose internal port `antrea-gw0` is the pods' gateway; the other node's pod subnet is routed
 * via its address. OVS runs the userspace datapath, so the host ends of the pod veths drop what the kernel would
 * otherwise answer itself (as the lab does, reference/lab-recipe.md §7.1).
 */
export async function ovsRouted(): Promise<KernelCluster> {
  const cluster = new KernelCluster('ovs', { base: '172.31.6' });
  const subnet = (n: number) => `10.200.${60 + n}`;
  const { bridge, gateway } = OVS_ROUTED;
  for (const name of ['antrea-node-1', 'antrea-node-2']) await cluster.addNode(name);
  for (const [i, node] of cluster.nodes.entries()) {
    const n = i + 1;
    await cluster.startOvs(node);
    await cluster.on(node, ['ovs-vsctl', 'add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev']);
    await cluster.on(node, ['ovs-vsctl', 'add-port', bridge, gateway, '--', 'set', 'interface', gateway, 'type=internal', 'external_ids:antrea-type=gateway']);
    await cluster.on(node, ['ip', 'addr', 'add', `${subnet(n)}.1/24`, 'dev', gateway]);
    await cluster.on(node, ['ip', 'link', 'set', gateway, 'up']);
    for (const [j, peer] of cluster.nodes.entries()) {
      if (peer !== node) await cluster.on(node, ['ip', 'route', 'add', `${subnet(j + 1)}.0/24`, 'via', peer.ip, 'dev', UPLINK]);
    }
    await cluster.on(node, ['nft', 'add', 'table', 'netdev', 'pod-ports']);
    for (let p = 0; p < PODS_PER_NODE[i]; p++) {
      const seed = `ovs-${n}-${p}`;
      const pod: Pod = { netns: sandbox(seed), hostVeth: `pod-${hex(seed, 6)}-e0`, ip: `${subnet(n)}.${2 + p}` };
      await cluster.addPodNamespace(node, pod);
      const ids = ['external_ids:antrea-type=container', `external_ids:ip=${pod.ip}`, `external_ids:pod-name=web-${p}`, 'external_ids:pod-namespace=default'];
      await cluster.on(node, ['ovs-vsctl', 'add-port', bridge, pod.hostVeth, '--', 'set', 'interface', pod.hostVeth, ...ids]);
      await cluster.on(node, ['nft', `add chain netdev pod-ports ${pod.hostVeth} { type filter hook ingress device "${pod.hostVeth}" priority 0; policy drop; }`]);
      await cluster.on(node, ['ip', 'link', 'set', pod.hostVeth, 'up']);
      await cluster.on(node, ['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0'], pod.netns);
      await cluster.on(node, ['ip', 'route', 'add', 'default', 'via', `${subnet(n)}.1`], pod.netns);
    }
  }
  return cluster;
}
