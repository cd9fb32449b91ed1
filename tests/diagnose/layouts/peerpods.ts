/**
 * Peer-pod clusters built in real kernel namespaces, shaped unlike the lab: a worker whose pods sit on a Linux
 * bridge (no OVS), several peer pods per worker and per pod VM, sandbox-style namespace names, tunnel devices,
 * VNIs, UDP ports and pod VM namespaces of any name. Each peer pod is split as cloud-api-adaptor splits it: the
 * worker pod namespace keeps the CNI veth `eth0` with the pod IP and a VXLAN device joined to it by two tc
 * redirects; the pod VM holds the pod IP and the pod MAC on its own VXLAN device in a namespace of its own. Both
 * tunnel devices are created in their host's root namespace (where the UDP socket stays) and moved.
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
}

export interface PeerPodLayout {
  /** A few letters: part of every namespace name. */
  name: string;
  /** Underlay /24 as `a.b.c`. */
  underlay: string;
  bridge: string;
  /** Pod subnet /24 as `a.b.c`; the bridge holds `.1`, the pods `.2` on. */
  subnet: string;
  mtu: number;
  worker: string;
  vms: string[];
  pods: PeerPodSpec[];
}

export interface PeerPod extends Pod, PeerPodSpec {
  mac: string;
  vmNode: Node;
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
    readonly worker: Node,
    readonly vms: Node[],
  ) {}

  static async build(layout: PeerPodLayout): Promise<PeerPodCluster> {
    const cluster = new KernelCluster(layout.name, { base: layout.underlay }, PEERPOD_PREFIX);
    try {
      const worker = await cluster.addNode(layout.worker, 'worker');
      const vms: Node[] = [];
      for (const vm of layout.vms) vms.push(await cluster.addNode(vm, 'podvm'));
      const built = new PeerPodCluster(layout, cluster, worker, vms);
      await built.addBridge();
      for (const [i, spec] of layout.pods.entries()) await built.addPeerPod(spec, i);
      return built;
    } catch (e) {
      await cluster.destroy();
      throw e;
    }
  }

  private on(node: Node, argv: string[], netns?: string): Promise<string> {
    return this.cluster.on(node, argv, netns);
  }

  private async addBridge(): Promise<void> {
    const { bridge, subnet } = this.layout;
    await this.on(this.worker, ['ip', 'link', 'add', bridge, 'type', 'bridge']);
    await this.on(this.worker, ['ip', 'addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    await this.on(this.worker, ['ip', 'link', 'set', bridge, 'up']);
  }

  private async addPeerPod(spec: PeerPodSpec, i: number): Promise<void> {
    const { bridge, subnet, mtu } = this.layout;
    const ip = `${subnet}.${2 + i}`;
    const pod: PeerPod = { ...spec, netns: sandbox(spec.seed), hostVeth: `veth${hex(spec.seed, 8)}`, ip, mac: podMac(ip), vmNode: this.vms[spec.vm] };
    const w = this.worker;
    await this.cluster.addPodNamespace(w, pod);
    await this.on(w, ['ip', 'link', 'set', 'eth0', 'address', pod.mac, 'mtu', String(mtu)], pod.netns);
    await this.on(w, ['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0'], pod.netns);
    await this.on(w, ['ip', 'route', 'add', 'default', 'via', `${subnet}.1`, 'dev', 'eth0'], pod.netns);
    await this.on(w, ['ip', 'link', 'set', pod.hostVeth, 'mtu', String(mtu), 'master', bridge, 'up']);
    await this.on(w, ['ip', 'link', 'add', spec.tunnel, 'type', 'vxlan', 'id', String(spec.vni), 'remote', pod.vmNode.ip, 'dstport', String(spec.port)]);
    await this.on(w, ['ip', 'link', 'set', spec.tunnel, 'netns', pod.netns]);
    await this.on(w, ['ip', 'link', 'set', spec.tunnel, 'up'], pod.netns);
    await addRedirect(w.host, pod.netns, 'eth0', spec.tunnel);
    await addRedirect(w.host, pod.netns, spec.tunnel, 'eth0');
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
  async addVmTunnel(pod: PeerPod, t: { vni: number; port: number; mac: string }): Promise<void> {
    const vm = pod.vmNode;
    const temporary = 'tsp-newtun';
    await this.on(vm, ['ip', 'link', 'add', temporary, 'type', 'vxlan', 'id', String(t.vni), 'remote', this.worker.ip, 'dstport', String(t.port)]);
    await this.on(vm, ['ip', 'link', 'set', temporary, 'netns', pod.vmNetns]);
    const inPod = (argv: string[]) => this.on(vm, argv, pod.vmNetns);
    await inPod(['ip', 'link', 'set', temporary, 'name', pod.vmDevice]);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'address', t.mac, 'mtu', String(this.layout.mtu), 'up']);
    await inPod(['ip', 'addr', 'add', `${pod.ip}/24`, 'dev', pod.vmDevice]);
    await inPod(['ip', 'route', 'add', 'default', 'via', `${this.layout.subnet}.1`, 'dev', pod.vmDevice]);
  }

  async deleteVmTunnel(pod: PeerPod): Promise<void> {
    await this.on(pod.vmNode, ['ip', 'link', 'del', pod.vmDevice], pod.vmNetns);
  }

  /** Sets the pod VM device's MAC the way the fix does: down, address, up. */
  async setVmMac(pod: PeerPod, mac: string): Promise<void> {
    const inPod = (argv: string[]) => this.on(pod.vmNode, argv, pod.vmNetns);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'down']);
    await inPod(['ip', 'link', 'set', 'dev', pod.vmDevice, 'address', mac]);
    await inPod(['ip', 'link', 'set', pod.vmDevice, 'up']);
    await inPod(['ip', 'route', 'replace', 'default', 'via', `${this.layout.subnet}.1`, 'dev', pod.vmDevice]);
  }

  async deleteRedirect(pod: PeerPod, from: string): Promise<void> {
    await this.on(this.worker, ['tc', 'filter', 'del', 'dev', from, 'ingress'], pod.netns);
  }

  async addRedirect(pod: PeerPod, from: string, to: string): Promise<void> {
    await addRedirect(this.worker.host, pod.netns, from, to);
  }

  /** Pings `ip` from the worker's root namespace (or from a pod VM namespace); true when a reply came back. */
  async ping(ip: string, from?: PeerPod): Promise<boolean> {
    const [host, netns] = from ? [from.vmNode.host, from.vmNetns] : [this.worker.host, undefined];
    const result = await runOnHost(host, ['ping', '-c', '2', '-i', '0.2', '-W', '2', ip], { netns, timeoutMs: 10_000 });
    return result.exitCode === 0;
  }

  /** The worker pings every pod, every pod (from its VM) pings every other pod; the pairs without a reply. */
  async unreachable(): Promise<string[]> {
    const failed: string[] = [];
    for (const pod of this.pods) if (!(await this.ping(pod.ip))) failed.push(`${this.worker.host.name} -> ${pod.ip}`);
    for (const from of this.pods) {
      for (const to of this.pods.filter((p) => p !== from)) if (!(await this.ping(to.ip, from))) failed.push(`${from.ip} -> ${to.ip}`);
    }
    return failed;
  }

  destroy(): Promise<void> {
    return this.cluster.destroy();
  }
}
