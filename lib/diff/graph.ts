/**
 * The diff of two snapshots on one union graph: the later snapshot's elements plus those only the earlier one
 * had. Added elements are green with a "+" badge, removed ones grey with "−", changed ones amber with "~".
 * Each state also has its own badge and border style, so colour is never the only signal.
 */
import type { SnapshotDiff } from '@/lib/diff/diff';
import { hostId } from '@/lib/topology/ids';
import type { TopoNode, Topology } from '@/lib/topology/types';
import { buildDeviceElements, needsOverview, type GraphElement } from '@/lib/graph/elements';
import { topologySize } from '@/lib/snapshot/subview';

export type DiffStatus = 'added' | 'removed' | 'changed';
export const DIFF_STATUSES: readonly DiffStatus[] = ['changed', 'added', 'removed'];

export const DIFF_BADGE: Record<DiffStatus, string> = { added: '+', removed: '−', changed: '~' };

/** What the legend says: colour, border and badge for each state. */
export const DIFF_DESCRIPTION: Record<DiffStatus, string> = {
  added: 'Added: green, thick solid border, "+" badge',
  removed: 'Removed: grey, faded, dashed border, "−" badge',
  changed: 'Changed: amber, double border, "~" badge',
};

/** The whole union graph, or only the changes with their hosts and namespaces around them. */
export type DiffShow = 'all' | 'changes';

/** The element part of a snapshot diff: all the union graph needs besides the later topology. */
export type ElementDiff = Pick<SnapshotDiff, 'nodes' | 'edges'>;

export function diffStatusIndex(diff: ElementDiff): Map<string, DiffStatus> {
  const index = new Map<string, DiffStatus>();
  for (const section of [diff.nodes, diff.edges]) {
    for (const item of section.added) index.set(item.id, 'added');
    for (const item of section.removed) index.set(item.id, 'removed');
    for (const change of section.changed) index.set(change.id, 'changed');
  }
  return index;
}

/** The later topology plus what only the earlier one had, appended so that parents still precede children. */
export function unionTopology(after: Topology, diff: ElementDiff): Topology {
  const nodeIds = new Set(after.nodes.map((n) => n.id));
  const edgeIds = new Set(after.edges.map((e) => e.id));
  return {
    ...after,
    nodes: [...after.nodes, ...diff.nodes.removed.filter((n) => !nodeIds.has(n.id))],
    edges: [...after.edges, ...diff.edges.removed.filter((e) => !edgeIds.has(e.id))],
  };
}

function keepWithAncestors(id: string, byId: Map<string, TopoNode>, keep: Set<string>): void {
  const start = byId.get(id);
  for (let node = start; node && !keep.has(node.id); node = node.parent ? byId.get(node.parent) : undefined) keep.add(node.id);
  // Pods carry no parent but are drawn inside their host.
  if (start && byId.has(hostId(start.host))) keep.add(hostId(start.host));
}

/** The part of a topology around some elements: them, the ends of edges among them, and their ancestors. */
export function aroundElements(topology: Topology, ids: Iterable<string>): Topology {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const edges = new Map(topology.edges.map((e) => [e.id, e]));
  const keep = new Set<string>();
  for (const id of ids) {
    const edge = edges.get(id);
    for (const nodeId of edge ? [edge.source, edge.target] : [id]) keepWithAncestors(nodeId, byId, keep);
  }
  return {
    ...topology,
    nodes: topology.nodes.filter((n) => keep.has(n.id)),
    edges: topology.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}

function markElement(element: GraphElement, status: DiffStatus | undefined): GraphElement {
  if (!status) return element;
  const badge = DIFF_BADGE[status];
  const label = element.data.label ? `${badge} ${element.data.label}` : badge;
  const classes = [...element.classes, 'diff', `diff-${status}`];
  if (element.group === 'nodes') return { group: 'nodes', data: { ...element.data, label, badge }, classes };
  return { group: 'edges', data: { ...element.data, label }, classes };
}

export interface DiffGraphOptions {
  /** Default: only the changes when the union is too big to draw whole (the overview threshold). */
  show?: DiffShow;
  /** Further element ids kept when only the changes are shown, e.g. those named by changed findings. */
  keep?: string[];
}

export interface DiffGraph {
  show: DiffShow;
  /** The full union topology, whatever is shown. */
  topology: Topology;
  elements: GraphElement[];
}

/** The union graph with diff marks. Faults are left off: on this graph red would compete with the change marks. */
export function buildDiffGraph(after: Topology, diff: ElementDiff, options: DiffGraphOptions = {}): DiffGraph {
  const topology = unionTopology(after, diff);
  const status = diffStatusIndex(diff);
  const show = options.show ?? (needsOverview(topologySize(topology)) ? 'changes' : 'all');
  const drawn = show === 'changes' ? aroundElements(topology, [...status.keys(), ...(options.keep ?? [])]) : topology;
  const elements = buildDeviceElements(drawn, []).map((e) => markElement(e, status.get(e.data.id)));
  return { show, topology, elements };
}

/** The diff state an element's classes carry, for lists that describe the graph in words. */
export function diffStatusOf(classes: readonly string[]): DiffStatus | undefined {
  return DIFF_STATUSES.find((status) => classes.includes(`diff-${status}`));
}
