/**
 * Peer-pod clusters built in real kernel namespaces, shaped unlike the lab: a worker whose pods sit on a Linux
 * bridge (no OVS), several peer pods per worker and per pod VM, sandbox-style namespace names, tunnel devices,
 * VNIs, UDP ports and pod VM namespaces of any name. Each peer pod is split as cloud-api-adaptor splits it: the
 * worker pod namespace keeps the CNI veth `eth0` with the pod IP and a VXLAN device joined to it by two tc
 * redirects; the pod VM holds the pod IP and the pod MAC on its own VXLAN device in a namespace of its own. Both
 * tunnel devices are created in their host's root namespace (where the UDP socket stays) and moved. A layout may
 * have more workers (each with its own pod subnet, routed to the others over the underlay), dual-stack pods, and
 * redirects on a clsact qdisc instead of the legacy ingress qdisc.
 */
import { addRedirect } from '@/lib/lab/peerpod';
import { runOnHost } from '@/lib/lab/host';
import { KernelCluster, type Node, type Pod } from './kernel-cluster';
import { hex, sandbox } from './layouts';

export const PEERPOD_PREFIX = 'tsp-';

export interface PeerPodSpec {
  /** Seeds the sandbox namespace name and the host veth name. */
  seed: string;
  /** Tunnel device in the worker pod namespace. */
  tunnel: string;
  vni: number;
  port: number;
  /** Index of the pod VM host in the layout's `vms`. */
  vm: number;
  vmNetns: string;
  vmDevice: string;
  /** Index of the worker: 0 is the layout's `worker`, 1 on its `moreWorkers`. */
  worker?: number;
}

/** A worker's pod network: the bridge holds `.1` (and `::1`), the pods `.2` (`::2`) on. */
export interface WorkerNetwork {
  /** Pod subnet /24 as `a.b.c`. */
  subnet: string;
  /** Pod subnet /64 as its prefix before `::` (`fd00:1:2`): the pods are dual-stack. */
  subnet6?: string;
}

export interface PeerPodLayout {
  /** A few letters: part of every namespace name. */
  name: string;
  /** Underlay /24 as `a.b.c`. */
  underlay: string;
  bridge: string;
  /** Pod subnet of the (first) worker. */
  subnet: string;
  subnet6?: string;
  mtu: number;
  worker: string;
  /** Further workers, each with its own pod subnet and a bridge of the same name. */
  moreWorkers?: (WorkerNetwork & { name: string })[];
  vms: string[];
  pods: PeerPodSpec[];
  /** The qdisc the tc redirects hang on: the legacy `ingress` (default) or `clsact`. */
  redirects?: 'ingress' | 'clsact';
}

export interface PeerPod extends Pod, PeerPodSpec, WorkerNetwork {
  mac: string;
  vmNode: Node;
  workerNode: Node;
}

export type TunnelEnd = 'worker' | 'vm';

/** The far end and identity of a VXLAN device. */
export interface TunnelParams {
  vni: number;
  port: number;
  /** Underlay address of the other end; its host's own address unless a fault says otherwise. */
  remote?: string;
}

/** A locally administered MAC derived from the pod IP, as bridge CNIs derive `0a:58:…`. */
function podMac(ip: string): string {
  return ['0a', '58', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export class PeerPodCluster {
  readonly pods: PeerPod[] = [];

  private constructor(
    readonly layout: PeerPodLayout,
    readonly cluster: KernelCluster,
    readonly workers: (WorkerNetwork & { node: Node })[],
    readonly vms: Node[],
  ) {}

  /** The first worker. */
  get worker(): Node {
    return this.workers[0].node;
  }

  static async build(layout: PeerPodLayout): Promise<PeerPodCluster> {
    const cluster = new KernelCluster(layout.name, { base: layout.underlay }, PEERPOD_PREFIX);
    try {
      const workers: PeerPodCluster['workers'] = [];
      for (const w of [{ name: layout.worker, subnet: layout.subnet, subnet6: layout.subnet6 }, ...(layout.moreWorkers ?? [])]) {
        workers.push({ subnet: w.subnet, subnet6: w.subnet6, node: await cluster.addNode(w.name, 'worker') });
      }
      const vms: Node[] = [];
      for (const vm of layout.vms) vms.push(await cluster.addNode(vm, 'podvm'));
      const built = new PeerPodCluster(layout, cluster, workers, vms);
      for (const w of workers) await built.addBridge(w);
      await built.routeBetweenWorkers();
      for (const spec of layout.pods) await built.addPeerPod(spec);
      return built;
    } catch (e) {
      await cluster.destroy();
      throw e;
    }
  }

  private on(node: Node, argv: string[], netns?: string): Promise<string> {
    return this.cluster.on(node, argv, netns);
  }

  private async addBridge({ node, subnet, subnet6 }: PeerPodCluster['workers'][number]): Promise<void> {
    const { bridge } = this.layout;
    await this.on(node, ['ip', 'link', 'add', bridge, 'type', 'bridge']);
    await this.on(node, ['ip', 'addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    if (subnet6) {
      await this.on(node, ['ip', 'addr', 'add', `${subnet6}::1/64`, 'dev', bridge]);
      await this.on(node, ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    }
    await this.on(node, ['ip', 'link', 'set', bridge, 'up']);
  }

  /** Each worker routes the other workers' pod subnets to them over the underlay, as a host-gateway CNI does. */
  private async routeBetweenWorkers(): Promise<void> {
    for (const w of this.workers) {
      for (const other of this.workers.filter((o) => o !== w)) await this.on(w.node, ['ip', 'route', 'add', `${other.subnet}.0/24`, 'via', other.node.ip]);
    }
  }

  private async addPeerPod(spec: PeerPodSpec): Promise<void> {
    const { bridge, mtu } = this.layout;
    const { node: w, subnet, subnet6 } = this.workers[spec.worker ?? 0];
    const n = 2 + this.pods.filter((p) => p.workerNode === w).length;
    const ip = `${subnet}.${n}`;
    const ip6 = subnet6 ? `${subnet6}::${n}` : undefined;
    const [netns, hostVeth, vmNode] = [sandbox(spec.seed), `veth${hex(spec.seed, 8)}`, this.vms[spec.vm]];
    const pod: PeerPod = { ...spec, netns, hostVeth, ip, ip6, subnet, subnet6, mac: podMac(ip), vmNode, workerNode: w };
    await this.cluster.addPodNamespace(w, pod);
    const inPod = (argv: string[]) => this.on(w, argv, pod.netns);
    await inPod(['ip', 'link', 'set', 'eth0', 'address', pod.mac, 'mtu', String(mtu)]);
    await inPod(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await inPod(['ip', 'route', 'add', 'default', 'via', `${subnet}.1`, 'dev', 'eth0']);
    if (subnet6) {
      await inPod(['ip', '-6', 'addr', 'add', `${ip6}/64`, 'dev', 'eth0', 'nodad']);
      await inPod(['ip', '-6', 'route', 'add', 'default', 'via', `${subnet6}::1`, 'dev', 'eth0']);
    }
    await this.on(w, ['ip', 'link', 'set', pod.hostVeth, 'mtu', String(mtu), 'master', bridge, 'up']);
    await this.addWorkerTunnel(pod, { vni: spec.vni, port: spec.port });
    const vm = pod.vmNode;
    const namespaces = await this.on(vm, ['ip', 'netns', 'list']);
    if (!namespaces.split('\n').some((l) => l.split(' ')[0] === spec.vmNetns)) {
      await this.on(vm, ['ip', 'netns', 'add', spec.vmNetns]);
      await this.on(vm, ['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], spec.vmNetns);
      await this.on(vm, ['ip', 'link', 'set', 'lo', 'up'], spec.vmNetns);
    }
    await this.addVmTunnel(pod, { vni: spec.vni, port: spec.port, mac: pod.mac });
    await this.notrack(w, 'A', pod, vm.ip);
    await this.notrack(vm, 'A', pod, w.ip);
    this.pods.push(pod);
  }

  /** The worker end: created in the worker's root namespace, moved into the pod namespace, joined to eth0 by both redirects. */
  async addWorkerTunnel(pod: PeerPod, t: TunnelParams): Promise<void> {
    const w = pod.workerNode;
    await this.on(w, ['ip', 'link', 'add', pod.tunnel, 'type', 'vxlan', 'id', String(t.vni), 'remote', t.remote ?? pod.vmNode.ip, 'dstport', String(t.port)]);
    await this.on(w, ['ip', 'link', 'set', pod.tunnel, 'netns', pod.netns]);
    await this.on(w, ['ip', 'link', 'set', pod.tunnel, 'up'], pod.netns);
    await this.addRedirect(pod, 'eth0', pod.tunnel);
    await this.addRedirect(pod, pod.tunnel, 'eth0');
  }

  /** The worker end and both redirects go; eth0's ingress filter would otherwise point at a device that no longer exists. */
  async deleteWorkerTunnel(pod: PeerPod): Promise<void> {
    await this.deleteRedirect(pod, 'eth0');
    await this.on(pod.workerNode, ['ip', 'link', 'del', pod.tunnel], pod.netns);
  }

  /**
   * cloud-api-adaptor's raw-table rules that keep the tunnel out of connection tracking, one pair per tunnel on
   * each end (comment `peerpod [vni:N]`); `op` 'A' adds them, 'D' deletes them.
   */
  async notrack(node: Node, op: 'A' | 'D', t: { vni: number; port: number }, remote: string): Promise<void> {
    const chains = [
      ['peerpod-OUTPUT', 'OUTPUT', '-d'],
      ['peerpod-PREROUTING', 'PREROUTING', '-s'],
    ];
    const existing = await this.on(node, ['iptables', '-w', '-t', 'raw', '-S']);
    for (const [chain, parent, flag] of chains) {
      if (!existing.includes(`-N ${chain}`)) {
        await this.on(node, ['iptables', '-w', '-t', 'raw', '-N', chain]);
        await this.on(node, ['iptables', '-w', '-t', 'raw', '-A', parent, '-j', chain]);
      }
      const match = ['-m', 'comment', '--comment', `peerpod [vni:${t.vni}]`, flag, `${remote}/32`, '-p', 'udp', '-m', 'udp', '--dport', String(t.port)];
      await this.on(node, ['iptables', '-w', '-t', 'raw', `-${op}`, chain, ...match, '-j', 'NOTRACK']);
    }
  }

  /**
   * The pod VM end: created under a temporary name in the VM's root namespace, moved into the pod's namespace and
   * renamed there (several pods on one VM may use the same device name), given the MAC, MTU, pod IP and route.
   */
  async addVmTunnel(pod: PeerPod, t: TunnelParams & { mac: string }): Promise<void> {
    const vm = pod.vmNode;
    const temporary = 'tsp-newtun';
    await this.on(vm, ['ip', 'link', 'add', temporary, 'type', 'vxlan', 'id', String(t.vni), 'remote', t.remote ?? pod.workerNode.ip, 'dstport', String(t.port)]);
    await this.on(vm, ['ip', 'link', 'set', temporary, 'netns', pod.vmNetns]);
    const inPod = (argv: string[]) => this.on(vm, argv, pod.vmNetns);
    await inPod(['ip', 'link', 'set', temporary, 'name', pod.vmDevice]);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'address', t.mac, 'mtu', String(this.layout.mtu), 'up']);
    await inPod(['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', pod.vmDevice]);
    if (pod.ip6) await inPod(['ip', '-6', 'addr', 'add', `${pod.ip6}/64`, 'dev', pod.vmDevice, 'nodad']);
    await this.vmDefaultRoutes(pod, 'add');
  }

  private async vmDefaultRoutes(pod: PeerPod, op: 'add' | 'replace'): Promise<void> {
    const inPod = (argv: string[]) => this.on(pod.vmNode, argv, pod.vmNetns);
    await inPod(['ip', 'route', op, 'default', 'via', `${pod.subnet}.1`, 'dev', pod.vmDevice]);
    if (pod.subnet6) await inPod(['ip', '-6', 'route', op, 'default', 'via', `${pod.subnet6}::1`, 'dev', pod.vmDevice]);
  }

  /** Recreates one end of the pod's tunnel, with the pod's own VNI, port and remote where `t` does not say otherwise. */
  async rebuildTunnel(pod: PeerPod, end: TunnelEnd, t: Partial<TunnelParams> = {}): Promise<void> {
    const params = { vni: pod.vni, port: pod.port, ...t };
    if (end === 'vm') {
      await this.deleteVmTunnel(pod);
      await this.addVmTunnel(pod, { ...params, mac: pod.mac });
    } else {
      await this.deleteWorkerTunnel(pod);
      await this.addWorkerTunnel(pod, params);
    }
  }

  async deleteVmTunnel(pod: PeerPod): Promise<void> {
    await this.on(pod.vmNode, ['ip', 'link', 'del', pod.vmDevice], pod.vmNetns);
  }

  /** Sets the pod VM device's MAC the way the fix does: down, address, up (which drops its IPv6 address: given back). */
  async setVmMac(pod: PeerPod, mac: string): Promise<void> {
    const inPod = (argv: string[]) => this.on(pod.vmNode, argv, pod.vmNetns);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'down']);
    await inPod(['ip', 'link', 'set', 'dev', pod.vmDevice, 'address', mac]);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'up']);
    if (pod.ip6) await inPod(['ip', '-6', 'addr', 'replace', `${pod.ip6}/64`, 'dev', pod.vmDevice, 'nodad']);
    await this.vmDefaultRoutes(pod, 'replace');
  }

  async deleteRedirect(pod: PeerPod, from: string): Promise<void> {
    await this.on(pod.workerNode, ['tc', 'filter', 'del', 'dev', from, 'ingress'], pod.netns);
  }

  async addRedirect(pod: PeerPod, from: string, to: string): Promise<void> {
    if (this.layout.redirects !== 'clsact') return addRedirect(pod.workerNode.host, pod.netns, from, to);
    const inPod = (argv: string[]) => this.on(pod.workerNode, argv, pod.netns);
    if (!(await inPod(['tc', 'qdisc', 'show', 'dev', from])).includes('clsact')) await inPod(['tc', 'qdisc', 'add', 'dev', from, 'clsact']);
    await inPod(['tc', 'filter', 'add', 'dev', from, 'ingress', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to]);
  }

  /**
   * The underlay addresses that one end's VXLAN device has learned for a MAC (entries the kernel added from
   * frames it received, not the ones `ip link add … remote` made): with learning on, a tunnel whose configured
   * remote is wrong still reaches the far end once the far end has sent it a frame.
   */
  async learnedRemotes(pod: PeerPod, end: TunnelEnd): Promise<string[]> {
    const [node, netns, dev] = end === 'vm' ? [pod.vmNode, pod.vmNetns, pod.vmDevice] : [pod.workerNode, pod.netns, pod.tunnel];
    const out = await this.on(node, ['bridge', '-j', 'fdb', 'show', 'dev', dev], netns);
    const rows = (out.trim() ? JSON.parse(out) : []) as { mac: string; dst?: string; state?: string }[];
    return rows.filter((r) => r.mac !== '00:00:00:00:00:00' && r.dst !== undefined && r.state !== 'permanent').map((r) => r.dst as string);
  }

  /** The MAC a node's root namespace resolves an IP to (its neighbour entry on any device), if it has one. */
  async resolvedMac(node: Node, ip: string): Promise<string | undefined> {
    const out = await this.on(node, ['ip', '-j', 'neigh', 'show', 'to', ip]);
    const rows = (out.trim() ? JSON.parse(out) : []) as { lladdr?: string }[];
    return rows.find((r) => r.lladdr !== undefined)?.lladdr;
  }

  /**
   * Empties every neighbour cache and learned VXLAN FDB entry of the cluster (each node's root namespace and its
   * named namespaces), so that what one test's traffic taught the kernel does not carry into the next test.
   */
  async forget(): Promise<void> {
    for (const node of [...this.workers.map((w) => w.node), ...this.vms]) {
      const listed = await this.on(node, ['ip', '-j', 'netns', 'list']);
      const names = (listed.trim() ? (JSON.parse(listed) as { name: string }[]) : []).map((n) => n.name);
      for (const netns of [undefined, ...names]) {
        await this.on(node, ['ip', 'neigh', 'flush', 'all'], netns);
        const fdb = JSON.parse((await this.on(node, ['bridge', '-j', 'fdb', 'show'], netns)).trim() || '[]') as { mac: string; ifname?: string; dst?: string; state?: string }[];
        for (const e of fdb.filter((r) => r.dst !== undefined && r.ifname !== undefined && r.mac !== '00:00:00:00:00:00' && r.state !== 'permanent')) {
          // An entry may age out between the listing and the delete: that is the state wanted.
          await this.on(node, ['bridge', 'fdb', 'del', e.mac, 'dev', e.ifname as string, 'dst', e.dst as string], netns).catch(() => undefined);
        }
      }
    }
  }

  /** Pings `ip` (v4 or v6) from a node's root namespace (the first worker unless given) or from a pod VM namespace; true when a reply came back. */
  async ping(ip: string, from: Node | PeerPod = this.worker): Promise<boolean> {
    const [host, netns] = 'vmNode' in from ? [from.vmNode.host, from.vmNetns] : [from.host, undefined];
    const result = await runOnHost(host, ['ping', '-c', '2', '-i', '0.2', '-W', '2', ip], { netns, timeoutMs: 10_000 });
    return result.exitCode === 0;
  }

  /** Each worker pings its pods, every pod (from its VM) pings every other pod, on every address; the pairs without a reply. */
  async unreachable(): Promise<string[]> {
    const failed: string[] = [];
    const addresses = (p: PeerPod) => [p.ip, ...(p.ip6 ? [p.ip6] : [])];
    for (const pod of this.pods) {
      for (const ip of addresses(pod)) if (!(await this.ping(ip, pod.workerNode))) failed.push(`${pod.workerNode.host.name} -> ${ip}`);
    }
    for (const from of this.pods) {
      for (const to of this.pods.filter((p) => p !== from)) {
        const both = (p: PeerPod) => (p.ip6 && from.ip6 ? addresses(p) : [p.ip]);
        for (const ip of both(to)) if (!(await this.ping(ip, from))) failed.push(`${from.ip} -> ${ip}`);
      }
    }
    return failed;
  }

  destroy(): Promise<void> {
    return this.cluster.destroy();
  }
}
