/**
 * Parsed host states shaped like real captures. Source lines copy the shapes of iproute2/tc/ovs-vsctl JSON
 * output recorded in the lab (reference/lab-recipe.md §8) and in the fault catalog §1.
 */
import type {
  FdbEntry,
  FirewallRule,
  HostState,
  Interface,
  NamespaceState,
  Neighbor,
  OvsBridge,
  OvsInterface,
  OvsPort,
  OvsState,
  OvnLogicalSwitchPort,
  Route,
  TcFilter,
  VxlanParams,
} from '@/lib/parse/types';
import { readFirewallRule } from '@/lib/parse/iptables';
import { buildTopology } from '@/lib/topology/build';
import { RULES } from '@/lib/diagnose/rules';
import type { Finding, Rule } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';

export interface LinkSpec {
  ifindex: number;
  name: string;
  kind?: string;
  mac?: string;
  mtu?: number;
  flags?: string[];
  operstate?: string;
  master?: string;
  slaveKind?: string;
  linkIndex?: number;
  linkNetnsId?: number;
  link?: string | null;
  addrs?: string[];
  vxlan?: VxlanParams;
  geneve?: VxlanParams;
  scope?: string;
}

const UP = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];

function infoData(p: VxlanParams): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (p.external) d.external = true;
  if (p.vni !== undefined) d.id = p.vni;
  if (p.remote !== undefined) d.remote = p.remote;
  if (p.local !== undefined) d.local = p.local;
  if (p.dev !== undefined) d.link = p.dev;
  if (p.port !== undefined) d.port = p.port;
  if (p.learning !== undefined) d.learning = p.learning;
  return d;
}

export function link(s: LinkSpec): Interface {
  const flags = s.flags ?? UP;
  const kind = s.kind ?? 'device';
  const addresses = (s.addrs ?? []).map((a) => {
    const [local = '', len = '32'] = a.split('/');
    return { family: local.includes(':') ? ('inet6' as const) : ('inet' as const), local, prefixlen: Number(len), scope: s.scope ?? 'global' };
  });
  const json: Record<string, unknown> = { ifindex: s.ifindex };
  if (s.linkIndex !== undefined) json.link_index = s.linkIndex;
  if (s.link !== undefined) json.link = s.link;
  json.ifname = s.name;
  json.flags = flags;
  json.mtu = s.mtu ?? 1500;
  if (s.master) json.master = s.master;
  json.operstate = s.operstate ?? (flags.includes('LOWER_UP') ? 'UP' : 'DOWN');
  if (s.mac) json.address = s.mac;
  if (s.linkNetnsId !== undefined) json.link_netnsid = s.linkNetnsId;
  const tunnel = s.vxlan ?? s.geneve;
  if (kind !== 'device' && kind !== 'loopback') {
    json.linkinfo = { info_kind: kind, ...(tunnel ? { info_data: infoData(tunnel) } : {}), ...(s.slaveKind ? { info_slave_kind: s.slaveKind } : {}) };
  }
  if (addresses.length > 0) json.addr_info = addresses.map((a) => ({ family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope }));
  return {
    ifindex: s.ifindex,
    name: s.name,
    kind,
    mac: s.mac,
    mtu: s.mtu ?? 1500,
    operstate: String(json.operstate),
    flags,
    up: flags.includes('UP'),
    lowerUp: flags.includes('LOWER_UP'),
    master: s.master,
    slaveKind: s.slaveKind,
    linkIndex: s.linkIndex,
    linkNetnsId: s.linkNetnsId,
    link: s.link,
    addresses,
    vxlan: s.vxlan,
    geneve: s.geneve,
    source: { command: 'ip -j -d addr show', lines: [JSON.stringify(json)] },
  };
}

export function lo(): Interface {
  return link({
    ifindex: 1,
    name: 'lo',
    kind: 'loopback',
    mac: '00:00:00:00:00:00',
    mtu: 65536,
    flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    operstate: 'UNKNOWN',
    addrs: ['127.0.0.1/8'],
    scope: 'host',
  });
}

export interface RouteSpec {
  dst: string;
  via?: string;
  dev: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  mtu?: number;
  type?: string;
  flags?: string[];
  prefsrc?: string;
}

export function route(s: RouteSpec): Route {
  const json: Record<string, unknown> = {};
  if (s.type) json.type = s.type;
  json.dst = s.dst;
  if (s.via) json.gateway = s.via;
  json.dev = s.dev;
  if (s.protocol) json.protocol = s.protocol;
  if (s.scope) json.scope = s.scope;
  if (s.prefsrc) json.prefsrc = s.prefsrc;
  if (s.metric !== undefined) json.metric = s.metric;
  json.flags = s.flags ?? [];
  if (s.mtu !== undefined) json.metrics = [{ mtu: s.mtu }];
  return {
    family: s.dst.includes(':') ? 'inet6' : 'inet',
    dst: s.dst,
    type: s.type,
    gateway: s.via,
    dev: s.dev,
    protocol: s.protocol,
    scope: s.scope,
    prefsrc: s.prefsrc,
    metric: s.metric,
    mtu: s.mtu,
    flags: s.flags ?? [],
    source: { command: 'ip -j route show table all', lines: [JSON.stringify(json)] },
  };
}

export function neigh(dst: string, dev: string, lladdr: string | undefined, state: string): Neighbor {
  const json: Record<string, unknown> = { dst, dev };
  if (lladdr) json.lladdr = lladdr;
  json.state = [state];
  return { dst, dev, lladdr, state: [state], source: { command: 'ip -j -d neigh show', lines: [JSON.stringify(json)] } };
}

/** The u32 match-all filter with a mirred egress redirect, as CAA installs it (lab-recipe §8). */
export function redirect(dev: string, toDev: string): TcFilter {
  const json = {
    parent: 'ffff:',
    protocol: 'all',
    pref: 49152,
    kind: 'u32',
    chain: 0,
    options: {
      fh: '800::800',
      order: 2048,
      key_ht: '800',
      bkt: '0',
      not_in_hw: true,
      match: { value: '0', mask: '0', offmask: '', off: 0 },
      actions: [
        {
          order: 1,
          kind: 'mirred',
          mirred_action: 'redirect',
          direction: 'egress',
          to_dev: toDev,
          control_action: { type: 'stolen' },
          index: 1,
          ref: 1,
          bind: 1,
        },
      ],
    },
  };
  return {
    dev,
    hook: 'ingress',
    kind: 'u32',
    protocol: 'all',
    pref: 49152,
    actions: [{ kind: 'mirred', mirredAction: 'redirect', direction: 'egress', toDev }],
    source: { command: `tc -j filter show dev ${dev} ingress`, lines: [JSON.stringify(json)] },
  };
}

export function bpfFilter(dev: string, name: string): TcFilter {
  const json = { protocol: 'all', pref: 1, kind: 'bpf', chain: 0, options: { handle: '0x1', bpf_name: name, 'direct-action': true, not_in_hw: true } };
  return {
    dev,
    hook: 'ingress',
    kind: 'bpf',
    protocol: 'all',
    pref: 1,
    bpfName: name,
    actions: [],
    source: { command: `tc -j filter show dev ${dev} ingress`, lines: [JSON.stringify(json)] },
  };
}

export function fdb(mac: string, dev: string, dst: string): FdbEntry {
  const json = { mac, ifname: dev, dst, flags: ['self'], state: 'permanent' };
  return { mac, dev, dst, flags: ['self'], state: 'permanent', source: { command: `bridge -j fdb show dev ${dev}`, lines: [JSON.stringify(json)] } };
}

export function iptables(table: string, rule: string): FirewallRule {
  const parsed = readFirewallRule(table, rule, 1, { command: `iptables-save -t ${table}`, lines: [rule] });
  if (!parsed) throw new Error(`not an iptables rule: ${rule}`);
  return parsed;
}

export interface NsSpec {
  netnsIds?: { nsid: number; name?: string }[];
  interfaces: Interface[];
  routes?: Route[];
  neighbors?: Neighbor[];
  tcFilters?: TcFilter[];
  fdb?: FdbEntry[];
  firewall?: FirewallRule[];
  sysctls?: Record<string, string>;
}

export function ns(netns: string | null, s: NsSpec): NamespaceState {
  const tcFilters = s.tcFilters ?? [];
  const qdiscDevs = [...new Set(tcFilters.map((f) => f.dev))];
  return {
    netns,
    netnsIds: s.netnsIds ?? [],
    interfaces: s.interfaces,
    routes: s.routes ?? [],
    neighbors: s.neighbors ?? [],
    qdiscs: qdiscDevs.map((dev) => ({ dev, kind: 'ingress', handle: 'ffff:', parent: 'ffff:fff1' })),
    tcFilters,
    fdb: s.fdb ?? [],
    firewall: s.firewall ?? [],
    sysctls: s.sysctls ?? {},
    bpf: [],
  };
}

export function ovsInterface(name: string, type: string, ofport: number | null, externalIds: Record<string, string> = {}, extra: Partial<OvsInterface> = {}): OvsInterface {
  const ids = Object.entries(externalIds);
  const row = [name, type, ofport ?? ['set', []], ['map', ids], extra.error ?? ['set', []]];
  return {
    name,
    type,
    ofport,
    externalIds,
    options: {},
    ...extra,
    source: { command: 'ovs-vsctl -f json list Interface', lines: [JSON.stringify(row)] },
  };
}

export function ovs(bridges: { name: string; datapathType?: string; interfaces: OvsInterface[] }[], externalIds: Record<string, string>): OvsState {
  const ports: OvsPort[] = bridges.flatMap((b) => b.interfaces.map((i) => ({ name: i.name, interfaces: [i.name] })));
  const bridgeRows: OvsBridge[] = bridges.map((b) => ({
    name: b.name,
    ports: b.interfaces.map((i) => i.name),
    datapathType: b.datapathType,
    failMode: 'secure',
    externalIds: {},
  }));
  return { bridges: bridgeRows, ports, interfaces: bridges.flatMap((b) => b.interfaces), externalIds, version: '3.1.0' };
}

export function lsp(name: string, address: string): OvnLogicalSwitchPort {
  return {
    name,
    addresses: [address],
    portSecurity: [address],
    up: true,
    source: { command: 'ovn-nbctl -f json list Logical_Switch_Port', lines: [`${name}  addresses: ["${address}"]`] },
  };
}

export function host(name: string, role: HostState['role'], namespaces: NamespaceState[], extra: Partial<HostState> = {}): HostState {
  return { name, role, status: 'complete', namespaces, missingTools: [], problems: [], ...extra };
}

export function topo(hosts: HostState[]): Topology {
  return buildTopology(hosts);
}

/** The registered rule with this id; a typo in a test fails loudly. */
export function rule(id: string): Rule {
  const found = RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

/** One rule's findings on the topology built from these hosts. */
export function run(id: string, hosts: HostState[]): Finding[] {
  return rule(id).run(topo(hosts));
}
