import type { Evidence, Finding, Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { neighborsTo, ovsInterfacesAttaching } from '@/lib/topology/query/device-index';
import { deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, note, part, sh, type ShellLine, where } from '../fix';
import { deletePodCommands } from '../pod-owner';
import { sameMac } from '../ip';
import { peerPodLinks } from '../peerpod';
import { finding } from '../finding';

const ID = 'peerpod-podvm-mac-mismatch';

/** Neighbour entries anywhere that resolve the pod IP to the worker pod MAC: what the node will send to. */
function corroboration(topology: Topology, podIf: Device): Evidence[] {
  const byHost = new Map<HostState, Evidence[]>();
  const add = (host: HostState, evidence: Evidence[]): void => {
    byHost.set(host, [...(byHost.get(host) ?? []), ...evidence]);
  };
  for (const { host, ns, neigh } of neighborsTo(topology, globalAddresses(podIf.iface))) {
    if (sameMac(neigh.lladdr, podIf.iface.mac)) add(host, entityEvidence(host, ns, neigh));
  }
  for (const { host, ovsIf } of ovsInterfacesAttaching(topology, podIf.iface.mac)) add(host, entityEvidence(host, null, ovsIf));
  return topology.hosts.flatMap((host) => byHost.get(host) ?? []);
}

/** The corroborating signals that are present: the node's neighbour entry and the VM's otherhost drop counter. */
function howWeKnow(topology: Topology, vm: Device, ip: string, mac: string): string {
  const neighbour = neighborsTo(topology, [ip]).some((e) => sameMac(e.neigh.lladdr, mac));
  const dropped = vm.iface.stats?.rxOtherhost ?? 0;
  return (neighbour ? `; the node's neighbour entry for ${ip} confirms ${mac}` : '') + (dropped > 0 ? `; ${vm.iface.name} has already dropped ${dropped} frame(s) as otherhost (ip -s -s link)` : '');
}

/** Who sends to the pod MAC: with OVN the CNI itself answers ARP; a bridge or routed CNI only has what senders resolved. */
function addressedBy(podIf: Device): string {
  const ovn = (podIf.host.ovs?.interfaces.length ?? 0) > 0;
  return ovn
    ? 'The node and the CNI (OVN answers ARP itself and pins the MAC in its flows)'
    : `The node and every sender that resolved ${globalAddresses(podIf.iface)[0] ?? 'the pod IP'} (neighbour entries)`;
}

/**
 * What taking the device down removes and bringing it up does not bring back: its IPv6 addresses (dropped on down
 * unless keep_addr_on_down is set) and the routes through it other than the connected ones.
 */
function restoreAfterUp(vm: Device): ShellLine[] {
  const name = vm.iface.name;
  const addresses = vm.iface.addresses.filter((a) => a.family === 'inet6' && a.scope !== 'link' && a.scope !== 'host').map((a) => sh`ip -6 addr replace ${a.local}/${a.prefixlen} dev ${name}`);
  const routes = vm.ns.routes
    .filter((r) => r.dev === name && (r.table === undefined || r.table === 'main') && r.protocol !== 'kernel' && (r.type === undefined || r.type === 'unicast'))
    .filter((r) => !(r.family === 'inet6' && /^fe[89ab][0-9a-f]:/i.test(r.dst)))
    .map((r) => sh`ip ${r.family === 'inet6' && part`-6 `}route replace ${r.dst}${r.gateway ? part` via ${r.gateway}` : null} dev ${name}${r.scope === 'link' && !r.gateway && part` scope link`}`);
  return [...addresses, ...routes].map((command) => inNetns(vm.ns.netns, command));
}

function findingFor(topology: Topology, podIf: Device, vm: Device, tunnelEdge: string | undefined): Finding {
  const mac = podIf.iface.mac ?? '';
  const name = vm.iface.name;
  const netns = vm.ns.netns;
  const ip = globalAddresses(podIf.iface)[0] ?? 'the pod IP';
  return finding(ID, 'critical', {
    title: `Pod VM ${name} has MAC ${vm.iface.mac ?? '?'} but the pod's MAC is ${mac}`,
    explanation:
      `The peer pod ${ip} is split in two: ${where(podIf.host.name, podIf.ns.netns, podIf.iface.name)} holds the IP the ` +
      `cluster network knows, with MAC ${mac}, and every frame it receives is redirected by tc into the tunnel to ` +
      `${where(vm.host.name, netns, name)}, which carries the same IP with MAC ${vm.iface.mac ?? '?'}. ` +
      `${addressedBy(podIf)} address frames to ${mac}, so the ` +
      `pod VM receives them with a destination MAC that is not its own and drops them as "otherhost": requests arrive, ` +
      `replies never leave. Both ends were read from ip link${howWeKnow(topology, vm, ip, mac)}.`,
    evidence: mergeEvidence([deviceEvidence(vm), deviceEvidence(podIf), ...corroboration(topology, podIf)]),
    elements: [deviceId(vm), deviceId(podIf), ...(tunnelEdge ? [tunnelEdge] : [])],
    fix: [
      inNetns(netns, sh`ip link set ${name} down`),
      inNetns(netns, sh`ip link set dev ${name} address ${mac}`),
      inNetns(netns, sh`ip link set ${name} up`),
      ...restoreAfterUp(vm),
      note`durable: recreate the peer pod; cloud-api-adaptor then sets up the new pod VM's ${name} with the pod's MAC`,
      ...deletePodCommands(topology, podIf),
    ],
  });
}

export const peerpodPodvmMacMismatch: Rule = {
  id: ID,
  severity: 'critical',
  title: 'Peer-pod VM tunnel device MAC differs from the pod MAC',
  run(topology) {
    const out: Finding[] = [];
    for (const link of peerPodLinks(topology)) {
      const vm = link.podVm;
      if (!vm || !link.podIf.iface.mac || !vm.iface.mac || sameMac(vm.iface.mac, link.podIf.iface.mac)) continue;
      out.push(findingFor(topology, link.podIf, vm, link.tunnelEdge));
    }
    return out;
  },
};
