/** The contract of one build stage: read the hosts and the graph so far, return what to add. */
import type { ClusterContext } from '@/lib/capture/types';
import type { HostState } from '@/lib/parse/types';
import type { Mark, TopoEdge, TopoNode, UnresolvedRef } from './types';

export interface StageInput {
  hosts: readonly HostState[];
  cluster?: ClusterContext;
  nodes: readonly TopoNode[];
  edges: readonly TopoEdge[];
}

export interface NodeMark {
  id: string;
  mark: Mark;
}

export interface StageOutput {
  nodes?: TopoNode[];
  edges?: TopoEdge[];
  marks?: NodeMark[];
  unresolved?: UnresolvedRef[];
}

export type Stage = (input: StageInput) => StageOutput;
