/**
 * The parts of a host's state that commands fill, each declared once with where it lives (a namespace or the
 * host) and how what two commands (or two captures) state of it merges. ParsedState, emptyNamespace, the merges and
 * the cleared namespaces of a host view are derived from this list; the compiler holds it to NamespaceState and
 * HostState (lib/parse/types.ts), field for field. A command names the fields it fills (lib/commands).
 */
import type {
  BpfAttachment,
  FdbEntry,
  FirewallRule,
  HostState,
  Interface,
  NamespaceState,
  Neighbor,
  NetnsId,
  OvnLogicalSwitchPort,
  OvsState,
  PeerPodSandbox,
  PolicyRule,
  Qdisc,
  Route,
  TcFilter,
} from './types';

/**
 * One part of the state. `Piece` is what one command states, `Value` what the namespace or host holds after all
 * of them. A field with `empty` is always present in a namespace; one without stays absent until a command fills it.
 */
export interface StateField<Piece, Value = Piece, Level extends 'namespace' | 'host' = 'namespace' | 'host'> {
  level: Level;
  empty?: () => Value;
  /** May reuse `current` (a namespace under construction owns its arrays). */
  merge(current: Value | undefined, piece: Piece): Value;
}

/** Rows stated by several commands are appended to the same list, in the order the commands ran. */
function appendedRows<T>(): StateField<T[], T[], 'namespace'> & { empty: () => T[] } {
  return {
    level: 'namespace',
    empty: () => [],
    merge(current, piece) {
      const into = current ?? [];
      into.push(...piece);
      return into;
    },
  };
}

/** A list absent until a command states one: concatenated without touching earlier values. */
function laterRows<T, L extends 'namespace' | 'host'>(level: L): StateField<T[], T[], L> {
  return { level, merge: (current, piece) => [...(current ?? []), ...piece] };
}

/** Key–value facts: a later command's value of a key wins. */
function laterKeys<V, L extends 'namespace' | 'host'>(level: L): StateField<Record<string, V>, Record<string, V>, L> {
  return { level, merge: (current, piece) => ({ ...(current ?? {}), ...piece }) };
}

/** What commands fill in a namespace: all of NamespaceState but its identity and the record of what ran. */
type NamespaceFields = Omit<NamespaceState, 'netns' | 'collected' | 'collectedFor'>;
/** What commands fill of a host: all of HostState but what the capture itself says and the parse's own findings. */
type HostFields = Omit<HostState, 'name' | 'role' | 'status' | 'error' | 'podVm' | 'namespaces' | 'missingTools' | 'problems'>;
/** A field for every key of T, merging into T's value there; present-always keys need their `empty`. */
type FieldsOf<T, L extends 'namespace' | 'host'> = {
  [K in keyof T]-?: StateField<never, NonNullable<T[K]>, L> & (undefined extends T[K] ? unknown : { empty: () => NonNullable<T[K]> });
};

export const STATE_FIELDS = {
  /** nsid → named namespace, as seen from this namespace (ip netns list-id). */
  netnsIds: { level: 'namespace', empty: (): NetnsId[] => [], merge: (current: NetnsId[] | undefined, piece: NetnsId[]) => mergeNetnsIds(current ?? [], piece) },
  interfaces: { level: 'namespace', empty: (): Interface[] => [], merge: (current: Interface[] | undefined, piece: Interface[]) => mergeInterfaces(current ?? [], piece) },
  routes: appendedRows<Route>(),
  neighbors: appendedRows<Neighbor>(),
  qdiscs: appendedRows<Qdisc>(),
  tcFilters: {
    level: 'namespace',
    empty: (): TcFilter[] => [],
    merge(current: TcFilter[] | undefined, piece: TcFilter[]) {
      const into = current ?? [];
      addUniqueFilters(into, piece);
      return into;
    },
  },
  fdb: appendedRows<FdbEntry>(),
  firewall: appendedRows<FirewallRule>(),
  sysctls: {
    level: 'namespace',
    empty: (): Record<string, string> => ({}),
    merge: (current: Record<string, string> | undefined, piece: Record<string, string>) => Object.assign(current ?? {}, piece),
  },
  bpf: appendedRows<BpfAttachment>(),
  /** `ip route get` answers: the route the kernel chose for an address. */
  routeLookups: laterRows<Route, 'namespace'>('namespace'),
  /** `conntrack -S` counters summed over CPUs, e.g. { insert_failed: 0, drop: 3 }. */
  conntrackStats: laterKeys<number, 'namespace'>('namespace'),
  /** Policy routing rules (`ip rule`); absent from captures made before Tunnelscope read them. */
  policyRules: laterRows<PolicyRule, 'namespace'>('namespace'),
  ovs: { level: 'host', merge: (current: OvsState | undefined, piece: Partial<OvsState>) => mergeOvs(current, piece) },
  ovnLogicalPorts: laterRows<OvnLogicalSwitchPort, 'host'>('host'),
  /** Parsed /run/peerpod/podnetwork.json on a pod VM. */
  peerpodConfig: laterKeys<unknown, 'host'>('host'),
  /** The worker's per-sandbox peer-pod records (the pod-network part only). */
  peerpodSandboxes: laterRows<PeerPodSandbox, 'host'>('host'),
} as const satisfies FieldsOf<NamespaceFields, 'namespace'> & FieldsOf<HostFields, 'host'>;

type Fields = typeof STATE_FIELDS;
export type StateFieldName = keyof Fields;
type PieceOf<F> = F extends { merge(current: never, piece: infer P): unknown } ? P : never;

/** The part of a host's state that one command states. parseHost merges these. */
export type ParsedState = { -readonly [K in keyof Fields]?: PieceOf<Fields[K]> };
/** The host-level fields a host's commands filled, before they join its state. */
export type HostStateFields = Partial<HostFields>;

/** The fields as one uniform shape, for the loops that merge and clear them by name. */
export const FIELD_LIST: readonly (readonly [StateFieldName, StateField<unknown, unknown>])[] = Object.entries(STATE_FIELDS) as [StateFieldName, StateField<unknown, unknown>][];

/** Ifindex 0 is a device whose listing does not know its index (/proc/net/route names devices only): its name decides. */
function sameDevice(a: Interface, b: Interface): boolean {
  return a.name === b.name && (a.ifindex === b.ifindex || a.ifindex === 0 || b.ifindex === 0);
}

/**
 * One device stated by several commands (`ip -d link` and `ip addr`) is one interface: matched by ifindex and
 * name; fields the first source lacks are filled from the next, and a generic kind gives way to a specific one.
 */
function mergeInterfaces(existing: Interface[], incoming: Interface[]): Interface[] {
  const merged = existing.map((i) => ({ ...i }));
  for (const next of incoming) {
    const same = merged.find((i) => sameDevice(i, next));
    if (!same) {
      merged.push({ ...next });
      continue;
    }
    if (same.ifindex === 0) same.ifindex = next.ifindex;
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
