/**
 * Stage: OVS bridge nodes and port membership, taken from OVS's own Bridge → Port → Interface tables. On the
 * userspace (netdev) datapath ports have no `master`, so `master ovs-system` is only a fallback for interfaces
 * OVS data does not list (e.g. when ovs-vsctl was not captured): those hang on the ovs-system datapath device.
 */
import type { HostState, OvsBridge, OvsInterface, OvsPort, OvsState } from '@/lib/parse/types';
import { edgeId, hostId, ifaceId, ovsBridgeId } from './ids';
import { rootNamespace } from './inventory';
import type { StageInput, StageOutput } from './stage';
import type { TopoEdge, TopoNode, UnresolvedRef } from './types';

function byRef<T extends { uuid?: string; name: string }>(rows: readonly T[], ref: string): T | undefined {
  return rows.find((r) => r.uuid === ref) ?? rows.find((r) => r.name === ref);
}

export function bridgeInterfaces(ovs: OvsState, bridge: OvsBridge): OvsInterface[] {
  const ports = bridge.ports.map((ref) => byRef(ovs.ports, ref)).filter((p): p is OvsPort => p !== undefined);
  return ports.flatMap((p) => p.interfaces.map((ref) => byRef(ovs.interfaces, ref)).filter((i): i is OvsInterface => i !== undefined));
}

/** The namespace holding a kernel device of this name: the root namespace first, then any unique match. */
function locateDevice(host: HostState, name: string): string | null | undefined {
  const root = rootNamespace(host);
  if (root?.interfaces.some((i) => i.name === name)) return null;
  const holders = host.namespaces.filter((ns) => ns.interfaces.some((i) => i.name === name));
  return holders.length === 1 ? holders[0].netns : undefined;
}

/** Tunnel and patch ports live only inside OVS: no kernel device is expected for them. */
const VIRTUAL_OVS_TYPES = new Set(['patch', 'geneve', 'vxlan', 'gre', 'stt', 'erspan', 'ip6gre', 'ip6erspan', 'gtpu', 'bareudp', 'lisp']);

function ovsPortEdge(from: string, to: string, label: string): TopoEdge {
  return { id: edgeId('ovs-port', from, to, true), kind: 'ovs-port', source: from, target: to, directed: true, label, marks: [] };
}

interface HostOvs {
  nodes: TopoNode[];
  edges: TopoEdge[];
  unresolved: UnresolvedRef[];
  members: Set<string>;
}

function hostOvs(host: HostState): HostOvs {
  const out: HostOvs = { nodes: [], edges: [], unresolved: [], members: new Set() };
  const ovs = host.ovs;
  if (ovs === undefined) return out;
  for (const bridge of ovs.bridges) {
    const bid = ovsBridgeId(host.name, bridge.name);
    out.nodes.push({ id: bid, kind: 'ovs-bridge', label: bridge.name, parent: hostId(host.name), host: host.name, bridge, marks: [] });
    for (const oi of bridgeInterfaces(ovs, bridge)) {
      const netns = locateDevice(host, oi.name);
      if (netns === undefined) {
        if (!VIRTUAL_OVS_TYPES.has(oi.type)) {
          out.unresolved.push({ kind: 'ovs-port', from: bid, target: oi.name, reason: `OVS port ${oi.name} has no kernel device on ${host.name}` });
        }
        continue;
      }
      const from = ifaceId(host.name, netns, oi.name);
      out.members.add(from);
      out.edges.push(ovsPortEdge(from, bid, oi.type === '' ? 'system' : oi.type));
    }
  }
  return out;
}

/** Interfaces enslaved to the kernel datapath that OVS data did not list. */
function datapathFallback(host: HostState, members: Set<string>): TopoEdge[] {
  const edges: TopoEdge[] = [];
  for (const ns of host.namespaces) {
    for (const iface of ns.interfaces) {
      if (iface.master === undefined || (iface.slaveKind !== 'openvswitch' && iface.master !== 'ovs-system')) continue;
      const from = ifaceId(host.name, ns.netns, iface.name);
      if (members.has(from) || !ns.interfaces.some((i) => i.name === iface.master)) continue;
      edges.push(ovsPortEdge(from, ifaceId(host.name, ns.netns, iface.master), 'datapath'));
    }
  }
  return edges;
}

export function ovsStage(input: StageInput): StageOutput {
  const out: Required<Pick<StageOutput, 'nodes' | 'edges' | 'unresolved'>> = { nodes: [], edges: [], unresolved: [] };
  for (const host of input.hosts) {
    const h = hostOvs(host);
    out.nodes.push(...h.nodes);
    out.edges.push(...h.edges, ...datapathFallback(host, h.members));
    out.unresolved.push(...h.unresolved);
  }
  return out;
}

/** OVS Interface rows by the id of the kernel device they describe, for attaching to interface nodes. */
export function ovsInterfacesById(hosts: readonly HostState[]): Map<string, OvsInterface> {
  const out = new Map<string, OvsInterface>();
  for (const host of hosts) {
    for (const oi of host.ovs?.interfaces ?? []) {
      const netns = locateDevice(host, oi.name);
      if (netns !== undefined) out.set(ifaceId(host.name, netns, oi.name), oi);
    }
  }
  return out;
}
