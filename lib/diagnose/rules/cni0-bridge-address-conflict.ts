import type { Finding, Rule } from '../types';
import type { Address, HostState, NamespaceState } from '@/lib/parse/types';
import { deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inCidr } from '../ip';
import { podVethHostEnds } from '../veth';
import { flannelVtep } from '../vteps';
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';
import { note, part, sh } from '../fix';
import { restartOverlayAgent } from '../agents';
import { deletePodCommands } from '../pod-owner';
import { finding } from '../finding';

const ID = 'cni0-bridge-address-conflict';

function ipv4(iface: Device['iface']): Address[] {
  return iface.addresses.filter((a) => a.family === 'inet' && a.scope !== 'host' && a.scope !== 'link');
}

function inBridge(ip: string, bridgeAddrs: Address[]): boolean {
  return bridgeAddrs.some((a) => inCidr(ip, `${a.local}/${a.prefixlen}`));
}

interface Check {
  bridge: Device;
  vtep: Device;
  subnetBase: string;
  strayPods: Device[];
}

function checkBridge(host: HostState, root: NamespaceState, vtep: Device): Check | undefined {
  const iface = root.interfaces.find((i) => i.name === 'cni0' && i.kind === 'bridge');
  const subnetBase = globalAddresses(vtep.iface)[0];
  if (!iface || subnetBase === undefined) return undefined;
  const bridge: Device = { host, ns: root, iface };
  const addrs = ipv4(iface);
  if (addrs.length === 0) return undefined;
  const strayPods = podVethHostEnds(host)
    .filter(({ hostEnd }) => hostEnd.iface.master === iface.name)
    .map(({ podEnd }) => podEnd)
    .filter((pod) => globalAddresses(pod.iface).some((ip) => !inBridge(ip, addrs)));
  const stale = !inBridge(subnetBase, addrs) || addrs.length > 1;
  return stale || strayPods.length > 0 ? { bridge, vtep, subnetBase, strayPods } : undefined;
}

function findingFor(topology: Topology, cluster: ClusterContext | undefined, c: Check): Finding {
  const addrs = ipv4(c.bridge.iface);
  const listed = addrs.map((a) => `${a.local}/${a.prefixlen}`);
  const gateway = addrs.find((a) => inCidr(c.subnetBase, `${a.local}/${a.prefixlen}`));
  const what = [
    ...(gateway ? [] : [`cni0 has ${listed.join(', ')}, outside flannel's current subnet (${c.vtep.iface.name} holds ${c.subnetBase})`]),
    ...(addrs.length > 1 ? [`cni0 has ${addrs.length} addresses (${listed.join(', ')})`] : []),
    ...(c.strayPods.length > 0 ? [`pods with addresses outside cni0's subnet: ${c.strayPods.map((p) => globalAddresses(p.iface).join(',')).join(', ')}`] : []),
  ].join('; ');
  const host = c.bridge.host.name;
  return finding(ID, 'warning', {
    title: `cni0 on ${host} does not match the node's pod subnet: ${what}`,
    explanation:
      `The bridge plugin gives cni0 the gateway address of the node's pod subnet, and every pod on the node takes an address ` +
      `in that subnet with cni0 as its default gateway. flannel keeps the subnet's network address on ${c.vtep.iface.name} ` +
      `(${c.subnetBase}). On ${host}: ${what}. This is what a node that rejoined the cluster with a new subnet looks like: ` +
      `new pods fail with 'failed to set bridge addr: "cni0" already has an IP address different from …', and pods of the ` +
      `old subnet are routed by other nodes to somewhere else.`,
    evidence: [deviceEvidence(c.bridge), deviceEvidence(c.vtep), ...c.strayPods.map(deviceEvidence)],
    elements: [deviceId(c.bridge), ...c.strayPods.map(deviceId)],
    fix:
      gateway && addrs.length === 1
        ? [note`cni0 is right; recreate the pods that kept an old address: ${c.strayPods.map((p) => p.ns.netns ?? '?')}`, ...c.strayPods.flatMap((p) => deletePodCommands(topology, p))]
        : [
            sh`ip link set cni0 down`,
            sh`ip link delete cni0`,
            ...restartOverlayAgent(topology, cluster, c.bridge.host, c.vtep.iface.name, part`rewrites /run/flannel/subnet.env; then recreate the pods of this node`),
          ],
  });
}

export const cni0BridgeAddressConflict: Rule = {
  id: ID,
  severity: 'warning',
  title: 'cni0 holds an address outside the node pod subnet',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const vtep = flannelVtep(host);
      if (!vtep) continue;
      const check = checkBridge(host, vtep.ns, vtep);
      if (check) out.push(findingFor(topology, cluster, check));
    }
    return out;
  },
};
