/** One graph of every host: stable, readable ids derived from names (see DESIGN.md §3). */
import type { HostState, Interface, OvsBridge, OvsInterface } from '@/lib/parse/types';
import type { ClusterPod } from '@/lib/capture/types';

export type NodeKind = 'host' | 'netns' | 'interface' | 'ovs-bridge' | 'pod';

export type EdgeKind =
  /** veth pair, undirected */
  | 'veth'
  /** interface is a port of an OVS bridge (from OVS's own data) */
  | 'ovs-port'
  /** interface is enslaved to a Linux bridge (master) */
  | 'bridge-port'
  /** tc mirred redirect, directed from the filter's device to the target */
  | 'tc-redirect'
  /** tc mirred mirror, directed */
  | 'tc-mirror'
  /** VXLAN/Geneve tunnel between two tunnel devices on different hosts */
  | 'tunnel'
  /** tunnel device → its underlay device/host address */
  | 'tunnel-underlay'
  /** two hosts share an L2/L3 segment (same subnet on their uplinks) */
  | 'underlay'
  /** pod ↔ the namespace holding its IP */
  | 'pod-netns';

/** Marks are facts the diagnosis needs about unpaired or dangling things. */
export type Mark =
  | 'unpaired'
  | 'dangling'
  | 'peer-missing'
  | 'peer-elsewhere'
  | 'down'
  | 'no-carrier'
  | 'partial-host';

export interface TopoNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Compound parent id: host ⊃ netns ⊃ interface. */
  parent?: string;
  host: string;
  /** null = the host's root namespace. */
  netns?: string | null;
  iface?: Interface;
  bridge?: OvsBridge;
  ovsInterface?: OvsInterface;
  pod?: ClusterPod;
  role?: HostState['role'];
  marks: Mark[];
}

export interface TopoEdge {
  id: string;
  kind: EdgeKind;
  source: string;
  target: string;
  directed: boolean;
  label?: string;
  /** Tunnel parameters, shared across both ends when paired. */
  vni?: number;
  port?: number;
  marks: Mark[];
}

export interface Topology {
  hosts: HostState[];
  nodes: TopoNode[];
  edges: TopoEdge[];
}
