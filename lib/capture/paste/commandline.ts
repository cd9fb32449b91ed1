import { CATALOG } from '../catalog';
import { splitShellLine, SUBSTITUTION } from './shell-words';
import { kubeNodesCommand, type NodesForm } from './kube-nodes';
import type { CommandId } from '../types';

export interface RecognizedCommand {
  id: CommandId;
  format: 'json' | 'text';
  params?: Record<string, string>;
  /** Named namespace the command ran in (`ip netns exec NS`, `ip -n NS`, nsenter); `pid:N` for nsenter -t N. */
  netns?: string;
  /** The command as it ran inside the namespace: wrappers (sudo, ip netns exec, -n NS) removed, variables expanded. */
  argv: string[];
  /** The machine it ran on when the line names one (`kubectl exec POD`, `oc debug node/X -- …`, `kubectl ko vsctl X`). */
  host?: string;
  /** Why its output is only part of the listing (piped through grep/head/tail). */
  partial?: string;
  /**
   * grep kept some lines of a listing whose records span several lines: a kept line after a record's first line may
   * belong to a record whose first line was dropped, so only the lines that begin a record are read.
   */
  recordStartsOnly?: boolean;
  /** How the line was read where it is not what the tool accepts as typed (a misquoted command line). */
  note?: string;
}

/** What one typed line means for a transcript reader. */
export type LineMeaning =
  | { kind: 'command'; command: RecognizedCommand; assignments: Record<string, string> }
  | { kind: 'assign'; assignments: Record<string, string> }
  /** A shell started inside a namespace (`ip netns exec NS bash`); null = the root namespace. */
  | { kind: 'enter'; netns: string | null; assignments: Record<string, string> }
  /** The session moved to another host (`oc debug node/X`, `ssh X`). */
  | { kind: 'host'; host: string; assignments: Record<string, string> }
  | { kind: 'exit'; assignments: Record<string, string> }
  /** Node objects printed by kubectl (`get node -o json|yaml`, `describe node`): read into the cluster context. */
  | { kind: 'nodes'; form: NodesForm; name?: string; assignments: Record<string, string> }
  | { kind: 'empty'; assignments: Record<string, string> }
  | { kind: 'unknown'; reason: string; assignments: Record<string, string> };

type Recognized = Omit<RecognizedCommand, 'argv'> & { argv?: string[] };
type Outcome = Recognized | string;

const SHELLS = new Set(['bash', 'sh', 'zsh', 'ash', 'dash', 'su', '-bash']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** iproute2 style: `word` is a prefix of `full` (e.g. `sh` of `show`). */
function isPrefixOf(word: string, full: string): boolean {
  return word.length > 0 && full.startsWith(word);
}

function firstMatch(word: string, names: readonly string[]): string | undefined {
  return names.find((n) => isPrefixOf(word, n));
}

const IP_OBJECTS = [
  'address',
  'addrlabel',
  'maddress',
  'route',
  'rule',
  'neighbor',
  'neighbour',
  'ntable',
  'ntbl',
  'link',
  'l2tp',
  'fou',
  'ila',
  'macsec',
  'tunnel',
  'tuntap',
  'tap',
  'token',
  'tcpmetrics',
  'tcp_metrics',
  'monitor',
  'xfrm',
  'mroute',
  'mrule',
  'netns',
  'netconf',
  'vrf',
  'sr',
  'nexthop',
  'mptcp',
  'ioam',
  'stats',
] as const;

const SHOW_WORDS = ['show', 'list', 'lst'];
/** Selectors of `ip link|addr show` that no subcommand begins with: a line starting with one left out `show`. */
const IMPLICIT_SHOW_SELECTORS: ReadonlySet<string> = new Set(['dev', 'up', 'master', 'vrf', 'group']);

function isShow(word: string | undefined): boolean {
  return word === undefined || SHOW_WORDS.some((w) => isPrefixOf(word, w));
}

interface ToolOptions {
  json: boolean;
  family?: string;
  netns?: string;
  brief: boolean;
  rest: string[];
}

/** Global options of ip, tc and bridge: -j, -d, -s, -4/-6, -n NS, -br, ... */
function readToolOptions(args: string[]): ToolOptions | string {
  const opts: ToolOptions = { json: false, brief: false, rest: [] };
  let i = 0;
  for (; i < args.length && args[i].startsWith('-') && args[i] !== '-'; i++) {
    const opt = args[i].replace(/^--/, '-');
    if (opt === '-j' || isPrefixOf(opt, '-json')) opts.json = true;
    else if (opt === '-6') opts.family = 'inet6';
    else if (opt === '-4') opts.family = 'inet';
    else if (opt.length >= 3 && isPrefixOf(opt, '-brief')) opts.brief = true;
    else if (opt === '-n' || (opt.length > 2 && isPrefixOf(opt, '-netns'))) {
      if (args[i + 1] === undefined) return 'option -n needs a namespace name';
      opts.netns = args[++i];
    } else if (opt === '-f' || (opt.length > 2 && isPrefixOf(opt, '-family'))) {
      const fam = args[++i];
      if (fam === 'inet6') opts.family = 'inet6';
      else if (fam === 'inet') opts.family = 'inet';
    } else if (opt === '-b' || isPrefixOf(opt, '-batch')) return 'batch mode cannot be replayed from a transcript';
  }
  opts.rest = args.slice(i);
  return opts;
}

/**
 * What a show command is narrowed to. A bare word is a device for `ip link|addr show DEV`, an address or prefix
 * for `ip route|neigh show PREFIX` (kept as `to`, so it is never taken for a device).
 */
function selectorParams(args: string[], bare: 'dev' | 'to'): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'dev' && args[i + 1] !== undefined) params.dev = args[++i];
    else if (args[i] === 'type' && args[i + 1] !== undefined) params.type = args[++i];
    else if (args[i] === 'table' && args[i + 1] !== undefined) params.table = args[++i];
    else if (!params[bare] && /^[^-]/.test(args[i]) && !['up', 'down', 'scope', 'to', 'permanent', 'dynamic', 'nud', 'proto'].includes(args[i])) params[bare] = args[i];
  }
  return params;
}

function withFamily(params: Record<string, string>, family: string | undefined): Record<string, string> {
  return family ? { ...params, family } : params;
}

function recognizeIp(args: string[]): Outcome {
  const opts = readToolOptions(args);
  if (typeof opts === 'string') return opts;
  const [objectWord, sub, ...rest] = opts.rest;
  const format = opts.json ? 'json' : 'text';
  const brief: Record<string, string> = opts.brief ? { brief: '1' } : {};
  const object = objectWord === undefined ? undefined : firstMatch(objectWord, IP_OBJECTS);
  const base = { format, ...(opts.netns !== undefined ? { netns: opts.netns } : {}) } as const;
  switch (object) {
    case 'address':
    case 'link': {
      const id = object === 'link' ? 'ip-link' : 'ip-addr';
      // `ip l dev eth0` as quoted in a thread: iproute2 wants `show` first, but the output under it says what ran.
      if (sub !== undefined && IMPLICIT_SHOW_SELECTORS.has(sub)) {
        const note = `read as \`ip ${object} show ${[sub, ...rest].join(' ')}\` (iproute2 needs \`show\` before \`${sub}\`; the output shows the listing ran)`;
        return { ...base, id, params: withFamily({ ...selectorParams([sub, ...rest], 'dev'), ...brief }, opts.family), note };
      }
      if (!isShow(sub)) return `ip ${object} ${sub} is not a read-only show command`;
      return { ...base, id, params: withFamily({ ...selectorParams(rest, 'dev'), ...brief }, opts.family) };
    }
    case 'route':
      if (sub !== undefined && isPrefixOf(sub, 'get')) {
        const dst = rest.find((w) => !['to', 'from', 'iif', 'oif', 'mark', 'vrf', 'uid'].includes(w));
        return { ...base, id: 'ip-route-get', params: dst ? { dst } : {} };
      }
      if (!isShow(sub)) return `ip route ${sub} is not a read-only show command`;
      return { ...base, id: opts.family === 'inet6' ? 'ip6-route' : 'ip-route', params: selectorParams(rest, 'to') };
    case 'neighbor':
    case 'neighbour':
      if (!isShow(sub)) return `ip neigh ${sub} is not a read-only show command`;
      return { ...base, id: 'ip-neigh', params: withFamily(selectorParams(rest, 'to'), opts.family) };
    case 'netns':
      if (sub === 'list-id') return { ...base, id: 'netns-list-id' };
      if (sub === undefined || isShow(sub)) return { ...base, id: 'netns-list' };
      return `ip netns ${sub} is not read by Tunnelscope`;
    default:
      return recognizeIpObject(object, sub, rest, base, opts.family) ?? `${['ip', ...opts.rest.slice(0, 1)].join(' ')} is not read by Tunnelscope`;
  }
}

/** Commands that declare an `ip OBJECT show` form (lib/commands), by object. */
const IP_OBJECT_COMMANDS: ReadonlyMap<string, CommandId> = new Map(CATALOG.flatMap((e) => (e.ipObject === undefined ? [] : [[e.ipObject, e.id]])));

/** A declared iproute2 listing; any selector after `show` narrows it, so it is kept as a parameter. */
function recognizeIpObject(object: string | undefined, sub: string | undefined, rest: string[], base: Pick<Recognized, 'format' | 'netns'>, family: string | undefined): Outcome | undefined {
  const id = object === undefined ? undefined : IP_OBJECT_COMMANDS.get(object);
  if (id === undefined) return undefined;
  if (!isShow(sub)) return `ip ${object} ${sub} is not a read-only show command`;
  return { ...base, id, params: withFamily(rest.length > 0 ? { select: rest.join(' ') } : {}, family) };
}

function tcHook(args: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w === 'dev' && args[i + 1] !== undefined) params.dev = args[++i];
    else if (w === 'ingress' || w === 'egress') params.hook = w;
    else if (w === 'parent' && args[i + 1] !== undefined) {
      const parent = args[++i].toLowerCase();
      if (parent === 'ffff:' || parent === 'ffff:fff2' || parent === 'ffff:fff1') params.hook = 'ingress';
      else if (parent === 'ffff:fff3') params.hook = 'egress';
      else params.parent = parent;
    } else if (w === 'root') params.parent = 'root';
  }
  return params;
}

function recognizeTc(args: string[]): Outcome {
  const opts = readToolOptions(args);
  if (typeof opts === 'string') return opts;
  const [objectWord, sub, ...rest] = opts.rest;
  const object = objectWord === undefined ? undefined : firstMatch(objectWord, ['qdisc', 'class', 'filter', 'chain', 'actions', 'monitor', 'exec']);
  if (!isShow(sub)) return `tc ${objectWord} ${sub} is not a read-only show command`;
  const base = { format: opts.json ? 'json' : 'text', ...(opts.netns !== undefined ? { netns: opts.netns } : {}) } as const;
  if (object === 'qdisc') return { ...base, id: 'tc-qdisc', params: tcHook(rest) };
  if (object === 'filter') return { ...base, id: 'tc-filter', params: tcHook(rest) };
  return `tc ${objectWord ?? ''} is not read by Tunnelscope`.trim();
}

function recognizeBridge(args: string[]): Outcome {
  const opts = readToolOptions(args);
  if (typeof opts === 'string') return opts;
  const [objectWord, sub, ...rest] = opts.rest;
  if (objectWord === undefined || !isPrefixOf(objectWord, 'fdb') || !isShow(sub)) return `bridge ${opts.rest.join(' ')} is not read by Tunnelscope`;
  const params: Record<string, string> = {};
  for (let i = 0; i < rest.length - 1; i++) if (rest[i] === 'dev' || rest[i] === 'br') params[rest[i]] = rest[i + 1];
  return { format: opts.json ? 'json' : 'text', id: 'bridge-fdb', params, ...(opts.netns !== undefined ? { netns: opts.netns } : {}) };
}

/** ovs-vsctl / ovn-nbctl options: returns the format and the words after the options. */
function readOvsOptions(args: string[], withArg: readonly string[]): { json: boolean; rest: string[] } {
  let json = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const [opt, value] = args[i].split(/=(.*)/s, 2);
    const arg = value ?? (withArg.includes(opt) ? args[++i] : undefined);
    if ((opt === '-f' || opt === '--format') && arg === 'json') json = true;
  }
  return { json, rest: args.slice(i) };
}

/** The last argv word of each declared command that runs `TOOL … VERB WORD` (`ovs-vsctl … list Bridge`), by word in lower case. */
function declaredWords(tool: string, verb: string): ReadonlyMap<string, CommandId> {
  const forms = CATALOG.filter((e) => e.argv[0] === tool && e.argv.at(-2) === verb);
  return new Map(forms.map((e) => [(e.argv.at(-1) ?? '').toLowerCase(), e.id]));
}

/** The OVSDB tables the declared `ovs-vsctl list TABLE` commands read. */
const OVS_TABLES = declaredWords('ovs-vsctl', 'list');

function recognizeOvsVsctl(args: string[]): Outcome {
  const { json, rest } = readOvsOptions(args, ['-f', '--format', '-d', '--data', '--db', '-t', '--timeout', '--columns']);
  const [cmd, table, record] = rest;
  if (cmd === 'show') return { id: 'ovs-show', format: 'text' };
  if (cmd !== 'list' || table === undefined) return `ovs-vsctl ${rest.join(' ')} is not read by Tunnelscope`;
  const lower = table.toLowerCase();
  const match = OVS_TABLES.get(lower) ?? [...OVS_TABLES].find(([t]) => t.startsWith(lower))?.[1];
  if (!match) return `ovs-vsctl list ${table} is not read by Tunnelscope`;
  return { id: match, format: json ? 'json' : 'text', ...(record !== undefined ? { params: { record } } : {}) };
}

function recognizeOvnNbctl(args: string[]): Outcome {
  const { json, rest } = readOvsOptions(args, ['-f', '--format', '-d', '--data', '--db', '-t', '--timeout', '--columns', '-p', '-c', '-C']);
  const [cmd, table] = rest;
  if (cmd === 'list' && table?.toLowerCase() === 'logical_switch_port') return { id: 'ovn-lsp', format: json ? 'json' : 'text' };
  return `ovn-nbctl ${rest.join(' ')} is not read by Tunnelscope`;
}

function recognizeOvsOfctl(args: string[]): Outcome {
  const { rest } = readOvsOptions(args, ['-O', '--protocols', '-t', '--timeout']);
  const [cmd, bridge, port] = rest;
  if (cmd !== 'dump-ports' || bridge === undefined) return `ovs-ofctl ${rest.join(' ')} is not read by Tunnelscope`;
  return { id: 'ovs-ofctl-dump-ports', format: 'text', params: port !== undefined ? { bridge, port } : { bridge } };
}

function iptablesTable(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-t' || args[i] === '--table') return args[i + 1];
    if (args[i].startsWith('--table=')) return args[i].slice('--table='.length);
    if (/^-t\w+$/.test(args[i])) return args[i].slice(2);
  }
  return undefined;
}

function recognizeIptables(args: string[]): Outcome {
  if (!args.some((a) => a === '-S' || a === '--list-rules' || /^-[a-zA-Z]*S$/.test(a))) {
    return 'only the rule listing form (iptables -S) or iptables-save is read';
  }
  const table = iptablesTable(args) ?? 'filter';
  return { id: 'iptables-rules', format: 'text', ...(table !== 'filter' ? { params: { table } } : {}) };
}

/** The tables the declared `iptables-save -t TABLE` commands read. */
const SAVED_TABLES = declaredWords('iptables-save', '-t');

function recognizeIptablesSave(args: string[]): Outcome {
  const table = iptablesTable(args);
  // Without -t, iptables-save prints every table, as the collector's own iptables-save in a pod namespace.
  if (table === undefined) return { id: 'iptables-tables', format: 'text' };
  const id = SAVED_TABLES.get(table);
  if (id !== undefined) return { id, format: 'text' };
  return `iptables-save -t ${table} is not read by Tunnelscope (${[...SAVED_TABLES.keys()].join(' and ')} are, and iptables-save without -t)`;
}

function recognizeSysctl(args: string[]): Outcome {
  if (args.some((a) => a === '-w' || a === '-p' || a === '--write' || a === '--load' || a === '--system' || (!a.startsWith('-') && a.includes('=')))) {
    return 'sysctl writes settings; only reads are recognised';
  }
  return { id: 'sysctl', format: 'text', ...(args.some((a) => /^-[a-zA-Z]*n/.test(a)) ? { params: { valuesOnly: '1' } } : {}) };
}

/**
 * The /proc/net reads declared in lib/commands, by the files they read: a pasted `cat` of the same files is read
 * the same way, and of some of them by the read that holds them (`cat /proc/net/if_inet6` by the address read).
 */
function declaredProcRead(files: readonly string[]): Recognized | undefined {
  const reads = CATALOG.filter((e) => e.tool === 'cat' && e.fallbackFor !== undefined);
  const exact = reads.find((e) => e.argv.length - 1 === files.length && files.every((f) => e.argv.includes(f)));
  const holding = exact ?? reads.find((e) => files.every((f) => e.argv.includes(f)));
  return holding && { id: holding.id, format: 'text' };
}

function recognizeFileRead(tool: string, args: string[]): Outcome {
  const files = args.filter((a) => !a.startsWith('-') && !(tool === 'jq' && a === '.'));
  const procRead = tool === 'cat' && files.length > 0 ? declaredProcRead(files.map((f) => f.replace(/^\/proc\/self\/net\//, '/proc/net/'))) : undefined;
  if (procRead) return procRead;
  if (files.length !== 1) return `${tool} ${args.join(' ')} is not read by Tunnelscope`;
  const file = files[0].replace(/^\/var\/run\//, '/run/');
  if (file === '/run/peerpod/podnetwork.json') return { id: 'peerpod-config', format: 'json' };
  if (file === '/etc/hostname') return { id: 'hostname', format: 'text' };
  const sys = /^\/proc\/sys\/(net\/.+)$/.exec(file);
  if (sys && tool === 'cat') return { id: 'sysctl', format: 'text', params: { key: sys[1].replace(/\//g, '.'), valuesOnly: '1' } };
  return `${tool} ${files[0]} is not read by Tunnelscope`;
}

function recognizeBpftool(args: string[]): Outcome {
  let json = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if (['-j', '--json', '-p', '--pretty'].includes(args[i])) json = true;
  }
  const [object, sub, ...rest] = args.slice(i);
  if (object === undefined || !isPrefixOf(object, 'net') || !(sub === undefined || isPrefixOf(sub, 'show') || isPrefixOf(sub, 'list'))) {
    return `bpftool ${args.join(' ')} is not read by Tunnelscope`;
  }
  return { id: 'bpftool-net', format: json ? 'json' : 'text', ...(rest[0] === 'dev' && rest[1] ? { params: { dev: rest[1] } } : {}) };
}

function recognizeArp(args: string[]): Outcome {
  if (args.some((a) => ['-s', '-d', '-f', '--set', '--delete', '--file'].includes(a))) return 'arp changes the ARP cache; only reads are recognised';
  const params: Record<string, string> = { style: args.some((a) => /^-[a-zA-Z]*a/.test(a)) ? 'a' : 'n' };
  const dev = args.indexOf('-i');
  if (dev >= 0 && args[dev + 1]) params.dev = args[dev + 1];
  return { id: 'arp', format: 'text', params };
}

/** net-tools `route [-n]` and `netstat -rn`: the kernel's IPv4 routing table. */
function recognizeRoute(tool: string, args: string[]): Outcome {
  if (tool === 'netstat') return args.some((a) => /^-[a-zA-Z]*r/.test(a)) && !args.some((a) => /^-[a-zA-Z]*[6C]/.test(a)) ? { id: 'route-n', format: 'text' } : 'only netstat -rn is read';
  if (args.some((a) => !a.startsWith('-'))) return `route ${args.join(' ')} is not a read-only listing`;
  if (args.some((a) => /^-[a-zA-Z]*[6AC]/.test(a) || a === '--inet6')) return 'only the IPv4 route table is read';
  return { id: 'route-n', format: 'text' };
}

function recognizeTool(words: string[]): Outcome {
  const tool = baseName(words[0]);
  const args = words.slice(1);
  switch (tool) {
    case 'ip':
      return recognizeIp(args);
    case 'tc':
      return recognizeTc(args);
    case 'bridge':
      return recognizeBridge(args);
    case 'ovs-vsctl':
      return recognizeOvsVsctl(args);
    case 'ovs-ofctl':
      return recognizeOvsOfctl(args);
    case 'ovn-nbctl':
      return recognizeOvnNbctl(args);
    case 'iptables':
    case 'iptables-legacy':
    case 'iptables-nft':
      return recognizeIptables(args);
    case 'iptables-save':
    case 'iptables-legacy-save':
    case 'iptables-nft-save':
      return recognizeIptablesSave(args);
    case 'sysctl':
      return recognizeSysctl(args);
    case 'cat':
    case 'jq':
      return recognizeFileRead(tool, args);
    case 'bpftool':
      return recognizeBpftool(args);
    case 'conntrack':
      return args.includes('-S') || args.includes('--stats') ? { id: 'conntrack-stats', format: 'text' } : 'only conntrack -S is read';
    case 'hostname':
      return args.every((a) => a.startsWith('-')) ? { id: 'hostname', format: 'text' } : 'hostname NAME changes the host name';
    case 'uname':
      return args.length === 1 && args[0] === '-n' ? { id: 'hostname', format: 'text' } : 'only uname -n is read';
    case 'arp':
      return recognizeArp(args);
    case 'route':
    case 'netstat':
      return recognizeRoute(tool, args);
    default:
      return `${tool} is not a command Tunnelscope reads`;
  }
}

/** nsenter options → the namespace it enters (undefined: it does not change the network namespace). */
function readNsenter(args: string[]): { netns: string | null | undefined; rest: string[] } {
  let target: string | undefined;
  let netPath: string | undefined;
  let net = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-t' || a === '--target') target = args[++i];
    else if (a.startsWith('--target=')) target = a.slice(9);
    else if (/^-t\d+$/.test(a)) target = a.slice(2);
    else if (a === '--net' || a === '-n') net = true;
    else if (a.startsWith('--net=')) [net, netPath] = [true, a.slice(6)];
    else if (/^-n\//.test(a)) [net, netPath] = [true, a.slice(2)];
    else if (/^-[a-zA-Z]+$/.test(a) && a.includes('n') && !a.startsWith('--')) net = true;
    if (/^-[a-zA-Z]*t$/.test(a) && a.length > 2) target = args[++i];
  }
  const rest = args.slice(i);
  if (!net) return { netns: undefined, rest };
  const named = netPath ? /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(netPath) : null;
  if (named) return { netns: named[1], rest };
  const proc = netPath ? /^\/proc\/(\d+)\/ns\/net$/.exec(netPath) : null;
  const pid = proc ? proc[1] : target;
  if (pid === undefined) return { netns: undefined, rest };
  return { netns: pid === '1' ? null : `pid:${pid}`, rest };
}

function stripSudo(words: string[]): string[] {
  let i = 1;
  for (; i < words.length && words[i].startsWith('-'); i++) {
    if (words[i] === '--') return words.slice(i + 1);
    if (['-u', '-g', '-C', '-h', '-p', '-U', '-r', '-t', '-D'].includes(words[i])) i++;
  }
  return words.slice(i);
}

function stripTimeout(words: string[]): string[] {
  let i = 1;
  for (; i < words.length && words[i].startsWith('-'); i++) if (words[i] === '-s' || words[i] === '-k') i++;
  return words.slice(i + 1);
}

const KUBECTL = new Set(['kubectl', 'k', 'kc', 'oc', 'kubectl.exe', 'oc.exe']);
/** kubectl/oc options that take a value (`-n NS`, `--context X`); `--opt=value` needs no lookup. */
const KUBE_VALUE_OPTIONS = new Set([
  '-n',
  '--namespace',
  '-c',
  '--container',
  '--context',
  '--kubeconfig',
  '--cluster',
  '--user',
  '-s',
  '--server',
  '--as',
  '--request-timeout',
  '-f',
  '--filename',
  '--pod-running-timeout',
]);

/** `kubectl [-n NS] exec [-it] POD [-n NS] [-c C] [--] CMD…`: the pod and the command run in it. */
function readKubeExec(words: string[]): { pod: string; inner: string[] } | string | null {
  const execAt = words.findIndex((w, i) => i > 0 && w === 'exec');
  if (execAt < 0 || words.slice(1, execAt).some((w, i, all) => !w.startsWith('-') && !KUBE_VALUE_OPTIONS.has(all[i - 1] ?? ''))) return null;
  let pod: string | undefined;
  let i = execAt + 1;
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === '--') {
      i++;
      break;
    }
    if (w.startsWith('-')) {
      if (KUBE_VALUE_OPTIONS.has(w)) i++;
      continue;
    }
    if (pod === undefined) pod = w;
    else break; // the old form without `--`: the command starts at the first word after the pod
  }
  if (pod === undefined) return 'kubectl exec without a pod name';
  const inner = words.slice(i);
  if (inner.length === 0) return `kubectl exec ${pod} without a command`;
  return { pod: pod.replace(/^(?:pods?|po)\//, ''), inner };
}

/** `docker exec [-it] C CMD…`, `crictl exec [-it] ID CMD…`, `podman exec`: the container and the command. */
function readContainerExec(words: string[]): { container: string; inner: string[] } | null {
  if (words[1] !== 'exec') return null;
  let i = 2;
  for (; i < words.length && words[i].startsWith('-'); i++) {
    if (['-u', '--user', '-e', '--env', '-w', '--workdir', '--env-file', '--detach-keys', '--timeout', '-r', '--runtime-endpoint'].includes(words[i])) i++;
  }
  const [container, ...inner] = words.slice(i);
  return container !== undefined && inner.length > 0 ? { container, inner } : null;
}

/** `kubectl ko vsctl NODE …` / `ofctl NODE …` / `nbctl …` (Kube-OVN's plugin) as the tools it wraps. */
function readKubeKo(words: string[]): { host?: string; inner: string[] } | string | null {
  if (words[1] !== 'ko') return null;
  const [sub, ...rest] = words.slice(2);
  if ((sub === 'vsctl' || sub === 'ofctl') && rest.length >= 2) return { host: rest[0], inner: [`ovs-${sub}`, ...rest.slice(1)] };
  if (sub === 'nbctl') return { inner: ['ovn-nbctl', ...rest] };
  return `kubectl ko ${sub ?? ''} is not read by Tunnelscope`.trim();
}

type Context = { netns: string | null | undefined; host?: string };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Interpreted = DistributiveOmit<LineMeaning, 'assignments'>;

/** A shell started in a pod is a session on that pod: later lines run there. */
function withHost(meaning: Interpreted, host: string): Interpreted {
  if (meaning.kind === 'enter' || meaning.kind === 'empty') return { kind: 'host', host };
  return meaning;
}

/** A target picked by a command substitution (`$(kubectl get pod -l app=x -o name)`), named after that command. */
function runTimeName(word: string): string {
  const inner = word
    .split(SUBSTITUTION)
    .join('')
    .replace(/^\$\(|^`|\)$|`$/g, '');
  return `from-${inner.replace(/[^\w.]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 63);
}

/** The command after an exec whose target only a run would tell: read, and the import says where it was put. */
function chosenAtRunTime(meaning: Interpreted, word: string): Interpreted {
  if (meaning.kind !== 'command') return meaning;
  const shown = word.split(SUBSTITUTION).join('');
  const where = meaning.command.host ?? meaning.command.netns ?? '';
  return { kind: 'command', command: { ...meaning.command, note: `exec target ${shown} is chosen when it runs: its output is shown as ${where}` } };
}

/** A word still holding a command substitution where a value is needed: the line cannot be read. */
function substituted(meaning: Interpreted): boolean {
  const words =
    meaning.kind === 'command'
      ? [...meaning.command.argv, meaning.command.netns ?? '', meaning.command.host ?? '']
      : meaning.kind === 'host'
        ? [meaning.host]
        : meaning.kind === 'enter'
          ? [meaning.netns ?? '']
          : [];
  return words.some((w) => w.includes(SUBSTITUTION));
}

/** The command run by a wrapper: words, or one string for `sh -c '…'` (read as a typed line). */
function interpretInner(inner: string[], ctx: Context): Interpreted {
  if (SHELLS.has(baseName(inner[0] ?? '')) && inner[1] === '-c' && inner[2] !== undefined) return interpretInner(inner.slice(2), ctx);
  if (inner.length === 1 && /\s/.test(inner[0])) {
    const split = splitShellLine(inner[0], {}, true);
    if (!split.ok || split.segments.length !== 1) return { kind: 'unknown', reason: 'several commands inside one exec' };
    return interpretWords(split.segments[0].words, ctx);
  }
  return interpretWords(inner, ctx);
}

function interpretWords(words: string[], ctx: Context): Interpreted {
  if (words.length === 0) return ctx.netns !== undefined ? { kind: 'enter', netns: ctx.netns } : { kind: 'empty' };
  const head = baseName(words[0]);
  const rest = words.slice(1);
  if (head === 'sudo') return interpretWords(stripSudo(words), ctx);
  if (head === 'timeout') return interpretWords(stripTimeout(words), ctx);
  if (head === 'chroot' && rest.length >= 1) return interpretWords(rest.slice(1), ctx);
  if (head === 'exit' || head === 'logout') return { kind: 'exit' };
  if (SHELLS.has(head) && rest[0] === '-c' && rest[1] !== undefined) return interpretInner(rest.slice(1), ctx);
  if (SHELLS.has(head)) return ctx.netns !== undefined ? { kind: 'enter', netns: ctx.netns } : { kind: 'empty' };
  if (head === 'ip' && rest[0] === 'netns' && rest[1] === 'exec') {
    if (rest[2] === undefined) return { kind: 'unknown', reason: 'ip netns exec needs a namespace name' };
    return interpretWords(rest.slice(3), { netns: rest[2] });
  }
  if (head === 'nsenter') {
    const ns = readNsenter(rest);
    return interpretWords(ns.rest, { netns: ns.netns === undefined ? ctx.netns : ns.netns });
  }
  if (KUBECTL.has(head) && rest[0] === 'debug') {
    const node = rest.find((w) => w.startsWith('node/'));
    const dash = words.indexOf('--');
    if (node && dash > 0 && dash < words.length - 1) return interpretWords(words.slice(dash + 1), { netns: undefined, host: node.slice(5) });
    if (node) return { kind: 'host', host: node.slice(5) };
  }
  if (KUBECTL.has(head)) {
    const nodes = kubeNodesCommand(rest);
    if (nodes) return { kind: 'nodes', ...nodes };
    const ko = readKubeKo(words);
    if (typeof ko === 'string') return { kind: 'unknown', reason: ko };
    if (ko) return interpretWords(ko.inner, { netns: ctx.netns, ...(ko.host !== undefined ? { host: ko.host } : ctx.host !== undefined ? { host: ctx.host } : {}) });
    const exec = readKubeExec(words);
    if (typeof exec === 'string') return { kind: 'unknown', reason: exec };
    // A pod's view of the network is its own machine as far as a paste can tell: the host is named after the pod.
    if (exec && exec.pod.includes(SUBSTITUTION)) return chosenAtRunTime(interpretInner(exec.inner, { netns: undefined, host: runTimeName(exec.pod) }), exec.pod);
    if (exec) return withHost(interpretInner(exec.inner, { netns: undefined, host: exec.pod }), exec.pod);
  }
  if (head === 'docker' || head === 'crictl' || head === 'podman' || head === 'nerdctl') {
    const exec = readContainerExec(words);
    const host = ctx.host !== undefined ? { host: ctx.host } : {};
    if (exec && exec.container.includes(SUBSTITUTION)) {
      return chosenAtRunTime(interpretInner(exec.inner, { netns: `container:${runTimeName(exec.container)}`, ...host }), exec.container);
    }
    if (exec) return interpretInner(exec.inner, { netns: `container:${exec.container}`, ...host });
  }
  if (SHELLS.has(head) && rest[0] === '-c' && rest[1] !== undefined) return interpretInner(rest.slice(1), ctx);
  if (head === 'ssh') {
    const hostWord = rest.filter((w, i) => !w.startsWith('-') && !(i > 0 && /^-[bcDEeFIiJLlmOopQRSWw]$/.test(rest[i - 1])));
    if (hostWord.length === 1) return { kind: 'host', host: hostWord[0].replace(/^.*@/, '') };
  }
  const outcome = recognizeTool(words);
  if (typeof outcome === 'string') return { kind: 'unknown', reason: outcome };
  const netns = outcome.netns ?? (ctx.netns === undefined || ctx.netns === null ? undefined : ctx.netns);
  const argv = outcome.netns !== undefined ? removeNetnsOption(words) : words;
  const params = outcome.params && Object.keys(outcome.params).length > 0 ? outcome.params : undefined;
  const command: RecognizedCommand = {
    id: outcome.id,
    format: outcome.format,
    argv,
    ...(params ? { params } : {}),
    ...(netns !== undefined ? { netns } : {}),
    ...(ctx.host !== undefined ? { host: ctx.host } : {}),
    ...(outcome.note !== undefined ? { note: outcome.note } : {}),
  };
  return { kind: 'command', command };
}

/** `ip -n NS link` ran `ip link` inside NS: the recorded argv is the inner one. */
function removeNetnsOption(words: string[]): string[] {
  const out = [...words];
  const i = out.findIndex((w, k) => k > 0 && /^--?n(e(t(ns?)?)?)?$/.test(w));
  if (i > 0) out.splice(i, 2);
  return out;
}

/**
 * Reads a typed line: assignments (`NS=abc`), wrappers (`sudo`, `ip netns exec NS`, `ip -n NS`, nsenter),
 * then the command. Variables from earlier lines are passed in `vars`.
 */
export function interpretLine(line: string, vars: Record<string, string> = {}): LineMeaning {
  const first = splitShellLine(line, vars, true);
  const inline = first.ok ? first.segments.flatMap((s) => s.words.filter((w) => ASSIGNMENT.test(w))) : [];
  // `NS=abc; ip -n $NS a`: the assignment applies to the rest of the line too.
  const lineVars = Object.fromEntries(inline.map((w) => (ASSIGNMENT.exec(w) ?? ['', '', '']).slice(1, 3)));
  const split = inline.length > 0 ? splitShellLine(line, { ...vars, ...lineVars }, true) : first;
  if (!split.ok) return { kind: 'unknown', reason: split.reason, assignments: {} };
  const assignments: Record<string, string> = {};
  const commands: string[][] = [];
  const filters: string[][] = [];
  let piped = false;
  for (const seg of split.segments) {
    if (piped) {
      filters.push(seg.words);
      piped = seg.op === '|';
      continue;
    }
    piped = seg.op === '|';
    let words = seg.words;
    if (words[0] === 'export' || words[0] === 'local' || words[0] === 'declare') words = words.slice(1);
    while (words.length > 0 && ASSIGNMENT.test(words[0])) {
      const m = ASSIGNMENT.exec(words[0]);
      if (m) assignments[m[1]] = m[2];
      words = words.slice(1);
    }
    if (words.length > 0 && !(words[0] === 'cd' || words[0] === 'clear')) commands.push(words);
  }
  if (split.unresolved.length > 0 && commands.length > 0) {
    return { kind: 'unknown', reason: `variable $${split.unresolved[0]} is not set earlier in the transcript`, assignments };
  }
  if (commands.length === 0) {
    return Object.keys(assignments).length > 0 ? { kind: 'assign', assignments } : { kind: 'empty', assignments };
  }
  if (commands.length > 1) return { kind: 'unknown', reason: 'several commands on one line: their outputs cannot be told apart', assignments };
  const meaning = interpretWords(commands[0], { netns: undefined });
  if (substituted(meaning)) return { kind: 'unknown', reason: 'command substitution $(...) cannot be replayed from a transcript', assignments };
  if (filters.length === 0 || meaning.kind !== 'command') return { ...meaning, assignments } as LineMeaning;
  const piping = throughFilters(meaning.command, filters);
  if (typeof piping === 'string') return { kind: 'unknown', reason: piping, assignments };
  return { kind: 'command', command: piping, assignments };
}

/** Listings whose records span several lines and declare where one begins (`ip addr`, `ip link`). */
const RECORD_STARTS: ReadonlySet<CommandId> = new Set(CATALOG.filter((e) => !e.lineRecords && e.textRecordStart).map((e) => e.id));

/** Listings whose every line is a whole record: a filter that drops lines leaves the rest readable. */
const LINE_RECORDS: ReadonlySet<CommandId> = new Set(CATALOG.filter((e) => e.lineRecords).map((e) => e.id));

/**
 * A command piped through filters. `cat`, `less`, `more`, `jq .` pass the output unchanged; `head`/`tail` keep a
 * run of whole lines and `grep` keeps some lines: what is left is imported as a partial listing. A filter that
 * rewrites lines (`awk`, `cut`, `sed`, `wc`, `grep -o`), or `grep` on a listing whose records span several lines,
 * leaves nothing that can be read safely.
 */
function throughFilters(command: RecognizedCommand, filters: string[][]): RecognizedCommand | string {
  const reasons: string[] = [];
  let recordStartsOnly = false;
  const lineRecords = LINE_RECORDS.has(command.id) || command.params?.brief === '1' || command.argv.some((a) => a === '-o' || a === '-oneline');
  for (const words of filters) {
    const tool = baseName(words[0] ?? '');
    const args = words.slice(1);
    if (['cat', 'less', 'more', 'tee'].includes(tool)) continue;
    if (tool === 'jq' && command.format === 'json' && args.filter((a) => !a.startsWith('-')).every((a) => a === '.')) continue;
    if (tool === 'head' || tool === 'tail') {
      if (args.some((a) => a === '-f' || a === '-c' || a.startsWith('--bytes'))) return `${tool} ${args.join(' ')} does not keep whole lines`;
      reasons.push(`${tool} kept only part of its lines`);
      continue;
    }
    if (tool === 'grep' || tool === 'egrep' || tool === 'fgrep') {
      if (args.some((a) => /^-[a-zA-Z]*[oclLqZ]/.test(a) || ['--count', '--only-matching', '--files-with-matches', '--quiet'].includes(a))) return `grep ${args.join(' ')} rewrites the output`;
      const context = args.some((a) => /^-[a-zA-Z]*[ABC]\d*$/.test(a) || /^--(?:after|before)?-?context/.test(a));
      if (!lineRecords && !context) {
        if (!RECORD_STARTS.has(command.id)) return `output piped through grep keeps single lines of ${command.argv.join(' ')}, whose records span several lines`;
        recordStartsOnly = true;
        reasons.push(`grep ${args.join(' ')} kept only some lines, and of records that span several lines only their first lines are read`);
        continue;
      }
      reasons.push(`grep ${args.join(' ')} kept only some lines`);
      continue;
    }
    if (tool === 'sort' && lineRecords) continue;
    return `output piped through ${tool} is not the command's own output`;
  }
  if (reasons.length === 0) return command;
  return { ...command, partial: reasons.join('; '), ...(recordStartsOnly ? { recordStartsOnly } : {}) };
}

/** Recognises a command as a person typed it; null when it is not one Tunnelscope reads. */
export function recognizeCommand(line: string, vars: Record<string, string> = {}): RecognizedCommand | null {
  const meaning = interpretLine(line, vars);
  return meaning.kind === 'command' ? meaning.command : null;
}
