/**
 * Small clusters built in real kernel namespaces for diagnosis tests. Each node is a host as the lab builds it
 * (own network, mount and UTS namespace, so `ip netns list` on the node shows only its own pods); the nodes'
 * uplinks meet on a Linux bridge in a fabric namespace. Every namespace name starts with `tsu-` unless the cluster
 * is given another prefix.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { diagnose } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import { createHost, onHost, runOnHost } from '@/lib/lab/host';
import { pinDir } from '@/lib/lab/state';
import type { LabHost, LabRole } from '@/lib/lab/types';
import { parseHost } from '@/lib/parse';
import { buildTopology } from '@/lib/topology/build';
import type { EdgeKind, Topology } from '@/lib/topology/types';
import { COLLECTOR_SCRIPT } from '../../helpers/collect-script';

export const NETNS_PREFIX = 'tsu-';
const stateDirPrefix = (prefix: string) => `${prefix}cluster-`;
export const UPLINK = 'enp1s0';

function sh(argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function trySh(argv: string[]): void {
  try {
    sh(argv);
  } catch {
    // already gone
  }
}

function rootNamespaces(prefix: string): string[] {
  const out = sh(['ip', '-j', 'netns', 'list']).trim();
  const rows = out ? (JSON.parse(out) as { name: string }[]) : [];
  return rows.map((r) => r.name).filter((n) => n.startsWith(prefix));
}

function releaseStateDir(dir: string): void {
  const pins = existsSync(pinDir(dir)) ? readdirSync(pinDir(dir)) : [];
  for (const pin of pins) trySh(['umount', '-l', path.join(pinDir(dir), pin)]);
  rmSync(dir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops processes (daemons a layout started) and waits until they are gone. */
async function stopProcesses(pids: number[]): Promise<void> {
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

/** Processes whose network namespace is one of the given namespaces (daemons an earlier run left). */
function processesIn(namespaces: string[]): number[] {
  const ids = new Set(namespaces.map((ns) => `net:[${statSync(`/run/netns/${ns}`).ino}]`));
  const own = readlinkSync('/proc/self/ns/net');
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        const net = readlinkSync(`/proc/${e}/ns/net`);
        return net !== own && ids.has(net);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** libmount creates /run/mount the first time a host's mount namespace is set up; only a folder this run made is removed. */
const hadRunMount = existsSync('/run/mount');

/**
 * Removes whatever an earlier run left: daemons in namespaces named with the prefix (`tsu-` unless given), pinned
 * host namespaces, the namespaces, state folders.
 */
export async function removeLeftovers(prefix = NETNS_PREFIX): Promise<void> {
  await stopProcesses(processesIn(rootNamespaces(prefix)));
  for (const entry of readdirSync(os.tmpdir()).filter((e) => e.startsWith(stateDirPrefix(prefix)))) releaseStateDir(path.join(os.tmpdir(), entry));
  for (const ns of rootNamespaces(prefix)) trySh(['ip', 'netns', 'del', ns]);
  if (!hadRunMount) trySh(['rmdir', '/run/mount']);
}

export interface Node {
  host: LabHost;
  /** Underlay address of the node on its uplink. */
  ip: string;
  ip6?: string;
  pods: Pod[];
}

export interface Pod {
  netns: string;
  hostVeth: string;
  ip: string;
  ip6?: string;
}

export class KernelCluster {
  readonly dir: string;
  readonly nodes: Node[] = [];
  private readonly fabric: string;
  private ports = 0;
  /** Daemons started on the nodes, stopped by destroy(). */
  private readonly daemons: number[] = [];

  /** `name` is short (a few letters): it goes into namespace and device names, after `prefix`. */
  constructor(
    readonly name: string,
    private readonly underlay: { base: string; base6?: string },
    private readonly prefix = NETNS_PREFIX,
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), stateDirPrefix(prefix)));
    this.fabric = `${prefix}${name}-fab`;
    sh(['ip', 'netns', 'add', this.fabric]);
    sh(['ip', '-n', this.fabric, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', this.fabric, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', this.fabric, 'addr', 'add', `${underlay.base}.1/24`, 'dev', 'br0']);
    sh(['ip', '-n', this.fabric, 'link', 'set', 'br0', 'up']);
  }

  /**
   * A node plugged into the fabric with `<base>.<10+n>/24` (and `<base6>::<10+n>/64`) on its uplink, a default route
   * via the fabric's `<base>.1`, forwarding on and kube-proxy's filter rules. A pod VM (role `podvm`) gets the same
   * uplink and route, without forwarding or kube-proxy.
   */
  async addNode(hostname: string, role: LabRole = 'node'): Promise<Node> {
    const n = this.nodes.length + 1;
    const host = await createHost(this.dir, { name: hostname, netns: `${this.prefix}${this.name}-n${n}`, role, cni: 'none' });
    const node: Node = { host, ip: `${this.underlay.base}.${10 + n}`, pods: [] };
    this.nodes.push(node);
    // No duplicate address detection: IPv6 addresses are usable at once and never read as tentative.
    await this.on(node, ['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    const port = `sw${++this.ports}`;
    sh(['ip', '-n', this.fabric, 'link', 'add', port, 'type', 'veth', 'peer', 'name', UPLINK, 'netns', host.netns]);
    sh(['ip', '-n', this.fabric, 'link', 'set', port, 'master', 'br0', 'up']);
    await this.on(node, ['ip', 'addr', 'add', `${node.ip}/24`, 'dev', UPLINK]);
    if (this.underlay.base6) {
      node.ip6 = `${this.underlay.base6}::${10 + n}`;
      await this.on(node, ['ip', 'addr', 'add', `${node.ip6}/64`, 'dev', UPLINK]);
    }
    await this.on(node, ['ip', 'link', 'set', UPLINK, 'up']);
    await this.on(node, ['ip', 'route', 'add', 'default', 'via', `${this.underlay.base}.1`, 'dev', UPLINK]);
    if (role === 'podvm') return node;
    await this.on(node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await this.kubeProxyRules(node);
    return node;
  }

  /**
   * The filter rules kube-proxy (iptables mode) keeps on every node: its DROPs for invalid conntrack state, marked
   * packets and loopback destinations from outside, and a REJECT for a service without endpoints.
   */
  private async kubeProxyRules(node: Node): Promise<void> {
    const comment = (text: string) => ['-m', 'comment', '--comment', text];
    for (const chain of ['KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-SERVICES']) await this.on(node, ['iptables', '-w', '-N', chain]);
    const rules: string[][] = [
      ['INPUT', '-j', 'KUBE-FIREWALL'],
      ['FORWARD', ...comment('kubernetes forwarding rules'), '-j', 'KUBE-FORWARD'],
      ['FORWARD', '-m', 'conntrack', '--ctstate', 'NEW', ...comment('kubernetes service portals'), '-j', 'KUBE-SERVICES'],
      ['OUTPUT', '-j', 'KUBE-FIREWALL'],
      [
        'KUBE-FIREWALL',
        '!',
        '-s',
        '127.0.0.0/8',
        '-d',
        '127.0.0.0/8',
        ...comment('block incoming localnet connections'),
        '-m',
        'conntrack',
        '!',
        '--ctstate',
        'RELATED,ESTABLISHED,DNAT',
        '-j',
        'DROP',
      ],
      ['KUBE-FIREWALL', ...comment('kubernetes firewall for dropping marked packets'), '-m', 'mark', '--mark', '0x8000/0x8000', '-j', 'DROP'],
      ['KUBE-FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'],
      ['KUBE-FORWARD', ...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', '0x4000/0x4000', '-j', 'ACCEPT'],
      ['KUBE-FORWARD', ...comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
      ['KUBE-SERVICES', '-d', '10.200.255.10/32', '-p', 'tcp', ...comment('default/web has no endpoints'), '-m', 'tcp', '--dport', '80', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'],
    ];
    for (const [chain, ...rule] of rules) await this.on(node, ['iptables', '-w', '-A', chain, ...rule]);
  }

  on(node: Node, argv: string[], netns?: string): Promise<string> {
    return onHost(node.host, argv, netns);
  }

  /** A pod namespace on the node with `eth0` paired to `hostVeth` in the node's root namespace (both up, no addresses). */
  async addPodNamespace(node: Node, pod: Pod): Promise<void> {
    await this.on(node, ['ip', 'netns', 'add', pod.netns]);
    await this.on(node, ['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], pod.netns);
    await this.on(node, ['ip', 'link', 'set', 'lo', 'up'], pod.netns);
    await this.on(node, ['ip', 'link', 'add', pod.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
    await this.on(node, ['ip', 'link', 'set', 'eth0', 'up'], pod.netns);
    node.pods.push(pod);
  }

  /** Pings `to` from pod `from`'s namespace; true when at least one reply came back. */
  async ping(node: Node, from: Pod, to: string): Promise<boolean> {
    const result = await runOnHost(node.host, ['ping', '-c', '2', '-i', '0.2', '-W', '2', to], { netns: from.netns, timeoutMs: 10_000 });
    return result.exitCode === 0;
  }

  /** Every pod pings every pod on the other nodes; returns the pairs that failed as `from -> to`. */
  async pingAcross(family: 4 | 6 = 4): Promise<string[]> {
    const failed: string[] = [];
    for (const node of this.nodes) {
      for (const from of node.pods) {
        for (const other of this.nodes.filter((o) => o !== node)) {
          for (const to of other.pods) {
            const address = family === 4 ? to.ip : to.ip6;
            if (address === undefined) throw new Error(`pod ${to.netns} has no IPv${family} address`);
            if (!(await this.ping(node, from, address))) failed.push(`${from.netns} -> ${address}`);
          }
        }
      }
    }
    return failed;
  }

  /** Collects every node with the product's collector and builds one topology from the captures. */
  async topology(): Promise<Topology> {
    const local = new LocalRunner();
    const captures = await Promise.all(this.nodes.map((n) => collectWithScript(new PrefixRunner(n.host.enter, local), COLLECTOR_SCRIPT, { name: n.host.name, role: n.host.role })));
    const failed = captures.filter((c) => c.status !== 'complete');
    if (failed.length) throw new Error(`collect: ${failed.map((c) => `${c.name} ${c.status} ${c.error ?? ''}`).join('; ')}`);
    return buildTopology(captures.map(parseHost));
  }

  /**
   * Open vSwitch on the node (userspace `netdev` datapath: this kernel has no OVS module), with the default paths the
   * node's private /run and state folders give it.
   */
  async startOvs(node: Node): Promise<void> {
    await this.on(node, ['ovsdb-tool', 'create', '/etc/openvswitch/conf.db', '/usr/share/openvswitch/vswitch.ovsschema']);
    const db = 'unix:/run/openvswitch/db.sock';
    await this.on(node, ['ovsdb-server', '/etc/openvswitch/conf.db', '-vconsole:off', '--remote=punix:/run/openvswitch/db.sock', '--pidfile', '--detach', '--log-file']);
    this.daemons.push(Number((await this.on(node, ['cat', '/run/openvswitch/ovsdb-server.pid'])).trim()));
    await this.on(node, ['ovs-vsctl', '--no-wait', 'init']);
    await this.on(node, ['ovs-vswitchd', db, '-vconsole:off', '--pidfile', '--detach', '--log-file']);
    this.daemons.push(Number((await this.on(node, ['cat', '/run/openvswitch/ovs-vswitchd.pid'])).trim()));
    await this.on(node, ['ovs-vsctl', 'set', 'open', '.', `external_ids:hostname=${node.host.name}`, `external_ids:system-id=${node.host.name}`]);
  }

  async destroy(): Promise<void> {
    const namespaces = rootNamespaces(this.prefix).filter((n) => n.startsWith(`${this.prefix}${this.name}-`));
    await stopProcesses([...this.daemons, ...processesIn(namespaces)]);
    releaseStateDir(this.dir);
    for (const ns of namespaces) trySh(['ip', 'netns', 'del', ns]);
  }
}

/** Warning and critical findings, one readable line each, so a failed assertion explains itself. */
export function seriousFindings(topology: Topology): string[] {
  return diagnose(topology)
    .findings.filter((f) => f.severity !== 'info')
    .map(describe);
}

export function findingsOf(topology: Topology, rule: string): Finding[] {
  return diagnose(topology).findings.filter((f) => f.rule === rule && f.severity !== 'info');
}

export function describe(f: Finding): string {
  return `${f.severity} ${f.rule}: ${f.title} [${f.elements.join(', ')}]`;
}

/** An element id as `host/ns/if`. */
export function shortId(id: string): string {
  return id.replace(/host:/g, '').replace(/\/ns:/g, '/').replace(/\/if:/g, '/');
}

/** Edges of one kind as `source ~ target` with ids shortened to `host/ns/if`; an undirected edge's ends in sorted order. */
export function edgesOf(topology: Topology, kind: EdgeKind): string[] {
  return topology.edges
    .filter((e) => e.kind === kind)
    .map((e) => (e.directed ? [shortId(e.source), shortId(e.target)] : [shortId(e.source), shortId(e.target)].sort()).join(' ~ '))
    .sort();
}
