/**
 * What the traffic counters say happened between two captures of the same devices. One capture shows state;
 * two show movement: a tunnel whose one end keeps sending while the other end receives nothing has its packets
 * dropped on the underlay (a cloud security group or a firewall between the hosts, which no host capture shows),
 * and drop or error counters that grow say a fault is still happening rather than that it once did.
 */
import type { Evidence, Finding } from '@/lib/diagnose/types';
import { inNetns, note, part, sh, type ShellLine } from '@/lib/diagnose/fix';
import { finding } from '@/lib/diagnose/finding';
import { on, placeFix } from '@/lib/diagnose/fix-host';
import type { InterfaceStats } from '@/lib/parse/types';
import type { TopoEdge, TopoNode, Topology } from '@/lib/topology/types';

/** A tunnel end counts as sending when at least this many packets left it between the captures. */
export const MIN_SENT = 3;

export const COUNTER_RULES = {
  oneWay: 'tunnel-traffic-one-way',
  noReply: 'tunnel-no-reply',
  drops: 'drops-growing',
} as const;

type Counter = keyof InterfaceStats;

/**
 * Counters that grow only when something is wrong. Plain drops are left out: rx_dropped grows on any link for
 * protocols nobody listens to, and tx_dropped on a VXLAN device without a default remote for every multicast
 * (IPv6 router solicitations on flannel.1), healthy or not.
 */
const FAULT_COUNTERS: [Counter, string][] = [
  ['rxOtherhost', 'frames for another MAC dropped (rx otherhost)'],
  ['rxErrors', 'receive errors'],
  ['txErrors', 'transmit errors'],
];

/** One device seen in both captures. */
interface Sample {
  node: TopoNode;
  before: InterfaceStats;
  after: InterfaceStats;
}

/** How much a counter grew; undefined when either capture lacks it or it went back (device re-created, counters reset). */
function growth(sample: Sample, counter: Counter): number | undefined {
  const a = sample.before[counter];
  const b = sample.after[counter];
  return a === undefined || b === undefined || b < a ? undefined : b - a;
}

function change(sample: Sample, counter: Counter, label: string): string {
  return `${label} ${sample.before[counter] ?? '?'} → ${sample.after[counter] ?? '?'} (+${growth(sample, counter) ?? '?'})`;
}

function samples(before: Topology, after: Topology): Map<string, Sample> {
  const earlier = new Map(before.nodes.filter((n) => n.iface?.stats).map((n) => [n.id, n.iface?.stats ?? {}]));
  const out = new Map<string, Sample>();
  for (const node of after.nodes) {
    const stats = node.iface?.stats;
    const was = earlier.get(node.id);
    if (stats !== undefined && was !== undefined) out.set(node.id, { node, before: was, after: stats });
  }
  return out;
}

function where(node: TopoNode): string {
  return node.netns ? `${node.host} netns ${node.netns}` : node.host;
}

function evidence(sample: Sample): Evidence[] {
  const source = sample.node.iface?.source;
  return source ? [{ host: sample.node.host, netns: sample.node.netns ?? null, command: source.command, lines: [...source.lines] }] : [];
}

function interval(seconds: number | undefined): string {
  return seconds === undefined ? 'between the captures' : `in the ${Math.round(seconds)} s between the captures`;
}

/** The device a tunnel device sends through, from the later capture's tunnel-underlay edge. */
function uplinkOf(after: Topology, tunnelId: string): TopoNode | undefined {
  const edge = after.edges.find((e) => e.kind === 'tunnel-underlay' && e.source === tunnelId);
  return edge === undefined ? undefined : after.nodes.find((n) => n.id === edge.target);
}

function tunnelAddresses(node: TopoNode): { local?: string; remote?: string } {
  const params = node.iface?.vxlan ?? node.iface?.geneve;
  return { local: params?.local, remote: params?.remote ?? params?.group };
}

/** A read-only capture of the tunnel's packets on the underlay device it leaves by. */
function capture(after: Topology, node: TopoNode, port: number | undefined, peer: string | undefined): ShellLine {
  const uplink = uplinkOf(after, node.id);
  const filter = [`udp port ${port ?? 4789}`, peer ? `host ${peer}` : undefined].filter(Boolean).join(' and ');
  const tcpdump = sh`tcpdump -ni ${uplink?.iface?.name ?? 'any'} -c 20 ${filter}${part`   # on ${oneLine(node.host)}`}`;
  return inNetns(uplink?.netns ?? null, tcpdump);
}

/** A name inside a trailing comment: a line break would end the comment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

function oneWay(edge: TopoEdge, from: Sample, to: Sample, after: Topology, seconds: number | undefined): Finding {
  const sent = growth(from, 'txPackets') ?? 0;
  const a = from.node;
  const b = to.node;
  const { local, remote } = tunnelAddresses(a);
  const port = edge.port;
  const underlay = local && remote ? `UDP ${port ?? 4789} from ${local} to ${remote}` : `UDP ${port ?? 4789} between ${a.host} and ${b.host}`;
  return finding(COUNTER_RULES.oneWay, 'critical', {
    title: `Tunnel ${a.label} → ${b.label}: ${sent} packet(s) sent, none received`,
    explanation:
      `${a.label} on ${where(a)} sent ${sent} packet(s) into the tunnel ${interval(seconds)}, and its far end ${b.label} on ${where(b)} ` +
      `received none: ${change(from, 'txPackets', 'tx_packets')} against ${change(to, 'rxPackets', 'rx_packets')}. Both ends are configured ` +
      `to pair (${edge.label ?? 'same VNI and port'}), so the packets are lost on the underlay in between: a cloud security group, ` +
      `a firewall or an ACL dropping ${underlay}. No capture of a host shows that; capturing on both uplinks while traffic flows ` +
      `shows where the packets stop.`,
    evidence: [...evidence(from), ...evidence(to)],
    elements: [a.id, b.id, edge.id],
    fix: [
      on(a.host),
      capture(after, a, port, remote),
      on(b.host),
      capture(after, b, port, local),
      note`packets leave ${a.host} but never reach ${b.host}: allow ${local && remote ? part`UDP ${port ?? 4789} from ${local} to ${remote}` : part`UDP ${port ?? 4789} between them`} in the security group or firewall between them`,
    ],
  });
}

function noReply(sample: Sample, after: Topology, seconds: number | undefined): Finding {
  const node = sample.node;
  const { remote } = tunnelAddresses(node);
  const port = node.iface?.vxlan?.port ?? node.iface?.geneve?.port;
  return finding(COUNTER_RULES.noReply, 'warning', {
    title: `Tunnel ${node.label} on ${node.host} sends but receives nothing`,
    explanation:
      `${node.label} on ${where(node)} sent ${growth(sample, 'txPackets') ?? 0} packet(s) ${interval(seconds)} and received none ` +
      `(${change(sample, 'txPackets', 'tx_packets')}, ${change(sample, 'rxPackets', 'rx_packets')}). Its far end${remote ? ` ${remote}` : ''} ` +
      `is not in these captures, so it cannot be told whether the packets arrive there and the answers are lost, or never arrive.`,
    evidence: evidence(sample),
    elements: [node.id],
    fix: [capture(after, node, port, remote), note`capture the far end${remote ? part` (${remote})` : null} too, or take both snapshots with it included`],
  });
}

function dropsGrowing(sample: Sample, seconds: number | undefined): Finding | undefined {
  const grown = FAULT_COUNTERS.filter(([counter]) => (growth(sample, counter) ?? 0) > 0);
  if (grown.length === 0) return undefined;
  const node = sample.node;
  const tunnel = node.iface?.vxlan !== undefined || node.iface?.geneve !== undefined;
  const otherhost = grown.some(([counter]) => counter === 'rxOtherhost');
  return finding(COUNTER_RULES.drops, otherhost && tunnel ? 'critical' : 'warning', {
    title: `${node.label} on ${node.host} is still dropping: ${grown.map(([counter, label]) => `${label} +${growth(sample, counter)}`).join(', ')}`,
    explanation:
      `${interval(seconds)[0].toUpperCase()}${interval(seconds).slice(1)}, ${node.label} on ${where(node)} counted ` +
      `${grown.map(([counter, label]) => change(sample, counter, label)).join('; ')}: whatever causes it is happening now, not only in the past.` +
      (otherhost ? ` Frames arrive addressed to a MAC that is not ${node.label}'s (${node.iface?.mac ?? '?'}), and the kernel drops them.` : ''),
    evidence: evidence(sample),
    elements: [node.id],
  });
}

/**
 * Findings about what happened between two captures, `before` taken first. `seconds` is the time between them
 * when known. Devices are matched by their topology ids; a device in only one capture, or whose counters went
 * back, is left out.
 */
export function counterFindings(before: Topology, after: Topology, seconds?: number): Finding[] {
  const seen = samples(before, after);
  const findings: Finding[] = [];
  const paired = new Set<string>();
  for (const edge of after.edges) {
    if (edge.kind !== 'tunnel') continue;
    paired.add(edge.source);
    paired.add(edge.target);
    const x = seen.get(edge.source);
    const y = seen.get(edge.target);
    if (x === undefined || y === undefined) continue;
    for (const [from, to] of [
      [x, y],
      [y, x],
    ]) {
      if ((growth(from, 'txPackets') ?? 0) >= MIN_SENT && growth(to, 'rxPackets') === 0) findings.push(oneWay(edge, from, to, after, seconds));
    }
  }
  for (const sample of seen.values()) {
    const iface = sample.node.iface;
    const tunnel = iface?.vxlan !== undefined || iface?.geneve !== undefined;
    if (tunnel && !paired.has(sample.node.id) && (growth(sample, 'txPackets') ?? 0) >= MIN_SENT && growth(sample, 'rxPackets') === 0) {
      findings.push(noReply(sample, after, seconds));
    }
    const drops = dropsGrowing(sample, seconds);
    if (drops) findings.push(drops);
  }
  return findings.map((f) => placeFix(after, undefined, f));
}

/** The counters of one device as ip -s -s prints them, in that order. */
const COUNTER_NAMES: [Counter, string][] = [
  ['rxPackets', 'rx_packets'],
  ['rxBytes', 'rx_bytes'],
  ['rxErrors', 'rx_errors'],
  ['rxDropped', 'rx_dropped'],
  ['rxOtherhost', 'rx_otherhost_dropped'],
  ['txPackets', 'tx_packets'],
  ['txBytes', 'tx_bytes'],
  ['txErrors', 'tx_errors'],
  ['txDropped', 'tx_dropped'],
];

/**
 * A device's counters from the earlier capture to the later, as [name, "before → after (+growth)"] rows for the
 * inspector; none when the device lacks counters in either capture.
 */
export function counterChanges(before: Topology, after: Topology, id: string): [string, string][] {
  const was = before.nodes.find((n) => n.id === id)?.iface?.stats;
  const now = after.nodes.find((n) => n.id === id)?.iface?.stats;
  if (was === undefined || now === undefined) return [];
  const sample: Sample = { node: { id, kind: 'interface', label: id, host: '', marks: [] }, before: was, after: now };
  return COUNTER_NAMES.filter(([counter]) => was[counter] !== undefined && now[counter] !== undefined).map(([counter, name]) => {
    const grown = growth(sample, counter);
    return [name, `${was[counter]} → ${now[counter]} (${grown === undefined ? 'reset' : `+${grown}`})`];
  });
}
