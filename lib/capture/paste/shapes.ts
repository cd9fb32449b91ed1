/**
 * Output pasted without the command line that printed it, recognised by its shape: `ip addr`/`ip link` headers
 * (`2: eth0@if7: <…>`), route lines, neighbour lines, FDB lines, `arp`, `route -n`, `tc`, `ovs-vsctl show`,
 * `ovs-ofctl`, `iptables-save`/`iptables -S`, `ip netns list[-id]`, and the JSON of `ip -j`. Each run of lines of one
 * shape becomes one record of the command that prints it; a line of no known shape ends the run and is not read.
 */
import type { TextShape } from '@/lib/commands/declaration';
import { CATALOG } from '../catalog';
import type { RecognizedCommand } from './commandline';

export interface InferredBlock {
  /** Index of the block's first line in the lines given. */
  start: number;
  lines: string[];
  /** null: a known shape that Tunnelscope does not read (e.g. `ovs-ofctl dump-flows`). */
  command: RecognizedCommand | null;
  /** What the lines were read as, for the import problems. */
  label: string;
}

const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IPV6 = String.raw`[0-9a-f]*:[0-9a-f:.]*`;
const MAC = String.raw`[0-9a-f]{2}(?::[0-9a-f]{2}){5}`;
const LINK_HEADER = /^(?:\d+:\s+[^\s:]+(?:@[^\s:]+)?:\s+<[^>]*>|[^\s:<]+:\s+<[A-Z0-9_,-]*>\s+mtu\s)/;
const ROUTE_LINE = new RegExp(
  String.raw`^(?:(?:unicast|local|broadcast|multicast|anycast|unreachable|blackhole|prohibit|throw|nat)\s+)?(?:default|${IPV4}(?:/\d+)?|${IPV6}(?:/\d+)?)\s+(?:via|dev|proto|scope|nhid|metric|src|table|from)\b`,
  'i',
);
const ROUTE_TYPED = new RegExp(String.raw`^(?:unreachable|blackhole|prohibit|throw)\s+(?:default|${IPV4}(?:/\d+)?|${IPV6}(?:/\d+)?)(?:\s|$)`, 'i');
const NEIGH_START = new RegExp(String.raw`^(?:${IPV4}|${IPV6})\s+dev\s+\S+\s`, 'i');
const NUD = /\s(?:REACHABLE|STALE|DELAY|PROBE|FAILED|INCOMPLETE|PERMANENT|NOARP|NONE)\s*$/;
const FDB_LINE = new RegExp(String.raw`^${MAC}\s+(?:dev|vlan)\s+\S+`, 'i');
const ARP_N = new RegExp(String.raw`^(?:Address\s+HWtype\s+HWaddress|${IPV4}\s+(?:ether|infiniband|loop)\s+${MAC}|${IPV4}\s+\(incomplete\))`, 'i');
const ARP_A = new RegExp(String.raw`^\S+\s+\((?:${IPV4}|${IPV6})\)\s+at\s+(?:${MAC}|<incomplete>)`, 'i');
const ROUTE_N = new RegExp(String.raw`^(?:Kernel IP routing table|Destination\s+Gateway\s+Genmask|\S+\s+\S+\s+${IPV4}\s+[UGHRDMAC!]+\s+\d+)`);
/** A `Bridge`/`Port` line of `ovs-vsctl show`, where a paste starts below the database's UUID line. */
const OVS_SHOW_ENTITY = /^\s+(?:Bridge|Port)\s+"?[\w.:-]+"?\s*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IPTABLES =
  /^(?:\*(?:filter|nat|mangle|raw|security)$|:\S+ (?:ACCEPT|DROP|RETURN|-) \[\d+:\d+\]$|COMMIT$|# (?:Generated|Completed) (?:by|on) |(?:\[\d+:\d+\] )?-A \S+ |-P \S+ (?:ACCEPT|DROP)$|-N \S+$)/;

/** The shape of a line that can start (or continue, unindented) a run. */
function headShape(line: string): TextShape | undefined {
  if (LINK_HEADER.test(line)) return 'ip-link';
  if (FDB_LINE.test(line)) return 'fdb';
  if (NEIGH_START.test(line) && (/\slladdr\s/.test(line) || NUD.test(line))) return 'neigh';
  if (ROUTE_LINE.test(line) || ROUTE_TYPED.test(line)) return 'route';
  if (ARP_N.test(line)) return 'arp-n';
  if (ARP_A.test(line)) return 'arp-a';
  if (ROUTE_N.test(line)) return 'route-n';
  if (/^qdisc\s+\S+\s+[0-9a-f]*:/.test(line)) return 'tc-qdisc';
  if (/^filter\s+(?:parent|protocol|pref|chain|handle)\b/.test(line)) return 'tc-filter';
  if (UUID.test(line.trim()) || OVS_SHOW_ENTITY.test(line)) return 'ovs-show';
  if (/^OFPST_PORT reply/.test(line)) return 'ofctl-ports';
  if (/^(?:NXST|OFPST)_FLOW reply/.test(line) || /^\s*cookie=0x[0-9a-f]+,\s+duration=/.test(line)) return 'ofctl-flows';
  if (IPTABLES.test(line)) return 'iptables';
  if (/^nsid\s+\d+(?:\s+\(iproute2 netns name:.*\))?\s*$/.test(line)) return 'nsid';
  if (/^[\w.-]+\s+\(id:\s*\d+\)\s*$/.test(line)) return 'netns-list';
  return undefined;
}

const FAMILY_OF: ReadonlyMap<RecognizedCommand['id'], readonly TextShape[]> = new Map(CATALOG.flatMap((e) => (e.textShapes ? [[e.id, e.textShapes]] : [])));

/**
 * Whether a line could belong to the output of `id` (false only when the line has another known shape or none
 * while the command's own shape is known): after a blank line outside a code fence, another shape is new text.
 */
export function fitsOutput(id: RecognizedCommand['id'], line: string): boolean {
  const families = FAMILY_OF.get(id);
  if (!families) return true;
  const shape = headShape(line);
  return shape !== undefined ? families.includes(shape) : /^\s/.test(line) && families.some((f) => continues(f, line));
}

/** Whether a line is the first line of a record of `id`'s output (`2: eth0: <…>` of `ip addr`), by its shape. */
export function beginsRecord(id: RecognizedCommand['id'], line: string): boolean {
  const shape = headShape(line);
  return shape !== undefined && (FAMILY_OF.get(id)?.includes(shape) ?? false);
}

/** Whether an indented line continues a run of this shape (multi-line records). */
function continues(family: TextShape, line: string): boolean {
  if (!/^\s/.test(line)) return family === 'ofctl-flows' && /^\s*cookie=/.test(line);
  return ['ip-link', 'tc-qdisc', 'tc-filter', 'ovs-show', 'ofctl-ports', 'ofctl-flows', 'route'].includes(family) && (family !== 'route' || /^\s+nexthop\s/.test(line));
}

function hasIpv6(lines: readonly string[]): boolean {
  return lines.some((l) => /^(?:\S+\s+)?[0-9a-f]*:[0-9a-f:]*(?:\/\d+)?\s/i.test(l) && !/^(?:default|\d)/.test(l));
}

function commandFor(family: TextShape, lines: readonly string[]): { command: RecognizedCommand | null; label: string } {
  const text = (id: RecognizedCommand['id'], argv: string[], params?: Record<string, string>) => ({
    command: { id, format: 'text' as const, argv, ...(params ? { params } : {}) },
    label: argv.join(' '),
  });
  switch (family) {
    case 'ip-link': {
      const addr = lines.some((l) => /^\s+inet6?\s/.test(l));
      const detail = lines.some((l) => /^\s+(?:veth|vxlan|bridge|bridge_slave|geneve|vlan|bond|macvlan|ipvlan|tun|openvswitch)\b|\spromiscuity\s\d/.test(l));
      return addr ? text('ip-addr', ['ip', ...(detail ? ['-d'] : []), 'addr', 'show']) : text('ip-link', ['ip', ...(detail ? ['-d'] : []), 'link', 'show']);
    }
    case 'route':
      return hasIpv6(lines) && !lines.some((l) => new RegExp(IPV4).test(l.split(/\s/)[0])) ? text('ip6-route', ['ip', '-6', 'route', 'show']) : text('ip-route', ['ip', 'route', 'show']);
    case 'neigh':
      return text('ip-neigh', ['ip', 'neigh', 'show']);
    case 'fdb':
      return text('bridge-fdb', ['bridge', 'fdb', 'show']);
    case 'arp-n':
      return text('arp', ['arp', '-n'], { style: 'n' });
    case 'arp-a':
      return text('arp', ['arp', '-an'], { style: 'a' });
    case 'route-n':
      return text('route-n', ['route', '-n']);
    case 'tc-qdisc':
      return text('tc-qdisc', ['tc', 'qdisc', 'show']);
    case 'tc-filter': {
      // A filter listing names no device in its lines: only a run that says `dev X` on each filter can be placed.
      const dev = lines.map((l) => /\bdev\s+(\S+)/.exec(l)?.[1]).find((d) => d !== undefined);
      if (dev === undefined) return { command: null, label: 'tc filter show (no device named: not read)' };
      return text('tc-filter', ['tc', 'filter', 'show', 'dev', dev], { dev });
    }
    case 'ovs-show':
      // Cut above its UUID, only an `Interface` under the ports tells the listing from indented prose.
      if (!UUID.test(lines[0].trim()) && !lines.some((l) => /^\s+Interface\s/.test(l))) return { command: null, label: 'text like ovs-vsctl show, without interfaces (not read)' };
      return text('ovs-show', ['ovs-vsctl', 'show']);
    case 'ofctl-ports':
      return { command: null, label: 'ovs-ofctl dump-ports (bridge not named: not read)' };
    case 'ofctl-flows':
      return { command: null, label: 'ovs-ofctl dump-flows (not read by Tunnelscope)' };
    case 'iptables': {
      const save = lines.some((l) => /^\*\w+$|^COMMIT$|^:\S+ \S+ \[/.test(l));
      return save ? text('iptables-tables', ['iptables-save']) : text('iptables-rules', ['iptables', '-S']);
    }
    case 'nsid':
      return text('netns-list-id', ['ip', 'netns', 'list-id']);
    case 'netns-list':
      return text('netns-list', ['ip', 'netns', 'list']);
  }
}

/** `ip -j …` JSON: what its objects hold tells the command. */
function jsonCommand(value: unknown): { command: RecognizedCommand; label: string } | undefined {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'object' || value[0] === null) return undefined;
  const o = value[0] as Record<string, unknown>;
  const json = (id: RecognizedCommand['id'], argv: string[]) => ({ command: { id, format: 'json' as const, argv }, label: argv.join(' ') });
  if ('ifname' in o && 'addr_info' in o) return json('ip-addr', ['ip', '-j', 'addr', 'show']);
  if ('ifname' in o && ('link_type' in o || 'flags' in o)) return json('ip-link', ['ip', '-j', '-d', 'link', 'show']);
  if ('dst' in o && ('lladdr' in o || 'state' in o) && !('gateway' in o)) return json('ip-neigh', ['ip', '-j', 'neigh', 'show']);
  if ('dst' in o && ('dev' in o || 'gateway' in o || 'type' in o)) return json('ip-route', ['ip', '-j', 'route', 'show']);
  if ('mac' in o && ('ifname' in o || 'dev' in o)) return json('bridge-fdb', ['bridge', '-j', 'fdb', 'show']);
  if ('nsid' in o) return json('netns-list-id', ['ip', '-j', 'netns', 'list-id']);
  return undefined;
}

function parsesAs(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads runs of recognisable output out of lines that no command line introduced. */
export function inferBlocks(lines: readonly string[]): InferredBlock[] {
  const out: InferredBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*\[\s*\{|^\s*\[\s*$/.test(line)) {
      // JSON, perhaps broken over lines by a terminal or chat: the shortest run of lines that parses.
      for (let j = i; j < lines.length; j++) {
        if (!/\]\s*$/.test(lines[j])) continue;
        const run = lines.slice(i, j + 1);
        const value = parsesAs(run.join('\n')) ?? parsesAs(run.join(''));
        if (value === undefined) continue;
        const found = jsonCommand(value);
        if (found) out.push({ start: i, lines: [run.join('')], ...found });
        i = j;
        break;
      }
      i++;
      continue;
    }
    const family = headShape(line);
    if (!family) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < lines.length && lines[i].trim() !== '' && (headShape(lines[i]) === family || continues(family, lines[i]))) i++;
    const run = lines.slice(start, i);
    out.push({ start, lines: run, ...commandFor(family, run) });
  }
  return out;
}
