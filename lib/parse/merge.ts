/** Merging what each command says into one namespace and one host. */
import type { Interface, NamespaceState, NetnsId, OvsState, TcFilter } from './types';
import type { ParsedState } from './parser';

export function emptyNamespace(netns: string | null): NamespaceState {
  return { netns, netnsIds: [], interfaces: [], routes: [], neighbors: [], qdiscs: [], tcFilters: [], fdb: [], firewall: [], sysctls: {}, bpf: [] };
}

export interface HostExtras {
  ovs?: OvsState;
  ovnLogicalPorts?: HostExtrasPorts;
  peerpodConfig?: Record<string, unknown>;
}
type HostExtrasPorts = NonNullable<ParsedState['ovnLogicalPorts']>;

export function mergeIntoNamespace(ns: NamespaceState, s: ParsedState): void {
  if (s.interfaces) ns.interfaces = mergeInterfaces(ns.interfaces, s.interfaces);
  if (s.routes) ns.routes.push(...s.routes);
  if (s.routeLookups) ns.routeLookups = [...(ns.routeLookups ?? []), ...s.routeLookups];
  if (s.neighbors) ns.neighbors.push(...s.neighbors);
  if (s.qdiscs) ns.qdiscs.push(...s.qdiscs);
  if (s.tcFilters) addUniqueFilters(ns.tcFilters, s.tcFilters);
  if (s.fdb) ns.fdb.push(...s.fdb);
  if (s.firewall) ns.firewall.push(...s.firewall);
  if (s.sysctls) Object.assign(ns.sysctls, s.sysctls);
  if (s.bpf) ns.bpf.push(...s.bpf);
  if (s.netnsIds) ns.netnsIds = mergeNetnsIds(ns.netnsIds, s.netnsIds);
  if (s.conntrackStats) ns.conntrackStats = { ...(ns.conntrackStats ?? {}), ...s.conntrackStats };
}

export function mergeIntoHost(host: HostExtras, s: ParsedState): void {
  if (s.ovs) host.ovs = mergeOvs(host.ovs, s.ovs);
  if (s.ovnLogicalPorts) host.ovnLogicalPorts = [...(host.ovnLogicalPorts ?? []), ...s.ovnLogicalPorts];
  if (s.peerpodConfig) host.peerpodConfig = { ...(host.peerpodConfig ?? {}), ...s.peerpodConfig };
}

/**
 * One device stated by several commands (`ip -d link` and `ip addr`) is one interface: matched by ifindex and
 * name; fields the first source lacks are filled from the next, and a generic kind gives way to a specific one.
 */
export function mergeInterfaces(existing: Interface[], incoming: Interface[]): Interface[] {
  const merged = existing.map((i) => ({ ...i }));
  for (const next of incoming) {
    const same = merged.find((i) => i.ifindex === next.ifindex && i.name === next.name);
    if (!same) {
      merged.push({ ...next });
      continue;
    }
    for (const key of Object.keys(next) as (keyof Interface)[]) {
      if (same[key] === undefined) Object.assign(same, { [key]: next[key] });
    }
    if (same.kind === 'device' && next.kind !== 'device') same.kind = next.kind;
    if (same.addresses.length === 0) same.addresses = next.addresses;
  }
  return merged;
}

function mergeNetnsIds(a: NetnsId[], b: NetnsId[]): NetnsId[] {
  const byId = new Map<number, NetnsId>();
  for (const n of [...a, ...b]) {
    const known = byId.get(n.nsid);
    byId.set(n.nsid, known?.name !== undefined ? known : n);
  }
  return [...byId.values()].sort((x, y) => x.nsid - y.nsid);
}

/** Text forms name the peer's namespace, JSON gives its nsid: with `ip netns list-id` each fills the other. */
export function resolvePeerNamespaces(ns: NamespaceState): void {
  for (const iface of ns.interfaces) {
    if (iface.linkNetnsId !== undefined && iface.linkNetns === undefined) {
      const name = ns.netnsIds.find((n) => n.nsid === iface.linkNetnsId)?.name;
      if (name !== undefined) iface.linkNetns = name;
    } else if (iface.linkNetns !== undefined && iface.linkNetnsId === undefined) {
      const nsid = ns.netnsIds.find((n) => n.name === iface.linkNetns)?.nsid;
      if (nsid !== undefined) iface.linkNetnsId = nsid;
    }
  }
}

function byKey<T extends { name: string; uuid?: string }>(a: T[], b: T[]): T[] {
  const out = [...a];
  for (const item of b) {
    const at = out.findIndex((x) => (x.uuid !== undefined && x.uuid === item.uuid) || x.name === item.name);
    if (at < 0) out.push(item);
    else if (out[at].uuid === undefined && item.uuid !== undefined) out[at] = item;
  }
  return out;
}

function mergeOvs(base: OvsState | undefined, next: Partial<OvsState>): OvsState {
  const b: OvsState = base ?? { bridges: [], ports: [], interfaces: [], externalIds: {} };
  return {
    ...b,
    bridges: byKey(b.bridges, next.bridges ?? []),
    ports: byKey(b.ports, next.ports ?? []),
    interfaces: byKey(b.interfaces, next.interfaces ?? []),
    externalIds: { ...b.externalIds, ...(next.externalIds ?? {}) },
    version: b.version ?? next.version,
    portStats: next.portStats ? [...(b.portStats ?? []), ...next.portStats] : b.portStats,
  };
}

function filterKey(f: TcFilter): string {
  return JSON.stringify([f.dev, f.hook, f.kind, f.pref, f.protocol, f.bpfName, f.actions]);
}

/** Keys of the filters already merged into a namespace, so each merge only looks at the new filters. */
const filterKeys = new WeakMap<TcFilter[], Set<string>>();

/** The same filter can be listed by two commands (both hooks of a legacy ingress qdisc): keep it once. */
function addUniqueFilters(into: TcFilter[], filters: readonly TcFilter[]): void {
  let seen = filterKeys.get(into);
  if (seen === undefined) {
    seen = new Set(into.map(filterKey));
    filterKeys.set(into, seen);
  }
  for (const f of filters) {
    const key = filterKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    into.push(f);
  }
}
