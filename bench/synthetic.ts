/**
 * A synthetic cluster capture made from a real lab capture: each worker of the template becomes `hosts` workers
 * with `podsPerHost` peer-pod namespaces each. A replica is the template with every identifying token replaced
 * consistently wherever it appears: host, namespace and device names, IPv4 and MAC addresses (OVN's 0a:58 MACs
 * follow their IPv4), link-local IPv6 derived from MACs, OVS row ids, interface indexes and netns ids. Entries of
 * the root namespace that belong to the pod (its host-end veth with routes, FDB, qdisc, tc and sysctl records, its
 * OVS port and interface, its OVN logical port, the neighbours of the pod and of its VM) are repeated for every
 * pod, so a healthy replica stays healthy. With `podVms`, the first pod of each worker keeps its pod VM, and with
 * it whatever fault the template shows between the two: one incident per worker.
 */
import { catalogEntry } from '@/lib/capture/catalog';
import type { CaptureBundle, CommandRecord, HostCapture, NamespaceCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { globalAddresses, tunnelParams } from '@/lib/topology/inventory';

export interface SyntheticOptions {
  /** Keep the template's pod VM for the first pod of every worker (default: workers only). */
  podVms?: boolean;
}

/** Each worker's addresses move by this much: a multiple of every template prefix block (/23 pods, /24 underlay). */
const HOST_BLOCK = 1024;
/** Pod VMs of pods other than the first get addresses in the upper half of their worker's block. */
const OTHER_VMS_AT = 512;
export const MAX_PODS_PER_HOST = 300;

// ── addresses ────────────────────────────────────────────────────────────────────────────────────────────

function ipv4Value(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p > 255)) return undefined;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.');
}

/** Never identifying: unspecified, loopback, broadcast and multicast addresses stay as they are. */
function isFixedIpv4(value: number): boolean {
  const first = Math.floor(value / 2 ** 24);
  return first === 0 || first === 127 || first >= 224;
}

function macBytes(mac: string): number[] {
  return mac.split(':').map((b) => Number.parseInt(b, 16));
}

function macText(bytes: readonly number[]): string {
  return bytes.map((b) => (b & 255).toString(16).padStart(2, '0')).join(':');
}

/** Zero, broadcast and multicast MACs (group bit set) are not device addresses. */
function isFixedMac(mac: string): boolean {
  const bytes = macBytes(mac);
  return (bytes[0] & 1) === 1 || bytes.every((b) => b === 0);
}

/** RFC 5952 text of eight 16-bit groups: lower case, the longest run of two or more zero groups as `::`. */
function ipv6Text(groups: readonly number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < groups.length; i++) {
    let len = 0;
    while (groups[i + len] === 0) len++;
    if (len > best.len) best = { at: i, len };
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The link-local address the kernel derives from a MAC (EUI-64, universal/local bit flipped). */
function linkLocalOf(mac: string): string {
  const b = macBytes(mac);
  return ipv6Text([0xfe80, 0, 0, 0, ((b[0] ^ 2) << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]]);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

// ── the template ─────────────────────────────────────────────────────────────────────────────────────────

interface Template {
  worker: HostCapture;
  root: NamespaceCapture;
  pod: NamespaceCapture;
  podVm?: HostCapture;
  hostEnd: Interface;
  /** nsid of the pod namespace as the root namespace sees it, and the largest nsid and ifindex there. */
  podNsid: number;
  maxNsid: number;
  maxIfindex: number;
  ifaceId?: string;
  ovsUuids: string[];
  /** IPv4 of the pod itself, and of the far ends of its tunnels (its pod VM). */
  podIps: Set<string>;
  remoteIps: Set<string>;
  podMacs: Set<string>;
  /** Every IPv4 of the template: an OVN MAC 0a:58:<IPv4> follows its address. */
  knownIps: Set<string>;
  /** Template link-local addresses and the MAC each was derived from. */
  linkLocals: Map<string, string>;
}

function namespaceState(host: HostState, netns: string | null): NamespaceState {
  const ns = host.namespaces.find((n) => n.netns === netns);
  if (ns === undefined) throw new Error(`template host ${host.name} has no namespace ${netns ?? 'root'}`);
  return ns;
}

function macsOf(states: readonly NamespaceState[]): string[] {
  return states.flatMap((ns) => ns.interfaces.flatMap((i) => (i.mac !== undefined && !isFixedMac(i.mac) ? [i.mac.toLowerCase()] : [])));
}

function hostEndOf(root: NamespaceState, podNetns: string): Interface {
  const end = root.interfaces.find((i) => i.kind === 'veth' && i.linkNetns === podNetns);
  if (end === undefined) throw new Error(`the template's root namespace has no veth into ${podNetns}`);
  return end;
}

/**
 * The records today's collector would make: the template may predate a `select` in the catalog (tc filters are
 * now only asked for hooks a qdisc can hold), and the replica should have the shape of a capture made now.
 */
function asCollectedNow(host: HostCapture): HostCapture {
  const namespaces = host.namespaces.map((ns) => {
    const keep = new Map(ns.commands.map((c) => [c.id, catalogEntry(c.id).select?.(ns.commands)]));
    return { ...ns, commands: ns.commands.filter((c) => keep.get(c.id)?.(c.params ?? {}) ?? true) };
  });
  return { ...host, namespaces };
}

function pickWorker(base: CaptureBundle): HostCapture {
  const usable = base.hosts.filter((h) => h.status !== 'failed' && h.namespaces.some((n) => n.netns !== null));
  const worker = usable.find((h) => h.role === 'worker') ?? usable[0];
  if (worker === undefined) throw new Error('the template capture has no host with a pod namespace');
  return worker;
}

function readTemplate(capture: CaptureBundle): Template {
  const base = { ...capture, hosts: capture.hosts.map(asCollectedNow) };
  const worker = pickWorker(base);
  const root = worker.namespaces.find((n) => n.netns === null);
  const pod = worker.namespaces.find((n) => n.netns !== null);
  if (root === undefined || pod === undefined || pod.netns === null) throw new Error(`template worker ${worker.name} lacks a root or pod namespace`);
  const state = parseHost(worker);
  const rootState = namespaceState(state, null);
  const podState = namespaceState(state, pod.netns);
  const hostEnd = hostEndOf(rootState, pod.netns);
  const podIps = new Set(
    podState.interfaces.flatMap((i) =>
      globalAddresses(i)
        .filter((a) => a.family === 'inet')
        .map((a) => a.local),
    ),
  );
  const remoteIps = new Set(podState.interfaces.flatMap((i) => tunnelParams(i)?.remote ?? []));
  const podVm = base.hosts.find((h) => h !== worker && h.status !== 'failed' && parseHost(h).namespaces.some((ns) => ns.interfaces.some((i) => i.addresses.some((a) => remoteIps.has(a.local)))));
  const hostMacs = new Set(macsOf([rootState]).filter((m) => m !== hostEnd.mac?.toLowerCase()));
  const vmMacs = podVm === undefined ? [] : macsOf(parseHost(podVm).namespaces);
  const podMacs = new Set([...macsOf([podState]), hostEnd.mac?.toLowerCase() ?? '', ...vmMacs].filter((m) => m !== '' && !hostMacs.has(m)));
  const ovsIf = state.ovs?.interfaces.find((i) => i.name === hostEnd.name);
  const ovsPort = state.ovs?.ports.find((p) => ovsIf?.uuid !== undefined && p.interfaces.includes(ovsIf.uuid));
  const text = JSON.stringify([worker, podVm ?? null]);
  const allMacs = new Set([...text.matchAll(MAC)].map((m) => m[0].toLowerCase()));
  return {
    worker,
    root,
    pod,
    podVm,
    hostEnd,
    podNsid: hostEnd.linkNetnsId ?? 0,
    maxNsid: Math.max(0, ...rootState.netnsIds.map((n) => n.nsid)),
    maxIfindex: Math.max(0, ...rootState.interfaces.map((i) => i.ifindex)),
    ifaceId: ovsIf?.externalIds['iface-id'],
    ovsUuids: [ovsIf?.uuid, ovsPort?.uuid].filter((u): u is string => u !== undefined),
    podIps,
    remoteIps,
    podMacs,
    knownIps: new Set([...text.matchAll(IPV4)].map((m) => m[0]).filter((ip) => ipv4Value(ip) !== undefined)),
    linkLocals: new Map([...allMacs].filter((m) => !isFixedMac(m)).map((m) => [linkLocalOf(m), m])),
  };
}

// ── tokens ───────────────────────────────────────────────────────────────────────────────────────────────

const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)/g;
const MAC = /(?<![0-9a-fA-F:])[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}(?![0-9a-fA-F:])/g;
const LINK_LOCAL = /(?<![0-9a-fA-F:])fe80::[0-9a-f:]+(?![0-9a-fA-F:])/g;
const FIELD = /"(ifindex|link_index|link_netnsid|nsid|id)":(\d+)/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

type Token =
  | { kind: 'name' | 'uuid' | 'ipv4' | 'mac' | 'link-local'; text: string }
  | { kind: 'field'; text: string; field: string; value: number }
  /** An OVS set member naming the pod's port: one member per pod. */
  | { kind: 'port-ref'; text: string };

type Part = string | Token;

/** Which structural numbers change per pod: in the root namespace's pod entries, or in the pod namespace. */
type Scope = 'host' | 'root-pod' | 'pod';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class Replica {
  private readonly names: RegExp;
  private readonly portRef: string | undefined;

  constructor(
    private readonly t: Template,
    private readonly podsPerHost: number,
  ) {
    const names = [t.worker.name, t.pod.netns ?? '', t.hostEnd.name, t.ifaceId ?? '', t.podVm?.name ?? ''].filter((n) => n !== '');
    this.names = new RegExp(
      names
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    const portUuid = t.ovsUuids[1];
    this.portRef = portUuid === undefined ? undefined : `["uuid","${portUuid}"]`;
  }

  /** Splits a template text into literal text and tokens, once; `render` fills the tokens per host and pod. */
  compile(text: string, scope: Scope, expandPortRef = false): Part[] {
    const hits: { at: number; token: Token }[] = [];
    const scan = (re: RegExp, make: (m: RegExpMatchArray) => Token | undefined): void => {
      for (const m of text.matchAll(re)) {
        const token = make(m);
        if (token !== undefined && m.index !== undefined) hits.push({ at: m.index, token });
      }
    };
    if (expandPortRef && this.portRef !== undefined) scan(new RegExp(escapeRegExp(this.portRef), 'g'), (m) => ({ kind: 'port-ref', text: m[0] }));
    scan(this.names, (m) => ({ kind: 'name', text: m[0] }));
    // Rows repeated per pod (OVS port and interface, OVN logical port) need their own ids.
    if (scope === 'root-pod') scan(UUID, (m) => ({ kind: 'uuid', text: m[0] }));
    scan(IPV4, (m) => (ipv4Value(m[0]) === undefined ? undefined : { kind: 'ipv4', text: m[0] }));
    scan(MAC, (m) => ({ kind: 'mac', text: m[0] }));
    scan(LINK_LOCAL, (m) => (this.t.linkLocals.has(m[0]) ? { kind: 'link-local', text: m[0] } : undefined));
    if (scope !== 'host') scan(FIELD, (m) => this.field(m, scope));
    hits.sort((a, b) => a.at - b.at);
    const parts: Part[] = [];
    let at = 0;
    for (const hit of hits) {
      if (hit.at < at) continue;
      parts.push(text.slice(at, hit.at), hit.token);
      at = hit.at + hit.token.text.length;
    }
    parts.push(text.slice(at));
    return parts.filter((p) => p !== '');
  }

  private field(m: RegExpMatchArray, scope: Scope): Token | undefined {
    const [text, field, digits] = m;
    const value = Number(digits);
    const t = this.t;
    const changes =
      scope === 'root-pod'
        ? (field === 'ifindex' && value === t.hostEnd.ifindex) || (field !== 'ifindex' && field !== 'link_index' && value === t.podNsid)
        : field === 'link_index' && value === t.hostEnd.ifindex;
    return changes ? { kind: 'field', text, field, value } : undefined;
  }

  render(parts: readonly Part[], h: number, j: number): string {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : this.token(p, h, j);
    return out;
  }

  podNetns(h: number, j: number): string {
    return `${hex(h, 8)}-${hex(j, 4)}-4a1e-9c1d-5f0e2b7c${hex(j, 4)}`;
  }

  private token(token: Token, h: number, j: number): string {
    switch (token.kind) {
      case 'name':
        return this.name(token.text, h, j);
      case 'uuid':
        return this.uuid(token.text, h, j);
      case 'ipv4':
        return this.ipv4(token.text, h, j);
      case 'mac':
        return this.mac(token.text, h, j);
      case 'link-local':
        return linkLocalOf(this.mac(this.t.linkLocals.get(token.text) ?? '', h, j));
      case 'field':
        return `"${token.field}":${token.field === 'ifindex' || token.field === 'link_index' ? this.ifindex(j) : this.nsid(j)}`;
      case 'port-ref':
        return Array.from({ length: this.podsPerHost }, (_, k) => `["uuid","${this.uuid(this.t.ovsUuids[1] ?? '', h, k)}"]`).join(',');
    }
  }

  private name(text: string, h: number, j: number): string {
    const t = this.t;
    if (text === t.worker.name || text === t.podVm?.name) return `${text}-${h}`;
    if (text === t.pod.netns) return this.podNetns(h, j);
    if (text === t.hostEnd.name) return this.podNetns(h, j).replace(/-/g, '').slice(0, 15);
    return `${text}-${h}-${j}`;
  }

  private uuid(text: string, h: number, j: number): string {
    return `${text.slice(0, 24)}${hex(h * 100_000 + j, 12)}`;
  }

  private ipv4(text: string, h: number, j: number): string {
    const value = ipv4Value(text);
    if (value === undefined || isFixedIpv4(value)) return text;
    const pod = this.t.podIps.has(text) ? j : this.t.remoteIps.has(text) && j > 0 ? OTHER_VMS_AT + j : 0;
    return ipv4Text(value + h * HOST_BLOCK + pod);
  }

  private mac(text: string, h: number, j: number): string {
    const mac = text.toLowerCase();
    if (isFixedMac(mac)) return text;
    const b = macBytes(mac);
    const ip = ipv4Text(((b[2] * 256 + b[3]) * 256 + b[4]) * 256 + b[5]);
    if (b[0] === 0x0a && b[1] === 0x58 && this.t.knownIps.has(ip)) return macText([0x0a, 0x58, ...this.ipv4(ip, h, j).split('.').map(Number)]);
    const k = this.t.podMacs.has(mac) ? j : 0;
    return macText([b[0], b[1], h >> 8, h, b[4] + (k >> 8), b[5] + k]);
  }

  private ifindex(j: number): number {
    return j === 0 ? this.t.hostEnd.ifindex : this.t.maxIfindex + j;
  }

  private nsid(j: number): number {
    return j === 0 ? this.t.podNsid : this.t.maxNsid + j;
  }

  /** True when a root-namespace entry belongs to the pod: it names the pod's devices, addresses or rows. */
  isPodEntry(text: string): boolean {
    const t = this.t;
    const names = [t.hostEnd.name, t.pod.netns ?? '', t.ifaceId ?? '', ...t.ovsUuids].filter((n) => n !== '');
    if (names.some((n) => text.includes(n))) return true;
    if ([...text.matchAll(IPV4)].some((m) => t.podIps.has(m[0]) || t.remoteIps.has(m[0]))) return true;
    return [...text.matchAll(MAC)].some((m) => t.podMacs.has(m[0].toLowerCase()));
  }
}

// ── records ──────────────────────────────────────────────────────────────────────────────────────────────

interface CompiledEntry {
  parts: Part[];
  perPod: boolean;
}

/** A command output split into entries (JSON array elements, OVSDB rows, text lines) between fixed text. */
interface CompiledOutput {
  open: string;
  entries: CompiledEntry[];
  separator: string;
  close: string;
}

interface CompiledRecord {
  record: CommandRecord;
  argv: Part[][];
  params?: [string, Part[]][];
  stdout: CompiledOutput;
  /** The whole record is about the pod (tc filters of its host-end veth): one copy per pod. */
  perPod: boolean;
}

/** ip -j and ovs-vsctl -f json print compact JSON: a parse and re-stringify gives the same text back. */
function entriesOf(stdout: string): { open: string; entries: string[]; separator: string; close: string } {
  const trailing = stdout.endsWith('\n') ? '\n' : '';
  try {
    const value: unknown = JSON.parse(stdout);
    if (JSON.stringify(value) + trailing === stdout) {
      if (Array.isArray(value)) return { open: '[', entries: value.map((v) => JSON.stringify(v)), separator: ',', close: `]${trailing}` };
      const table = value as { data?: unknown; headings?: unknown };
      if (Array.isArray(table.data) && Object.keys(table).join() === 'data,headings') {
        return {
          open: '{"data":[',
          entries: table.data.map((v) => JSON.stringify(v)),
          separator: ',',
          close: `],"headings":${JSON.stringify(table.headings)}}${trailing}`,
        };
      }
    }
  } catch {
    // text output: one entry per line
  }
  if (stdout.trim().startsWith('{') || stdout.trim() === '') return { open: '', entries: stdout === '' ? [] : [stdout], separator: '', close: '' };
  const lines = stdout.split('\n');
  const last = lines.pop();
  return { open: '', entries: last === '' ? lines.map((l) => `${l}\n`) : [...lines.map((l) => `${l}\n`), last ?? ''], separator: '', close: '' };
}

/** Bridge and Open_vSwitch rows hold every port: they stay single and list each pod's port instead. */
const CONTAINER_TABLES = new Set(['ovs-bridge', 'ovs-open-vswitch']);

function compileRecord(r: Replica, record: CommandRecord, scope: 'root' | 'pod' | 'vm', hostEnd: string): CompiledRecord {
  const perPod = scope === 'root' && record.params?.dev === hostEnd;
  const fieldScope: Scope = scope === 'pod' ? 'pod' : perPod ? 'root-pod' : 'host';
  const out = entriesOf(record.stdout);
  const entries = out.entries.map((text): CompiledEntry => {
    const podEntry = scope === 'root' && !perPod && !CONTAINER_TABLES.has(record.id) && r.isPodEntry(text);
    return { parts: r.compile(text, podEntry ? 'root-pod' : fieldScope, record.id === 'ovs-bridge'), perPod: podEntry };
  });
  return {
    record,
    argv: record.argv.map((a) => r.compile(a, 'host')),
    params: record.params === undefined ? undefined : Object.entries(record.params).map(([k, v]) => [k, r.compile(v, 'host')]),
    stdout: { ...out, entries },
    perPod,
  };
}

function renderRecord(r: Replica, c: CompiledRecord, h: number, j: number, pods: number): CommandRecord {
  const entries = c.stdout.entries.flatMap((e) => (e.perPod ? Array.from({ length: pods }, (_, k) => r.render(e.parts, h, k)) : [r.render(e.parts, h, j)]));
  const record: CommandRecord = {
    ...c.record,
    argv: c.argv.map((a) => r.render(a, h, j)),
    stdout: c.stdout.open + entries.join(c.stdout.separator) + c.stdout.close,
  };
  if (c.params !== undefined) record.params = Object.fromEntries(c.params.map(([k, v]) => [k, r.render(v, h, j)]));
  return record;
}

// ── hosts ────────────────────────────────────────────────────────────────────────────────────────────────

/** Replicas of the template, one host at a time: workers 1…hosts, each followed by its pod VM when asked for. */
export function* syntheticHosts(base: CaptureBundle, hosts: number, podsPerHost: number, options: SyntheticOptions = {}): Generator<HostCapture> {
  if (podsPerHost < 1 || podsPerHost > MAX_PODS_PER_HOST) throw new Error(`podsPerHost must be 1…${MAX_PODS_PER_HOST}: the address plan has room for that many`);
  const t = readTemplate(base);
  const r = new Replica(t, podsPerHost);
  const root = t.root.commands.map((c) => compileRecord(r, c, 'root', t.hostEnd.name));
  const pod = t.pod.commands.map((c) => compileRecord(r, c, 'pod', t.hostEnd.name));
  const vm = t.podVm?.namespaces.map((ns) => ({ netns: ns.netns, commands: ns.commands.map((c) => compileRecord(r, c, 'vm', t.hostEnd.name)) }));
  for (let h = 1; h <= hosts; h++) {
    const rootCommands = root.flatMap((c) => (c.perPod ? Array.from({ length: podsPerHost }, (_, j) => renderRecord(r, c, h, j, podsPerHost)) : [renderRecord(r, c, h, 0, podsPerHost)]));
    const namespaces: NamespaceCapture[] = [{ netns: null, commands: rootCommands }];
    for (let j = 0; j < podsPerHost; j++) namespaces.push({ netns: r.podNetns(h, j), commands: pod.map((c) => renderRecord(r, c, h, j, podsPerHost)) });
    yield { ...t.worker, name: `${t.worker.name}-${h}`, namespaces };
    if (options.podVms && t.podVm !== undefined && vm !== undefined) {
      yield {
        ...t.podVm,
        name: `${t.podVm.name}-${h}`,
        namespaces: vm.map((ns) => ({ netns: ns.netns, commands: ns.commands.map((c) => renderRecord(r, c, h, 0, podsPerHost)) })),
      };
    }
  }
}

export function syntheticBundle(base: CaptureBundle, hosts: number, podsPerHost: number, options: SyntheticOptions = {}): CaptureBundle {
  const detail = `${hosts} workers × ${podsPerHost} pods${options.podVms ? ' + a pod VM each' : ''}`;
  return { ...base, source: { kind: 'synthetic', detail }, hosts: [...syntheticHosts(base, hosts, podsPerHost, options)], cluster: undefined };
}
