/**
 * The topology builder: a pipeline of small stages (one file each), every stage reading the hosts and the graph
 * built so far and returning what to add. The result is sorted by id, so input order never changes the output.
 */
import type { ClusterContext } from '@/lib/capture/types';
import type { HostState } from '@/lib/parse/types';
import { bridgePortStage } from './bridge-ports';
import { fdbTunnelStage } from './fdb-tunnels';
import { nodesStage } from './nodes';
import { ovsInterfacesById, ovsStage } from './ovs';
import { podStage } from './pods';
import type { NodeMark, Stage, StageInput } from './stage';
import { tcStage } from './tc-edges';
import { tunnelStage } from './tunnels';
import { underlayStage } from './underlay';
import { vethStage } from './veth-pairs';
import type { Mark, Topology, TopoEdge, TopoNode, UnresolvedRef } from './types';

export const STAGES: ReadonlyArray<{ name: string; run: Stage }> = [
  { name: 'nodes', run: nodesStage },
  { name: 'veth-pairs', run: vethStage },
  { name: 'bridge-ports', run: bridgePortStage },
  { name: 'ovs', run: ovsStage },
  { name: 'tc-edges', run: tcStage },
  { name: 'tunnels', run: tunnelStage },
  { name: 'fdb-tunnels', run: fdbTunnelStage },
  { name: 'underlay', run: underlayStage },
  { name: 'pods', run: podStage },
];

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function mergeMarks(a: readonly Mark[], b: readonly Mark[]): Mark[] {
  return [...new Set([...a, ...b])].sort();
}

function dedupe<T extends { id: string; marks: Mark[] }>(items: readonly T[]): T[] {
  const out = new Map<string, T>();
  for (const item of items) {
    const previous = out.get(item.id);
    out.set(item.id, previous === undefined ? item : { ...previous, marks: mergeMarks(previous.marks, item.marks) });
  }
  return [...out.values()].sort(byId);
}

function finishNodes(nodes: readonly TopoNode[], marks: readonly NodeMark[], hosts: readonly HostState[]): TopoNode[] {
  const extra = new Map<string, Mark[]>();
  for (const m of marks) extra.set(m.id, [...(extra.get(m.id) ?? []), m.mark]);
  const ovsRows = ovsInterfacesById(hosts);
  return dedupe(nodes).map((n) => {
    const ovsInterface = n.kind === 'interface' ? ovsRows.get(n.id) : undefined;
    const withOvs = ovsInterface === undefined ? n : { ...n, ovsInterface };
    return { ...withOvs, marks: mergeMarks(n.marks, extra.get(n.id) ?? []) };
  });
}

function sortUnresolved(list: readonly UnresolvedRef[]): UnresolvedRef[] {
  const key = (u: UnresolvedRef): string => `${u.from}|${u.kind}|${u.target ?? ''}|${u.reason}`;
  return [...new Map(list.map((u) => [key(u), u])).values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

export function buildTopology(hosts: HostState[], cluster?: ClusterContext): Topology {
  const ordered = [...hosts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let input: StageInput = { hosts: ordered, cluster, nodes: [], edges: [] };
  const marks: NodeMark[] = [];
  const unresolved: UnresolvedRef[] = [];
  for (const stage of STAGES) {
    const out = stage.run(input);
    input = { ...input, nodes: [...input.nodes, ...(out.nodes ?? [])], edges: [...input.edges, ...(out.edges ?? [])] };
    marks.push(...(out.marks ?? []));
    unresolved.push(...(out.unresolved ?? []));
  }
  const nodeIds = new Set(input.nodes.map((n) => n.id));
  const edges: TopoEdge[] = dedupe(input.edges).filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target));
  return { hosts, nodes: finishNodes(input.nodes, marks, ordered), edges, unresolved: sortUnresolved(unresolved) };
}
