/**
 * The path view's model: the hops a packet takes, in order, as devices grouped in bands by host and namespace,
 * built from a path trace (lib/diagnose/trace.ts) over the topology. A finding, a pod or a device is shown by the
 * trace that runs through it: from a node's root namespace to an address behind the finding's devices, the one that
 * breaks at (or else passes) one of them. Pure, shared by the API, the page, graph.svg and report.md. It sits with
 * the snapshot because the path of the most severe finding is derived once with the overview (subview.ts).
 */
import { traceRoute, type TraceHop, type TraceResult } from '@/lib/diagnose/trace';
import type { Finding, Severity } from '@/lib/diagnose/types';
import { hostId } from '@/lib/topology/ids';
import { isTunnel, tunnelParams, statedTunnelPort } from '@/lib/topology/inventory';
import { edgeById, edgesOf, namespaceOf, nodeById, otherEnd } from '@/lib/topology/query/graph';
import { lookupRoute } from '@/lib/topology/routing';
import type { TopoNode, Topology } from '@/lib/topology/types';
import { findingSubject, mostSevere } from './path-subject';

export { findingSubject, mostSevere };

/** What a hop is on the path. */
export type HopKind = 'route' | 'bridge' | 'bridge-port' | 'veth' | 'tc-redirect' | 'tunnel' | 'underlay' | 'device' | 'not-captured';

/** How the packet reached a hop from the one before. */
export type HopLink = 'bridge' | 'veth' | 'tc-redirect' | 'tunnel' | 'underlay';

export interface PathHop {
  /** Topology id of the device, or '' for the underlay and what the capture does not hold. */
  element: string;
  /** The device as people name it: `eth0`, `br-int`, `vxlan0`; 'underlay' or 'not captured' for the others. */
  device: string;
  /** '' for the underlay between hosts. */
  host: string;
  netns: string | null;
  kind: HopKind;
  via?: HopLink;
  /** What the packet met here: the route and neighbour chosen, the tunnel's VNI, port and remote. */
  notes: string[];
  broken: boolean;
  /** On the broken hop: the finding's one-line reason (else the trace's); on a not-captured hop: why. */
  reason?: string;
}

export interface PathBand {
  /** '' for the underlay. */
  host: string;
  netns: string | null;
  /** 'ocp-412-ovn-worker-1 · root', 'podvm-… · podns', 'ocp-… · pod nginx (ns c16c…)', 'underlay'. */
  label: string;
  hops: PathHop[];
}

export interface PathFinding {
  rule: string;
  severity: Severity;
  title: string;
}

export interface PathView {
  from: string;
  to: string;
  ok: boolean;
  reason?: string;
  finding?: PathFinding;
  hops: PathHop[];
  bands: PathBand[];
}

const UNDERLAY = 'underlay';
const NOT_CAPTURED = 'not captured';

interface Builder {
  t: Topology;
  hops: PathHop[];
}

function hopOf(node: TopoNode | undefined, element: string, kind: HopKind, via?: HopLink): PathHop {
  if (node === undefined) return { element, device: element, host: '', netns: null, kind, via, notes: [], broken: false };
  const device = node.kind === 'host' || node.kind === 'netns' ? 'routes' : node.label;
  return { element, device, host: node.host, netns: node.netns ?? null, kind, via, notes: [], broken: false };
}

function last(b: Builder): PathHop | undefined {
  return b.hops[b.hops.length - 1];
}

/** The hop for `element`: the last one when it is already there (route then neighbour on one device), else a new one. */
function at(b: Builder, element: string, kind: HopKind, via?: HopLink): PathHop {
  const previous = last(b);
  if (previous?.element === element) return previous;
  const hop = hopOf(nodeById(b.t, element), element, kind, via);
  b.hops.push(hop);
  return hop;
}

function tunnelNote(node: TopoNode | undefined, remote?: string): string {
  const iface = node?.iface;
  const params = iface === undefined ? undefined : tunnelParams(iface);
  const port = iface === undefined ? undefined : statedTunnelPort(iface);
  const parts = [`VNI ${params?.vni ?? '?'}`];
  if (port !== undefined) parts.push(`port ${port}`);
  if (remote !== undefined) parts.push(`remote ${remote}`);
  return parts.join(' · ');
}

/** The underlay between two hosts, named by the sender's uplink towards the far address when the routes say it. */
function underlay(b: Builder, fromHost: string, remote: string | undefined): void {
  const ns = namespaceOf(b.t, fromHost, null);
  const route = ns === undefined || remote === undefined ? undefined : lookupRoute(ns, remote);
  const notes = [route?.dev === undefined ? undefined : `out of ${fromHost} ${route.dev}`, remote === undefined ? undefined : `to ${remote}`];
  b.hops.push({ element: '', device: UNDERLAY, host: '', netns: null, kind: 'underlay', via: 'underlay', notes: notes.filter((n): n is string => n !== undefined), broken: false });
}

function crossBridge(b: Builder, hop: TraceHop): void {
  const tunnelled = / → tunnel (\S+) → (\S+)$/.exec(hop.action);
  if (tunnelled) {
    const sender = last(b);
    const bridgeName = /^OVS (\S+)/.exec(hop.action)?.[1] ?? '';
    const host = sender?.host ?? '';
    b.hops.push({ element: '', device: bridgeName, host, netns: null, kind: 'bridge', notes: [], broken: false });
    b.hops.push({ element: '', device: tunnelled[1] ?? '?', host, netns: null, kind: 'tunnel', via: 'bridge', notes: [`to ${tunnelled[2] ?? '?'}`], broken: false });
    underlay(b, host, undefined);
    at(b, hop.element, 'bridge', 'tunnel').notes.push(hop.why ?? hop.action);
    return;
  }
  at(b, hop.element, 'bridge');
  const edge = hop.edge === undefined ? undefined : edgeById(b.t, hop.edge);
  if (edge === undefined) return;
  const port = otherEnd(edge, hop.element);
  if (port !== hop.element) at(b, port, 'bridge-port', 'bridge');
}

function crossTunnel(b: Builder, hop: TraceHop): void {
  const sender = last(b);
  const remote = / → (\S+)$/.exec(hop.action)?.[1];
  const senderNode = sender === undefined ? undefined : nodeById(b.t, sender.element);
  if (sender !== undefined) {
    sender.kind = 'tunnel';
    sender.notes.push(tunnelNote(senderNode, remote));
  }
  underlay(b, sender?.host ?? '', remote);
  const far = at(b, hop.element, 'tunnel', 'tunnel');
  far.notes.push(tunnelNote(nodeById(b.t, hop.element)));
}

/** Adds the devices one trace step passes, in order, and returns the hop it ends on. */
function addStep(b: Builder, hop: TraceHop): PathHop {
  const action = hop.action;
  if (action.startsWith('route ') || action.startsWith('no route') || action.startsWith('neighbour ')) {
    const h = at(b, hop.element, 'route');
    // The device is the hop's name already: `route 10.132.2.0/23 dev ovn-k8s-mp0` reads `route 10.132.2.0/23`.
    h.notes.push(action.replace(/ dev \S+$/, '').replace(/ \(REACHABLE\)$/, ''));
    return h;
  }
  if (action.startsWith('OVS ') || action.startsWith('bridge ')) {
    crossBridge(b, hop);
    return last(b)!;
  }
  if (action.startsWith('veth ')) return at(b, hop.element, 'veth', 'veth');
  if (action.startsWith('tc redirect ')) {
    const node = nodeById(b.t, hop.element);
    return at(b, hop.element, node?.iface !== undefined && isTunnel(node.iface) ? 'tunnel' : 'tc-redirect', 'tc-redirect');
  }
  if (/^(VXLAN|Geneve) VNI /.test(action)) {
    crossTunnel(b, hop);
    return last(b)!;
  }
  if (action.startsWith('underlay ')) {
    const sender = last(b);
    underlay(b, sender?.host ?? '', / towards (\S+)/.exec(action)?.[1]);
    return at(b, hop.element, 'device', 'underlay');
  }
  const h = at(b, hop.element, 'device');
  if (action.startsWith('delivered') || action.startsWith('local')) h.notes.push(action.replace(/ but MAC differs.*$/, ''));
  return h;
}

function markEnd(b: Builder, end: PathHop, hop: TraceHop, reason: string, named: ReadonlySet<string>): void {
  // Where the finding names the device the walk stops at, the finding says why: the far end differs, not missing.
  if (hop.uncaptured && !named.has(hop.element)) {
    b.hops.push({ element: '', device: NOT_CAPTURED, host: '', netns: null, kind: 'not-captured', notes: [], broken: false, reason });
    return;
  }
  end.broken = true;
  end.reason = reason;
}

function podLabel(t: Topology, host: string, netns: string): string | undefined {
  const pods = edgesOf(t, `${hostId(host)}/ns:${netns}`, 'pod-netns')
    .map((e) => nodeById(t, otherEnd(e, `${hostId(host)}/ns:${netns}`)))
    .filter((n): n is TopoNode => n?.kind === 'pod');
  return pods[0]?.label;
}

function bandLabel(t: Topology, hop: PathHop): string {
  if (hop.kind === 'underlay') return UNDERLAY;
  if (hop.kind === 'not-captured') return NOT_CAPTURED;
  if (hop.netns === null) return `${hop.host} · root namespace`;
  const pod = podLabel(t, hop.host, hop.netns);
  if (pod === undefined) return `${hop.host} · ${hop.netns}`;
  return pod.includes(hop.netns) ? `${hop.host} · pod ${pod}` : `${hop.host} · pod ${pod} (${hop.netns})`;
}

export function bandsOf(t: Topology, hops: readonly PathHop[]): PathBand[] {
  const bands: PathBand[] = [];
  for (const hop of hops) {
    const label = bandLabel(t, hop);
    const current = bands[bands.length - 1];
    if (current !== undefined && current.label === label) current.hops.push(hop);
    else bands.push({ host: hop.host, netns: hop.netns, label, hops: [hop] });
  }
  return bands;
}

/** The path view of a trace; the broken hop carries the finding's title when a finding explains it. */
export function pathFromTrace(t: Topology, trace: TraceResult, finding?: Pick<Finding, 'rule' | 'severity' | 'title' | 'elements'>): PathView {
  const b: Builder = { t, hops: [] };
  const elements = new Set(finding?.elements ?? []);
  trace.hops.forEach((hop, i) => {
    const end = addStep(b, hop);
    if (i === trace.brokenAt) markEnd(b, end, hop, finding?.title ?? trace.reason ?? hop.why ?? hop.action, elements);
  });
  // A trace that passes the finding's devices (the capture lacks what the walk would need to see the fault, a
  // neighbour entry say) still shows the finding where it is: on the furthest of its devices on the path.
  const named = finding === undefined || b.hops.some((h) => h.broken) ? undefined : b.hops.findLast((h) => finding.elements.includes(h.element));
  if (named !== undefined && finding !== undefined) {
    named.broken = true;
    named.reason = finding.title;
  }
  const view: PathView = { from: trace.from, to: trace.to, ok: trace.ok && named === undefined, hops: b.hops, bands: bandsOf(t, b.hops) };
  if (trace.reason !== undefined) view.reason = trace.reason;
  if (finding !== undefined) view.finding = { rule: finding.rule, severity: finding.severity, title: finding.title };
  return view;
}

// ── which trace shows a finding, a pod or a device ───────────────────────────────────────────────────────────

const MAX_SOURCES = 4;
const MAX_TARGETS = 8;

function usable(ip: string): boolean {
  return !ip.startsWith('127.') && ip !== '::1' && !ip.toLowerCase().startsWith('fe80:') && !ip.startsWith('169.254.');
}

function namespaceAddresses(t: Topology, host: string, netns: string | null): string[] {
  return (namespaceOf(t, host, netns)?.interfaces ?? []).flatMap((i) => i.addresses.map((a) => a.local));
}

function podAddresses(t: Topology, hostMatches: (host: string) => boolean): string[] {
  const out: string[] = [];
  for (const h of t.hosts) {
    if (!hostMatches(h.name)) continue;
    for (const n of h.namespaces) if (n.netns !== null) out.push(...n.interfaces.flatMap((i) => i.addresses.map((a) => a.local)).filter(usable));
    if (out.length >= MAX_TARGETS) break;
  }
  return out;
}

/** Addresses behind an element: its own, its namespace's (a pod's), and those behind its veth peer. */
function targetsOf(t: Topology, id: string): string[] {
  const node = nodeById(t, id);
  if (node === undefined) {
    const edge = edgeById(t, id);
    return edge === undefined ? [] : [...targetsOf(t, edge.source), ...targetsOf(t, edge.target)];
  }
  if (node.kind === 'pod') return edgesOf(t, id, 'pod-netns').flatMap((e) => targetsOf(t, otherEnd(e, id)));
  if (node.kind === 'host') return [];
  const own = node.iface?.addresses.map((a) => a.local) ?? [];
  const root = node.netns === null || node.netns === undefined;
  // A tunnel carries traffic to pods on other hosts; a root-namespace device, to this host's pods.
  const tunnel = node.iface !== undefined && isTunnel(node.iface);
  const inNs = !root ? namespaceAddresses(t, node.host, node.netns ?? null) : podAddresses(t, (h) => (tunnel ? h !== node.host : h === node.host));
  const peers = edgesOf(t, id, 'veth').map((e) => nodeById(t, otherEnd(e, id)));
  const behind = peers.flatMap((p) => (p?.netns === null || p?.netns === undefined ? [] : namespaceAddresses(t, p.host, p.netns)));
  return [...own, ...inNs, ...behind];
}

function hostsOf(t: Topology, elements: readonly string[]): string[] {
  return elements.flatMap((id) => {
    const node = nodeById(t, id);
    if (node !== undefined) return node.kind === 'pod' ? edgesOf(t, id, 'pod-netns').map((e) => nodeById(t, otherEnd(e, id))?.host ?? '') : [node.host];
    const edge = edgeById(t, id);
    return edge === undefined ? [] : hostsOf(t, [edge.source, edge.target]);
  });
}

/** Root namespaces to send from: nodes before pod VMs (a pod VM is reached through its node), the subject's hosts first. */
function sourcesFor(t: Topology, elements: readonly string[]): string[] {
  const own = new Set(hostsOf(t, elements).filter((h) => h !== ''));
  const role = (name: string) => t.hosts.find((h) => h.name === name)?.role;
  const rank = (name: string) => (role(name) === 'podvm' ? 2 : 0) + (own.has(name) ? 0 : 1);
  const candidates = [...own, ...t.hosts.slice(0, MAX_SOURCES * 2).map((h) => h.name)];
  return [...new Set(candidates)].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_SOURCES);
}

function touches(trace: TraceResult, elements: ReadonlySet<string>, i: number): boolean {
  const hop = trace.hops[i];
  if (hop === undefined) return false;
  if (elements.has(hop.element) || (hop.edge !== undefined && elements.has(hop.edge))) return true;
  const slash = hop.element.lastIndexOf('/if:');
  return slash > 0 && elements.has(hop.element.slice(0, slash));
}

/** A pod stands for the namespaces holding its IP: a path that arrives in one of them reaches the pod. */
function subjectOf(t: Topology, elements: readonly string[]): Set<string> {
  const pods = elements.filter((id) => nodeById(t, id)?.kind === 'pod');
  return new Set([...elements, ...pods.flatMap((id) => edgesOf(t, id, 'pod-netns').map((e) => otherEnd(e, id)))]);
}

function score(trace: TraceResult, elements: ReadonlySet<string>): number {
  if (trace.brokenAt !== undefined && touches(trace, elements, trace.brokenAt)) return 3;
  return trace.hops.some((_, i) => touches(trace, elements, i)) ? (trace.ok ? 2 : 1) : 0;
}

/**
 * The trace that shows a subject (a finding's elements, a pod, a device): from a root namespace to an address
 * behind the subject, preferring one that breaks at it, then one that reaches its end through it.
 */
export function traceThrough(t: Topology, elements: readonly string[]): TraceResult | undefined {
  const subject = subjectOf(t, elements);
  const targets = [...new Set(elements.flatMap((id) => targetsOf(t, id)).filter(usable))].slice(0, MAX_TARGETS);
  let best: { trace: TraceResult; score: number } | undefined;
  for (const to of targets) {
    for (const host of sourcesFor(t, elements)) {
      if (namespaceAddresses(t, host, null).includes(to)) continue;
      const trace = traceRoute(t, hostId(host), to);
      const s = score(trace, subject);
      if (best === undefined || s > best.score) best = { trace, score: s };
      if (s === 3) return trace;
    }
  }
  // A pod whose path stops short of it (at what the capture does not hold) still shows how far it goes.
  const pod = elements.some((id) => nodeById(t, id)?.kind === 'pod');
  return best !== undefined && (best.score > 0 || pod) ? best.trace : undefined;
}

/** The path view of a finding, or undefined when no trace from a captured node passes its devices. */
export function findingPath(t: Topology, finding: Finding): PathView | undefined {
  const trace = traceThrough(t, finding.elements);
  return trace === undefined ? undefined : pathFromTrace(t, trace, finding);
}

/** The path as text, one band a line: `host · ns: a → b ⇄ c` with the broken hop as `✖ vxlan0 (reason)`. */
export function pathText(path: PathView): string {
  const arrow = (hop: PathHop) => (hop.via === 'tc-redirect' ? ' ⇄ ' : ' → ');
  const name = (hop: PathHop) => {
    const notes = hop.kind === 'tunnel' || hop.kind === 'underlay' ? hop.notes.filter((n) => /VNI|remote|to |out of/.test(n)) : [];
    const shown = `${hop.kind === 'device' || hop.kind === 'not-captured' ? '' : `[${hop.kind}] `}${hop.device}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
    if (hop.broken) return `✖ ${shown} — ${hop.reason ?? 'broken'}`;
    return hop.kind === 'not-captured' ? `… ${shown}${hop.reason ? ` — ${hop.reason}` : ''}` : shown;
  };
  const lines = path.bands.map((band, i) => {
    const hops = band.hops.map((hop, j) => `${j === 0 ? '' : arrow(hop)}${name(hop)}`).join('');
    return `${i === 0 ? '  ' : '→ '}${band.label}: ${hops}`;
  });
  return [`${path.from} → ${path.to}: ${path.ok ? 'delivered' : 'broken'}`, ...lines].join('\n');
}

// ── what the link names ─────────────────────────────────────────────────────────────────────────────────────

/** Findings tried for the default path: a path is a few traces each, and the first critical ones are what matters. */
const DEFAULT_CANDIDATES = 5;

/**
 * The path a link's `?path=` names: a finding (`rule@element`), a trace (`from>to`), or a pod or device (its id);
 * without one, the path of the most severe finding that has one.
 */
export function pathForSubject(t: Topology, findings: readonly Finding[], subject: string | undefined): PathView | undefined {
  if (subject === undefined || subject === '') {
    for (const finding of mostSevere(findings).slice(0, DEFAULT_CANDIDATES)) {
      const path = findingPath(t, finding);
      if (path !== undefined) return path;
    }
    return undefined;
  }
  const finding = findings.find((f) => findingSubject(f) === subject);
  if (finding !== undefined) return findingPath(t, finding);
  if (nodeById(t, subject) !== undefined || edgeById(t, subject) !== undefined) {
    const trace = traceThrough(t, [subject]);
    return trace === undefined ? undefined : pathFromTrace(t, trace);
  }
  const sep = subject.lastIndexOf('>');
  if (sep <= 0) return undefined;
  const trace = traceRoute(t, subject.slice(0, sep), subject.slice(sep + 1));
  const explained = trace.brokenAt === undefined ? undefined : findings.find((f) => touches(trace, new Set(f.elements), trace.brokenAt!));
  return pathFromTrace(t, trace, explained);
}
