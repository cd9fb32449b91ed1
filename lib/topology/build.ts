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
import { podVmStage } from './pod-vms';
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
  { name: 'pod-vms', run: podVmStage },
];

/** Appends in place; `push(...items)` overflows the call stack on the lists of a large cluster. */
function append<T>(into: T[], items: readonly T[] | undefined): void {
  for (const item of items ?? []) into.push(item);
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function mergeMarks(a: readonly Mark[], b: readonly Mark[]): Mark[] {
  if (b.length === 0 && a.length <= 1) return [...a];
  return [...new Set([...a, ...b])].sort();
}

/** Sorted by id, one item per id, marks of repeated ids merged. Sorting first finds repeats as neighbours. */
function dedupe<T extends { id: string; marks: Mark[] }>(items: readonly T[]): T[] {
  const sorted = [...items].sort(byId);
  const out: T[] = [];
  for (const item of sorted) {
    const last = out.length - 1;
    if (last >= 0 && out[last].id === item.id) out[last] = { ...out[last], marks: mergeMarks(out[last].marks, item.marks) };
    else out.push(item);
  }
  return out;
}

function finishNodes(nodes: TopoNode[], marks: readonly NodeMark[], hosts: readonly HostState[]): TopoNode[] {
  const extra = new Map<string, Mark[]>();
  for (const m of marks) {
    const list = extra.get(m.id);
    if (list === undefined) extra.set(m.id, [m.mark]);
    else list.push(m.mark);
  }
  const ovsRows = ovsInterfacesById(hosts);
  // The stages made these nodes for this build alone: completing them in place spares a copy of the graph.
  return dedupe(nodes).map((n) => {
    n.marks = mergeMarks(n.marks, extra.get(n.id) ?? []);
    const ovsInterface = n.kind === 'interface' ? ovsRows.get(n.id) : undefined;
    if (ovsInterface !== undefined) n.ovsInterface = ovsInterface;
    return n;
  });
}

function sortUnresolved(list: readonly UnresolvedRef[]): UnresolvedRef[] {
  const key = (u: UnresolvedRef): string => `${u.from}|${u.kind}|${u.target ?? ''}|${u.reason}`;
  return [...new Map(list.map((u) => [key(u), u])).values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

export function buildTopology(hosts: HostState[], cluster?: ClusterContext): Topology {
  const ordered = [...hosts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Stages see the graph built before them; the lists only grow after a stage has returned.
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const marks: NodeMark[] = [];
  const unresolved: UnresolvedRef[] = [];
  const input: StageInput = { hosts: ordered, cluster, nodes, edges };
  for (const stage of STAGES) {
    const out = stage.run(input);
    append(nodes, out.nodes);
    append(edges, out.edges);
    append(marks, out.marks);
    append(unresolved, out.unresolved);
  }
  const nodeIds = new Set(nodes.map((n) => n.id));
  const linked: TopoEdge[] = dedupe(edges).filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target));
  return { hosts, nodes: finishNodes(nodes, marks, ordered), edges: linked, unresolved: sortUnresolved(unresolved) };
}
