/** One graph of every host: stable, readable ids derived from names (see DESIGN.md §3). */
import type { HostState, Interface, OvsBridge, OvsInterface, PeerPodSandbox } from '@/lib/parse/types';
import type { ClusterPod } from '@/lib/capture/types';
import type { PodVmWay } from '@/lib/capture/pod-vm';

/** A pod VM as its worker knows it, on the VM's host node. */
export interface PodVmFacts {
  /** The worker whose adaptor recorded the tunnel, and the sandbox id of the record. */
  worker: string;
  sandbox: string;
  /** `namespace/name` of the peer pod, when the cluster context names it. */
  pod?: string;
  /** What the worker expects of the VM: pod IP and MAC, VNI, port, MTU, the worker's address as remote. */
  expected: PeerPodSandbox;
  /** The way whose capture the VM's devices come from. */
  reachedBy?: PodVmWay;
  /** Why the VM's own state is missing; absent when it was collected. */
  unreached?: string;
}

/** 'segment': an L2/L3 segment (one IPv4 subnet) that the uplinks of more than two hosts share. */
export type NodeKind = 'host' | 'netns' | 'interface' | 'ovs-bridge' | 'pod' | 'segment';

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
  /**
   * hosts share an L2/L3 segment (same subnet on their uplinks): host–host when exactly two hosts share it,
   * else host → the segment node
   */
  | 'underlay'
  /** pod ↔ the namespace holding its IP */
  | 'pod-netns';

/** Marks are facts the diagnosis needs about unpaired or dangling things. */
export type Mark = 'unpaired' | 'dangling' | 'peer-missing' | 'peer-elsewhere' | 'down' | 'no-carrier' | 'partial-host';

export interface TopoNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Compound parent id: host ⊃ netns ⊃ interface. */
  parent?: string;
  /** The host the node belongs to; '' for a segment, which belongs to none. */
  host: string;
  /** null = the host's root namespace. */
  netns?: string | null;
  iface?: Interface;
  bridge?: OvsBridge;
  ovsInterface?: OvsInterface;
  pod?: ClusterPod;
  role?: HostState['role'];
  /** Pod VM host nodes joined to their worker's record of the tunnel. */
  podVm?: PodVmFacts;
  /** Pod node inferred from a namespace holding a global IPv4 (no cluster context named it). */
  inferred?: boolean;
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

/**
 * An edge the capture asks for but whose other end is not in it (tc redirect to `if12`, OVS port without a
 * kernel device, veth peer gone). The source node carries a mark; this record says what the target was.
 */
export interface UnresolvedRef {
  kind: EdgeKind;
  /** Element id the edge would start from (an interface or OVS bridge). */
  from: string;
  /** The other end as the capture names it: a device name, `ifN`, an nsid, an address. */
  target?: string;
  reason: string;
}

export interface Topology {
  hosts: HostState[];
  nodes: TopoNode[];
  edges: TopoEdge[];
  /** Dangling and missing ends, kept for the diagnosis (sorted by `from`). */
  unresolved?: UnresolvedRef[];
}
