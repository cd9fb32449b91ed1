import { listHostNamespaces, onHost, runOnHost } from './host';
import { attachPodPort, kernelBlindPort, podLsp, waitBound } from './ovn';
import { addRedirect, createPodVmVxlan, deletePodVmVxlan, podVmVxlanMac, PODVM_NETNS, PODVM_VXLAN } from './peerpod';
import { FABRIC_NETNS, SEED_PODVM_MAC } from './scenarios';
import { must } from './exec';
import type { LabState } from './state';
import type { FlannelNodeSpec, LabHost, OvnWorkerSpec, PeerPodSpec, ScenarioSpec } from './types';

export interface FaultContext {
  scenario: ScenarioSpec;
  state: LabState;
  host(name: string): LabHost;
  broken(fault: string): boolean;
}

export interface Fault {
  name: string;
  description: string;
  /** apply (broken) or undo (healed); state.faults already says which */
  apply(ctx: FaultContext, broken: boolean): Promise<void>;
  requires?: 'flannel';
}

interface PeerPodTarget {
  worker: OvnWorkerSpec;
  pod: PeerPodSpec;
  w: LabHost;
  vm: LabHost;
}

/** Peer-pod faults target the first worker's first peer pod, the incident's pod. */
function target(ctx: FaultContext): PeerPodTarget {
  const worker = ctx.scenario.workers[0];
  const pod = worker.pods[0];
  return { worker, pod, w: ctx.host(worker.name), vm: ctx.host(pod.vm) };
}

const WRONG_REMOTE = '192.168.10.99';
const WRONG_NEIGHBOR_MAC = '0a:58:0a:84:02:fe';
const SHRUNK_MTU = 1300;
const DUPLICATE = { netns: 'e4b1c9a2-7d3f-4a18-b5c6-0d9e8f7a6b5c', hostVeth: 'e4b1c9a27d3f4a1', mac: '0a:58:0a:84:02:63', lsp: 'default_nginx-dup' };

async function setVxlanMac(vm: LabHost, pod: PeerPodSpec, mac: string): Promise<void> {
  const inPodns = (argv: string[]) => onHost(vm, argv, PODVM_NETNS);
  await inPodns(['ip', 'link', 'set', PODVM_VXLAN, 'down']);
  await inPodns(['ip', 'link', 'set', PODVM_VXLAN, 'address', mac]);
  await inPodns(['ip', 'link', 'set', PODVM_VXLAN, 'up']);
  await inPodns(['ip', 'route', 'replace', 'default', 'via', pod.gateway, 'dev', PODVM_VXLAN]);
}

/** The pod VM's tunnel as the broken-fault set says it should be; recreated because VNI and port cannot change in place. */
async function reconcilePodVmTunnel(ctx: FaultContext): Promise<void> {
  const { worker, pod, vm } = target(ctx);
  if ((await podVmVxlanMac(vm)) !== null) await deletePodVmVxlan(vm);
  if (ctx.broken('tunnel-peer-missing')) return;
  await createPodVmVxlan(vm, pod, {
    vni: ctx.broken('vxlan-vni-mismatch') ? pod.vni + 1 : pod.vni,
    remote: ctx.broken('vxlan-remote-mismatch') ? WRONG_REMOTE : worker.nodeIp,
    port: ctx.broken('vxlan-port-mismatch') ? pod.port + 1 : pod.port,
    mac: ctx.broken('podvm-mac-mismatch') ? SEED_PODVM_MAC : pod.mac,
  });
}

async function removeDuplicate(ctx: FaultContext): Promise<void> {
  const { pod, w } = target(ctx);
  await onHost(w, ['ovs-vsctl', '--if-exists', 'del-port', 'br-int', DUPLICATE.hostVeth]);
  await onHost(w, ['ovn-nbctl', '--if-exists', 'lsp-del', DUPLICATE.lsp]);
  await runOnHost(w, ['nft', 'delete', 'chain', 'netdev', 'ovs-netdev-ports', `port_${DUPLICATE.hostVeth}`]);
  if ((await listHostNamespaces(w)).includes(DUPLICATE.netns)) await onHost(w, ['ip', 'netns', 'del', DUPLICATE.netns]);
  await onHost(w, ['ip', 'neigh', 'flush', 'to', pod.ip]);
  await onHost(w, ['ovn-nbctl', '--wait=hv', 'sync']);
}

async function toggleDuplicate(ctx: FaultContext, broken: boolean): Promise<void> {
  await removeDuplicate(ctx);
  if (!broken) return;
  const { worker, pod, w } = target(ctx);
  const inDup = (argv: string[]) => onHost(w, argv, DUPLICATE.netns);
  await onHost(w, ['ip', 'netns', 'add', DUPLICATE.netns]);
  await onHost(w, ['ip', 'link', 'add', DUPLICATE.hostVeth, 'mtu', String(pod.mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', DUPLICATE.netns]);
  await inDup(['ip', 'link', 'set', 'eth0', 'address', DUPLICATE.mac, 'mtu', String(pod.mtu), 'up']);
  await inDup(['ip', 'addr', 'add', `${pod.ip}/${pod.prefix}`, 'dev', 'eth0']);
  await inDup(['ip', 'route', 'add', 'default', 'via', pod.gateway, 'dev', 'eth0']);
  await onHost(w, ['ip', 'link', 'set', DUPLICATE.hostVeth, 'up']);
  await kernelBlindPort(w, DUPLICATE.hostVeth);
  // ovn-nbctl lsp-set-addresses refuses a duplicate IP; an IPAM bug writes the NB row directly, and so does this.
  const addr = `"${DUPLICATE.mac} ${pod.ip}"`;
  await onHost(w, ['ovn-nbctl', 'lsp-add', worker.name, DUPLICATE.lsp, '--', 'set', 'logical_switch_port', DUPLICATE.lsp, `addresses=${addr}`, `port_security=${addr}`]);
  await attachPodPort(w, DUPLICATE.hostVeth, DUPLICATE.lsp);
  await onHost(w, ['ip', 'neigh', 'flush', 'to', pod.ip]);
}

/** nf_tables table in the underlay's own namespace: the fabric stands for the network between the machines. */
const UNDERLAY_TABLE = 'tunnelscope_underlay';

/**
 * The underlay drops the tunnel's UDP port on its way to the pod VM, as a cloud security group would. It sits in
 * the fabric, which no capture covers: each host looks healthy, and only counters over time show the loss.
 */
async function toggleUnderlayDrop(ctx: FaultContext, broken: boolean): Promise<void> {
  const { pod } = target(ctx);
  const vm = ctx.scenario.podvms.find((v) => v.name === pod.vm);
  if (!vm) throw new Error(`the scenario has no pod VM ${pod.vm}`);
  const nft = (...args: string[]) => must(['ip', 'netns', 'exec', FABRIC_NETNS, 'nft', ...args], 'configuring the underlay');
  await nft('delete', 'table', 'bridge', UNDERLAY_TABLE).catch(() => undefined);
  if (!broken) return;
  await nft('add', 'table', 'bridge', UNDERLAY_TABLE);
  await nft('add', 'chain', 'bridge', UNDERLAY_TABLE, 'tunnel_udp', '{ type filter hook forward priority 0; }');
  await nft('add', 'rule', 'bridge', UNDERLAY_TABLE, 'tunnel_udp', 'ip', 'daddr', vm.nodeIp, 'udp', 'dport', String(pod.port), 'counter', 'drop');
}

function flannelPair(ctx: FaultContext): { node: FlannelNodeSpec; peer: FlannelNodeSpec; host: LabHost } {
  const [node, peer] = ctx.scenario.flannel;
  return { node, peer, host: ctx.host(node.name) };
}

const onWorker = (fn: (t: PeerPodTarget, broken: boolean) => Promise<unknown>) => async (ctx: FaultContext, broken: boolean) => {
  await fn(target(ctx), broken);
};

export const FAULTS: Fault[] = [
  {
    name: 'podvm-mac-mismatch',
    description: "pod VM's vxlan0 has its own MAC instead of the worker-side pod eth0 MAC (the incident)",
    apply: onWorker(({ pod, vm }, broken) => setVxlanMac(vm, pod, broken ? SEED_PODVM_MAC : pod.mac)),
  },
  {
    name: 'vxlan-vni-mismatch',
    description: "pod VM's vxlan0 uses a different VNI than the worker's vxlan1",
    apply: (ctx) => reconcilePodVmTunnel(ctx),
  },
  {
    name: 'vxlan-remote-mismatch',
    description: "pod VM's vxlan0 points at a remote that is not the worker's node IP",
    apply: (ctx) => reconcilePodVmTunnel(ctx),
  },
  {
    name: 'vxlan-port-mismatch',
    description: "pod VM's vxlan0 uses UDP port 4790 while the worker sends to 4789",
    apply: (ctx) => reconcilePodVmTunnel(ctx),
  },
  {
    name: 'tc-redirect-missing',
    description: 'the vxlan1 -> eth0 tc mirred redirect in the worker-side pod namespace is gone (one direction)',
    apply: onWorker(({ pod, w }, broken) => (broken ? onHost(w, ['tc', 'filter', 'del', 'dev', 'vxlan1', 'parent', 'ffff:'], pod.netns) : addRedirect(w, pod.netns, 'vxlan1', 'eth0'))),
  },
  {
    name: 'mtu-mismatch',
    description: 'worker-side pod eth0 MTU is 1300 while OVN, the host veth end and the tunnel use 1400',
    apply: onWorker(({ pod, w }, broken) => onHost(w, ['ip', 'link', 'set', 'eth0', 'mtu', String(broken ? SHRUNK_MTU : pod.mtu)], pod.netns)),
  },
  {
    name: 'veth-host-end-down',
    description: 'the host end of the pod veth (br-int port) is administratively down',
    apply: onWorker(({ pod, w }, broken) => onHost(w, ['ip', 'link', 'set', pod.hostVeth, broken ? 'down' : 'up'])),
  },
  {
    name: 'pod-port-off-bridge',
    description: 'the host end of the pod veth is not a port of br-int',
    apply: onWorker(({ pod, w }, broken) => (broken ? onHost(w, ['ovs-vsctl', 'del-port', 'br-int', pod.hostVeth]) : attachPodPort(w, pod.hostVeth, podLsp(pod)))),
  },
  {
    name: 'iface-id-missing',
    description: "the pod's br-int port has no external_ids:iface-id, so OVN never binds it",
    apply: onWorker(async ({ pod, w }, broken) => {
      if (broken) return onHost(w, ['ovs-vsctl', 'remove', 'interface', pod.hostVeth, 'external_ids', 'iface-id']);
      await onHost(w, ['ovs-vsctl', 'set', 'interface', pod.hostVeth, `external_ids:iface-id=${podLsp(pod)}`]);
      await waitBound(w, pod.hostVeth);
    }),
  },
  {
    name: 'mp0-down',
    description: 'the OVN management port ovn-k8s-mp0 on the worker is down',
    apply: onWorker(({ w }, broken) => onHost(w, ['ip', 'link', 'set', 'ovn-k8s-mp0', broken ? 'down' : 'up'])),
  },
  {
    name: 'node-route-missing',
    description: 'the worker has no route to its pod subnet via ovn-k8s-mp0',
    apply: onWorker(({ worker, w }, broken) =>
      broken
        ? onHost(w, ['ip', 'route', 'del', worker.subnet, 'dev', 'ovn-k8s-mp0'])
        : onHost(w, ['ip', 'route', 'add', worker.subnet, 'dev', 'ovn-k8s-mp0', 'proto', 'kernel', 'scope', 'link', 'src', worker.mp0Ip]),
    ),
  },
  {
    name: 'stale-neighbor',
    description: 'the worker has a wrong permanent neighbour entry for the pod IP on ovn-k8s-mp0',
    apply: onWorker(({ pod, w }, broken) =>
      broken ? onHost(w, ['ip', 'neigh', 'replace', pod.ip, 'lladdr', WRONG_NEIGHBOR_MAC, 'dev', 'ovn-k8s-mp0', 'nud', 'permanent']) : onHost(w, ['ip', 'neigh', 'del', pod.ip, 'dev', 'ovn-k8s-mp0']),
    ),
  },
  {
    name: 'podns-firewall-drop',
    description: "an iptables rule in the pod VM's podns drops all incoming packets",
    apply: onWorker(({ vm }, broken) => onHost(vm, ['iptables', '-w', broken ? '-I' : '-D', 'INPUT', '-j', 'DROP'], PODVM_NETNS)),
  },
  {
    name: 'duplicate-pod-ip',
    description: "a second pod on the worker got the peer pod's IP (second logical port and namespace with 10.132.2.46)",
    apply: toggleDuplicate,
  },
  {
    name: 'tunnel-peer-missing',
    description: "the pod VM has no vxlan0: the worker's tunnel has no peer",
    apply: (ctx) => reconcilePodVmTunnel(ctx),
  },
  {
    name: 'underlay-drops-tunnel',
    description: "the network between worker and pod VM drops the tunnel's UDP port towards the pod VM (a cloud security group no host shows)",
    apply: toggleUnderlayDrop,
  },
  {
    name: 'flannel-fdb-missing',
    description: "flannel.1 on the first flannel node has no FDB entry for the other node's VTEP",
    requires: 'flannel',
    apply: async (ctx, broken) => {
      const { peer, host } = flannelPair(ctx);
      const argv = ['bridge', 'fdb', broken ? 'del' : 'append', peer.vtepMac, 'dev', 'flannel.1', 'dst', peer.nodeIp];
      await onHost(host, argv);
    },
  },
];

export function findFault(name: string): Fault | undefined {
  return FAULTS.find((f) => f.name === name);
}
