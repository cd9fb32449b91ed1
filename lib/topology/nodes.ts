/** Stage: host, named-namespace and interface nodes, with their state marks. */
import type { HostState, Interface } from '@/lib/parse/types';
import { hostId, ifaceId, netnsId } from './ids';
import type { StageInput, StageOutput } from './stage';
import type { Mark, TopoNode } from './types';

/**
 * UP without LOWER_UP is a missing carrier, except for devices whose carrier the kernel does not track:
 * loopback, and UNKNOWN-state devices (taps such as ovn-k8s-mp0, vxlan) that never print NO-CARRIER.
 */
function hasNoCarrier(iface: Interface): boolean {
  if (!iface.up || iface.lowerUp || iface.kind === 'loopback') return false;
  if (iface.flags.includes('NO-CARRIER')) return true;
  return iface.operstate !== 'UNKNOWN';
}

export function interfaceMarks(iface: Interface): Mark[] {
  if (!iface.up) return ['down'];
  return hasNoCarrier(iface) ? ['no-carrier'] : [];
}

function hostNodes(host: HostState): TopoNode[] {
  const hid = hostId(host.name);
  const nodes: TopoNode[] = [{ id: hid, kind: 'host', label: host.name, host: host.name, role: host.role, marks: host.status === 'complete' ? [] : ['partial-host'] }];
  for (const ns of host.namespaces) {
    const nsId = netnsId(host.name, ns.netns);
    if (ns.netns !== null) {
      nodes.push({ id: nsId, kind: 'netns', label: ns.netns, parent: hid, host: host.name, netns: ns.netns, marks: [] });
    }
    for (const iface of ns.interfaces) {
      nodes.push({
        id: ifaceId(host.name, ns.netns, iface.name),
        kind: 'interface',
        label: iface.name,
        parent: nsId,
        host: host.name,
        netns: ns.netns,
        iface,
        marks: interfaceMarks(iface),
      });
    }
  }
  return nodes;
}

export function nodesStage(input: StageInput): StageOutput {
  return { nodes: input.hosts.flatMap(hostNodes) };
}
