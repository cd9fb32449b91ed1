/**
 * Stage: tc mirred redirect/mirror edges, directed from the filter's device to `to_dev` in the same namespace.
 * A target that does not exist (`ifN` after its device was deleted, or no name at all) produces no edge: the
 * source interface gets the mark `dangling` and `Topology.unresolved` records the target as printed.
 */
import type { TcAction, TcFilter } from '@/lib/parse/types';
import { edgeId, ifaceId } from './ids';
import type { NodeMark, StageInput, StageOutput } from './stage';
import type { TopoEdge, UnresolvedRef } from './types';

function mirredKind(action: TcAction): 'tc-redirect' | 'tc-mirror' | undefined {
  if (action.mirredAction === 'redirect') return 'tc-redirect';
  if (action.mirredAction === 'mirror') return 'tc-mirror';
  return undefined;
}

function edgeLabel(filter: TcFilter, action: TcAction): string {
  return `${filter.hook} ${action.mirredAction ?? 'mirred'} ${action.direction ?? 'egress'}`;
}

export function tcStage(input: StageInput): StageOutput {
  const edges = new Map<string, TopoEdge>();
  const marks: NodeMark[] = [];
  const unresolved: UnresolvedRef[] = [];
  for (const host of input.hosts) {
    for (const ns of host.namespaces) {
      const names = new Set(ns.interfaces.map((i) => i.name));
      for (const filter of ns.tcFilters) {
        if (!names.has(filter.dev)) continue;
        const from = ifaceId(host.name, ns.netns, filter.dev);
        for (const action of filter.actions) {
          const kind = mirredKind(action);
          if (kind === undefined) continue;
          if (action.toDev === undefined || !names.has(action.toDev)) {
            marks.push({ id: from, mark: 'dangling' });
            unresolved.push({
              kind,
              from,
              target: action.toDev,
              reason: `tc ${filter.hook} filter on ${filter.dev} sends to ${action.toDev ?? 'an unnamed device'}, which does not exist in this namespace`,
            });
            continue;
          }
          const to = ifaceId(host.name, ns.netns, action.toDev);
          const id = edgeId(kind, from, to, true);
          edges.set(id, { id, kind, source: from, target: to, directed: true, label: edgeLabel(filter, action), marks: [] });
        }
      }
    }
  }
  return { edges: [...edges.values()], marks, unresolved };
}
