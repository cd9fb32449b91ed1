/** Typed state of one host, parsed from its command outputs. Pure data; no classes. */
import type { PodVmReach } from '@/lib/capture/pod-vm';

/** Where a parsed fact came from, so evidence can quote the exact output. */
export interface SourceRef {
  /** The command as a person would type it, e.g. "ip -j -d link show". */
  command: string;
  /** The output line(s) that state the fact: the text line, or the compact JSON object. */
  lines: string[];
}

export interface ParseProblem {
  command: string;
  /** 1-based line number in the command's stdout, when known. */
  line?: number;
  text?: string;
  message: string;
}

export interface Address {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope?: string;
  peer?: string;
}

export interface VxlanParams {
  vni?: number;
  remote?: string;
  group?: string;
  local?: string;
  /** UDP destination port. */
  port?: number;
  /** Underlay (lower) device name as printed; may be "ifN" when it sits in another namespace. */
  dev?: string;
  /** Collect-metadata (external) device, e.g. cilium_vxlan, vxlan_sys_4789. */
  external?: boolean;
  learning?: boolean;
}

export interface InterfaceStats {
  rxPackets?: number;
  rxBytes?: number;
  rxErrors?: number;
  rxDropped?: number;
  rxOtherhost?: number;
  txPackets?: number;
  txBytes?: number;
  txErrors?: number;
  txDropped?: number;
}

export interface Interface {
  ifindex: number;
  name: string;
  /** linkinfo.info_kind ('veth','vxlan','geneve','bridge','openvswitch','tun',...), 'loopback' for lo, 'device' when absent. */
  kind: string;
  mac?: string;
  mtu?: number;
  operstate?: string;
  flags: string[];
  /** Administratively up (flag UP). */
  up: boolean;
  /** Carrier present (flag LOWER_UP). */
  lowerUp: boolean;
  master?: string;
  slaveKind?: string;
  /** Peer/lower ifindex (link_index, or N from name@ifN). */
  linkIndex?: number;
  /** link_netnsid: the peer/lower device lives in the namespace with this nsid. */
  linkNetnsId?: number;
  /** Name of the namespace holding the peer/lower device (text `link-netns NAME`, or resolved from linkNetnsId). */
  linkNetns?: string;
  /** Same-namespace peer/lower name ("link" in JSON, name@peer in text); null when the peer is gone (@NONE). */
  link?: string | null;
  addresses: Address[];
  vxlan?: VxlanParams;
  geneve?: VxlanParams;
  bridgePortState?: string;
  tunType?: string;
  promiscuity?: number;
  stats?: InterfaceStats;
  source?: SourceRef;
}

export interface Route {
  family: 'inet' | 'inet6';
  /** 'default' or a CIDR / address. */
  dst: string;
  type?: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  mtu?: number;
  flags: string[];
  source?: SourceRef;
}

export interface Neighbor {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
  router?: boolean;
  /**
   * Ages from `ip -s neigh`, in seconds before the capture: since the entry was last used to send, last confirmed
   * reachable, and last changed state (`used A/B/C`). Undefined where the listing had no `-s`.
   */
  age?: { used: number; confirmed: number; updated: number };
  /** Unanswered probes (`probes N` of `ip -s neigh`). */
  probes?: number;
  source?: SourceRef;
}

export interface Qdisc {
  dev: string;
  kind: string;
  handle?: string;
  parent?: string;
  source?: SourceRef;
}

export interface TcAction {
  kind: string;
  mirredAction?: 'redirect' | 'mirror';
  direction?: 'egress' | 'ingress';
  toDev?: string;
}

export interface TcFilter {
  dev: string;
  hook: 'ingress' | 'egress';
  kind: string;
  protocol?: string;
  pref?: number;
  bpfName?: string;
  actions: TcAction[];
  source?: SourceRef;
}

export interface FdbEntry {
  mac: string;
  dev: string;
  dst?: string;
  vni?: number;
  port?: number;
  master?: string;
  state?: string;
  flags: string[];
  source?: SourceRef;
}

/** A value a rule matches on, negated when iptables prints "!" before its flag ("! -s 10.0.0.0/8"). */
export interface FirewallValue {
  value: string;
  negated?: boolean;
}

/** `-i`/`-o`: a name ending in "+" matches every device whose name starts with what comes before it. */
export interface FirewallInterface {
  name: string;
  wildcard?: boolean;
  negated?: boolean;
}

/** One `--option` of a match module or a target with the words after it, e.g. "--ctstate RELATED,ESTABLISHED". */
export interface FirewallOption {
  name: string;
  args: string[];
  negated?: boolean;
}

/** A `-m MODULE` and its options; options before any `-m` (after `-p udp`) belong to the protocol's module. */
export interface FirewallMatchModule {
  module: string;
  options: FirewallOption[];
}

export interface FirewallMatches {
  protocol?: FirewallValue;
  source?: FirewallValue;
  destination?: FirewallValue;
  inInterface?: FirewallInterface;
  outInterface?: FirewallInterface;
  /** `-f`: second and later fragments only. */
  fragment?: { negated?: boolean };
  modules: FirewallMatchModule[];
}

/** `-j NAME` or `-g NAME` (a user chain, returning to the caller's caller), with the target's own options. */
export interface FirewallTarget {
  name: string;
  goto?: boolean;
  options: FirewallOption[];
}

export interface FirewallRule {
  table: string;
  chain: string;
  /** `-I CHAIN [N]` inserts at position N (1 when left out); what iptables-save prints always appends (`-A`). */
  insert?: { position: number };
  matches: FirewallMatches;
  target?: FirewallTarget;
  /** The rule as iptables-save prints it without counters, e.g. "-A INPUT -p udp --dport 4789 -j DROP". */
  rule: string;
  /** 1-based line of the rule in the command's output. */
  line: number;
  source?: SourceRef;
}

export interface BpfAttachment {
  dev: string;
  hook: string;
  name: string;
  id?: number;
}

/** One policy routing rule (`ip rule`, iproute2 ip/iprule.c): which packets it selects and what it does. */
export interface PolicyRule {
  family: 'inet' | 'inet6';
  priority: number;
  /** `not`: the rule selects the packets its selectors do not match. */
  not?: boolean;
  /** 'all' or an address or prefix. */
  from: string;
  to?: string;
  iif?: string;
  oif?: string;
  /** As printed, e.g. "0x10" or "0x10/0xff". */
  fwmark?: string;
  ipproto?: string;
  sport?: string;
  dport?: string;
  uidrange?: string;
  /** The table it looks up, for the default action. */
  table?: string;
  /** What it does when not a table lookup: blackhole, unreachable, prohibit, goto, nop. */
  action?: string;
  /** Priority a `goto` jumps to. */
  goto?: number;
  suppressPrefixlength?: number;
  source?: SourceRef;
}

export interface NetnsId {
  nsid: number;
  name?: string;
}

/** A namespace's state. Its parts filled by commands are declared, with how they merge, in lib/parse/state.ts. */
export interface NamespaceState {
  netns: string | null;
  /** nsid → named namespace, as seen from this namespace (ip netns list-id). */
  netnsIds: NetnsId[];
  interfaces: Interface[];
  routes: Route[];
  neighbors: Neighbor[];
  qdiscs: Qdisc[];
  tcFilters: TcFilter[];
  fdb: FdbEntry[];
  firewall: FirewallRule[];
  sysctls: Record<string, string>;
  bpf: BpfAttachment[];
  /** `ip route get` answers: the route the kernel chose for an address. */
  routeLookups?: Route[];
  /** `conntrack -S` counters summed over CPUs, e.g. { insert_failed: 0, drop: 3 }. */
  conntrackStats?: Record<string, number>;
  /** Policy routing rules (`ip rule`); absent from captures made before Tunnelscope read them. */
  policyRules?: PolicyRule[];
  /**
   * Commands (their CommandId) whose whole listing ran in this namespace. An empty table from a command that ran
   * means "none"; from a command that did not run it means "unknown", and rules must not judge it. A listing
   * narrowed to one device, address or record (`ip a show eth0`, `ip -4 a`) does not count. Plain strings: the ids
   * are derived from the command declarations, which name the parsers that produce these types.
   */
  collected?: string[];
  /** Listings that ran narrowed to one device (`tc filter show dev X`, `ip link show X`): the devices, by command id. */
  collectedFor?: Record<string, string[]>;
}

export interface OvsBridge {
  uuid?: string;
  name: string;
  /** Port uuids or names, as given by the source. Resolve with OvsState.ports. */
  ports: string[];
  datapathType?: string;
  failMode?: string;
  externalIds: Record<string, string>;
}

export interface OvsPort {
  uuid?: string;
  name: string;
  interfaces: string[];
  tag?: number;
}

export interface OvsInterface {
  uuid?: string;
  name: string;
  type: string;
  /** -1: OVS failed to add the interface; null: not assigned yet. */
  ofport: number | null;
  error?: string;
  externalIds: Record<string, string>;
  options: Record<string, string>;
  macInUse?: string;
  mtu?: number;
  linkState?: string;
  adminState?: string;
  ifindex?: number;
  source?: SourceRef;
}

/** Per-port counters from `ovs-ofctl dump-ports BRIDGE`. */
export interface OvsPortStats {
  bridge?: string;
  /** OpenFlow port number as printed ("1", "LOCAL"). */
  port: string;
  rxPackets?: number;
  rxBytes?: number;
  rxDropped?: number;
  rxErrors?: number;
  txPackets?: number;
  txBytes?: number;
  txDropped?: number;
  txErrors?: number;
  source?: SourceRef;
}

export interface OvsState {
  portStats?: OvsPortStats[];
  bridges: OvsBridge[];
  ports: OvsPort[];
  interfaces: OvsInterface[];
  externalIds: Record<string, string>;
  version?: string;
}

export interface OvnLogicalSwitchPort {
  name: string;
  /** Each entry "MAC IP [IP...]" or "router"/"unknown"/"dynamic". */
  addresses: string[];
  portSecurity: string[];
  up?: boolean;
  type?: string;
  source?: SourceRef;
}

/** A route the adaptor gives the pod VM's pod namespace (Go's tunneler.Route, marshalled without JSON tags). */
export interface PeerPodRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
}

/**
 * One peer pod's tunnel as the worker's cloud-api-adaptor recorded it: the `pod-network` member of
 * /run/peerpod/pods/<sandbox>/apf.json (Go's tunneler.Config). What the worker expects the pod VM to have.
 */
export interface PeerPodSandbox {
  /** The sandbox id: the record's directory name. */
  sandbox: string;
  /** `podip`, address and prefix length apart. */
  podIp?: string;
  podPrefix?: number;
  /** `pod-hw-addr`: the MAC the pod VM gives its tunnel device. */
  podMac?: string;
  /** `interface`: the pod's interface name inside the VM's podns. */
  interface?: string;
  /** `worker-node-ip` without its prefix length: the remote of the pod VM's tunnel. */
  workerIp?: string;
  tunnelType?: string;
  /** `vxlan-id` and `vxlan-port`. */
  vni?: number;
  port?: number;
  mtu?: number;
  index?: number;
  routes: PeerPodRoute[];
  source?: SourceRef;
}

export interface HostState {
  name: string;
  /** Pod VMs: how this one was reached (the capture's record). */
  podVm?: PodVmReach;
  role: 'worker' | 'podvm' | 'node' | 'unknown';
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  namespaces: NamespaceState[];
  ovs?: OvsState;
  ovnLogicalPorts?: OvnLogicalSwitchPort[];
  /** Parsed /run/peerpod/podnetwork.json on a pod VM. */
  peerpodConfig?: Record<string, unknown>;
  /** On a worker: the peer pods its cloud-api-adaptor set up, one per sandbox. */
  peerpodSandboxes?: PeerPodSandbox[];
  /** Commands whose tool is not installed on the host, e.g. ["ovs-vsctl"]. */
  missingTools: string[];
  problems: ParseProblem[];
}
