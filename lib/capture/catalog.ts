import { wantsFilterJob } from './collect/tc-hooks';
import type { CommandId, CommandRecord } from './types';

/**
 * Where a command runs:
 * host: once per host, in the root namespace (OVS/OVN databases, files, the host name);
 * netns: in the root namespace and in every named namespace;
 * device: in every namespace, once per network device and per variant (tc filters per hook), narrowed by `select`.
 */
export type CommandScope = 'host' | 'netns' | 'device';

export interface CatalogEntry {
  id: CommandId;
  /** Binary that must exist on the host. */
  tool: string;
  format: 'json' | 'text';
  scope: CommandScope;
  /** argv; elements `{dev}` and `{hook}` are replaced as whole elements, never spliced into a string. */
  argv: readonly string[];
  /** Parameter sets for device-scoped commands, e.g. one per tc hook. */
  variants?: readonly Record<string, string>[];
  /**
   * Device-scoped commands: which (device, variant) jobs to run, judged from what the namespace's own commands
   * printed. Without it every device and variant runs.
   */
  select?: (namespace: readonly CommandRecord[]) => (params: Record<string, string>) => boolean;
  /** Failures are expected on many hosts (no OVS, not a pod VM): they do not make the host partial. */
  optional?: boolean;
  /** False for forms recognised in pastes but not run by the collector (text forms, `ip route get`). */
  collect: boolean;
  summary: string;
}

/** One line per sandbox: its id (the directory name) and the `pod-network` member of its apf.json, nothing else. */
export const PEERPOD_SANDBOX_FILTER = '{sandbox: (input_filename | split("/") | .[-2]), "pod-network": .["pod-network"]}';

const RP_FILTER_KEYS = '^net\\.ipv4\\.(ip_forward|conf\\..*\\.rp_filter)$';

/** Every command Tunnelscope knows. All are read-only. Adding a command = adding one entry. */
export const CATALOG: readonly CatalogEntry[] = [
  { id: 'hostname', tool: 'hostname', format: 'text', scope: 'host', argv: ['hostname'], collect: true, summary: 'host name' },
  {
    id: 'ip-link',
    tool: 'ip',
    format: 'json',
    scope: 'netns',
    argv: ['ip', '-j', '-d', '-s', '-s', 'link', 'show'],
    collect: true,
    summary: 'links with details and statistics',
  },
  { id: 'ip-addr', tool: 'ip', format: 'json', scope: 'netns', argv: ['ip', '-j', 'addr', 'show'], collect: true, summary: 'addresses' },
  {
    id: 'ip-route',
    tool: 'ip',
    format: 'json',
    scope: 'netns',
    argv: ['ip', '-j', 'route', 'show', 'table', 'all'],
    collect: true,
    summary: 'IPv4 routes, all tables',
  },
  {
    id: 'ip6-route',
    tool: 'ip',
    format: 'json',
    scope: 'netns',
    argv: ['ip', '-j', '-6', 'route', 'show', 'table', 'all'],
    collect: true,
    summary: 'IPv6 routes, all tables',
  },
  { id: 'ip-neigh', tool: 'ip', format: 'json', scope: 'netns', argv: ['ip', '-j', '-s', 'neigh', 'show'], collect: true, summary: 'neighbours, with their ages' },
  {
    id: 'netns-list-id',
    tool: 'ip',
    format: 'json',
    scope: 'netns',
    argv: ['ip', '-j', 'netns', 'list-id'],
    collect: true,
    summary: 'netns ids as seen from this namespace (resolves link_netnsid)',
  },
  { id: 'netns-list', tool: 'ip', format: 'json', scope: 'host', argv: ['ip', '-j', 'netns', 'list'], collect: true, summary: 'named namespaces' },
  { id: 'tc-qdisc', tool: 'tc', format: 'json', scope: 'netns', argv: ['tc', '-j', 'qdisc', 'show'], collect: true, summary: 'qdiscs' },
  {
    id: 'tc-filter',
    tool: 'tc',
    format: 'json',
    scope: 'device',
    argv: ['tc', '-j', 'filter', 'show', 'dev', '{dev}', '{hook}'],
    variants: [{ hook: 'ingress' }, { hook: 'egress' }],
    select: wantsFilterJob,
    collect: true,
    summary: 'tc filters per device and hook that a clsact or ingress qdisc can hold',
  },
  { id: 'bridge-fdb', tool: 'bridge', format: 'json', scope: 'netns', argv: ['bridge', '-j', 'fdb', 'show'], collect: true, summary: 'bridge and VXLAN FDB' },
  {
    id: 'ovs-open-vswitch',
    tool: 'ovs-vsctl',
    format: 'json',
    scope: 'host',
    argv: ['ovs-vsctl', '-f', 'json', 'list', 'Open_vSwitch'],
    optional: true,
    collect: true,
    summary: 'OVS root record',
  },
  {
    id: 'ovs-bridge',
    tool: 'ovs-vsctl',
    format: 'json',
    scope: 'host',
    argv: ['ovs-vsctl', '-f', 'json', 'list', 'Bridge'],
    optional: true,
    collect: true,
    summary: 'OVS bridges',
  },
  {
    id: 'ovs-port',
    tool: 'ovs-vsctl',
    format: 'json',
    scope: 'host',
    argv: ['ovs-vsctl', '-f', 'json', 'list', 'Port'],
    optional: true,
    collect: true,
    summary: 'OVS ports',
  },
  {
    id: 'ovs-interface',
    tool: 'ovs-vsctl',
    format: 'json',
    scope: 'host',
    argv: ['ovs-vsctl', '-f', 'json', 'list', 'Interface'],
    optional: true,
    collect: true,
    summary: 'OVS interfaces',
  },
  {
    id: 'ovs-show',
    tool: 'ovs-vsctl',
    format: 'text',
    scope: 'host',
    argv: ['ovs-vsctl', 'show'],
    optional: true,
    collect: false,
    summary: 'OVS overview (text)',
  },
  {
    id: 'ovs-ofctl-dump-ports',
    tool: 'ovs-ofctl',
    format: 'text',
    scope: 'host',
    argv: ['ovs-ofctl', 'dump-ports', '{bridge}'],
    optional: true,
    collect: false,
    summary: 'OpenFlow port counters',
  },
  {
    id: 'ovn-lsp',
    tool: 'ovn-nbctl',
    format: 'json',
    scope: 'host',
    argv: ['ovn-nbctl', '-f', 'json', 'list', 'Logical_Switch_Port'],
    optional: true,
    collect: true,
    summary: 'OVN logical switch ports',
  },
  {
    id: 'iptables-raw',
    tool: 'iptables-save',
    format: 'text',
    scope: 'netns',
    argv: ['iptables-save', '-t', 'raw'],
    optional: true,
    collect: true,
    summary: 'raw table',
  },
  {
    id: 'iptables-filter',
    tool: 'iptables-save',
    format: 'text',
    scope: 'netns',
    argv: ['iptables-save', '-t', 'filter'],
    optional: true,
    collect: true,
    summary: 'filter table',
  },
  {
    id: 'iptables-rules',
    tool: 'iptables',
    format: 'text',
    scope: 'netns',
    argv: ['iptables', '-S'],
    optional: true,
    collect: false,
    summary: 'rules (-S form)',
  },
  {
    id: 'sysctl',
    tool: 'sysctl',
    format: 'text',
    scope: 'netns',
    argv: ['sysctl', '-a', '-r', RP_FILTER_KEYS],
    optional: true,
    collect: true,
    summary: 'ip_forward and rp_filter',
  },
  {
    id: 'bpftool-net',
    tool: 'bpftool',
    format: 'json',
    scope: 'netns',
    argv: ['bpftool', '-j', 'net', 'show'],
    optional: true,
    collect: true,
    summary: 'BPF on tc/tcx/xdp',
  },
  {
    id: 'conntrack-stats',
    tool: 'conntrack',
    format: 'text',
    scope: 'host',
    argv: ['conntrack', '-S'],
    optional: true,
    collect: true,
    summary: 'conntrack counters',
  },
  {
    id: 'peerpod-config',
    tool: 'cat',
    format: 'json',
    scope: 'host',
    argv: ['cat', '/run/peerpod/podnetwork.json'],
    optional: true,
    collect: true,
    summary: 'peer-pod tunnel config (pod VMs)',
  },
  {
    // The adaptor's per-sandbox record on a worker also holds the pod VM's TLS private key: jq prints only the
    // `pod-network` member (pod IP, worker IP, VXLAN id and port, MTU, routes), so the key never leaves the node.
    id: 'peerpod-sandboxes',
    tool: 'find',
    format: 'json',
    scope: 'host',
    argv: ['find', '/run/peerpod/pods', '-mindepth', '2', '-maxdepth', '2', '-name', 'apf.json', '-exec', 'jq', '-c', PEERPOD_SANDBOX_FILTER, '{}', '+'],
    optional: true,
    collect: true,
    summary: "peer-pod tunnels as the worker's cloud-api-adaptor set them up (pod-network only)",
  },
  { id: 'ip-route-get', tool: 'ip', format: 'text', scope: 'netns', argv: ['ip', 'route', 'get', '{dst}'], collect: false, summary: 'route lookup' },
  { id: 'arp', tool: 'arp', format: 'text', scope: 'netns', argv: ['arp', '-n'], optional: true, collect: false, summary: 'ARP cache (net-tools)' },
];

const BY_ID = new Map<CommandId, CatalogEntry>(CATALOG.map((e) => [e.id, e]));

export function catalogEntry(id: CommandId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`command ${id} is not in the catalog`);
  return entry;
}

/** argv with `{name}` elements replaced by params; a missing parameter is an error of the caller. */
export function fillArgv(entry: CatalogEntry, params: Record<string, string> = {}): string[] {
  return entry.argv.map((arg) => {
    const m = /^\{(\w+)\}$/.exec(arg);
    if (!m) return arg;
    const value = params[m[1]];
    if (value === undefined) throw new Error(`command ${entry.id} needs parameter ${m[1]}`);
    return value;
  });
}

export function collectedEntries(scope: CommandScope): CatalogEntry[] {
  return CATALOG.filter((e) => e.collect && e.scope === scope);
}

/** Reads the parameters back from an argv made by fillArgv; null when argv is not this entry's shape. */
export function paramsFromArgv(entry: CatalogEntry, argv: readonly string[]): Record<string, string> | null {
  if (argv.length !== entry.argv.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^\{(\w+)\}$/.exec(entry.argv[i]);
    if (m) params[m[1]] = argv[i];
    else if (entry.argv[i] !== argv[i]) return null;
  }
  return params;
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
