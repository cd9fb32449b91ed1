/**
 * Real kernel state for the parser tests: namespaces named tsfx-<pid>-*, built with iproute2 and tc,
 * and the commands' outputs captured as CommandRecords exactly as the capture layer would keep them.
 */
import { execFileSync } from 'node:child_process';
import type { CommandId, CommandRecord } from '@/lib/capture/types';

export const PREFIX = `tsfx-${process.pid}`;
export const NS_A = `${PREFIX}-a`;
export const NS_B = `${PREFIX}-b`;

function sh(argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Kernel state every JSON-vs-text comparison reads. Addresses are documentation/test ranges. */
export function buildKernelState(): void {
  const inA = (...argv: string[]): string => sh(['ip', '-n', NS_A, ...argv]);
  const tcA = (...argv: string[]): string => sh(['tc', '-n', NS_A, ...argv]);
  sh(['ip', 'netns', 'add', NS_A]);
  sh(['ip', 'netns', 'add', NS_B]);
  inA('link', 'set', 'lo', 'up');
  // veth pair across namespaces
  inA('link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'host0', 'netns', NS_B);
  sh(['ip', '-n', NS_B, 'link', 'set', 'host0', 'up']);
  inA('link', 'set', 'pod0', 'up');
  inA('addr', 'add', '198.51.100.10/24', 'dev', 'pod0');
  inA('addr', 'add', '2001:db8:5::10/64', 'dev', 'pod0', 'nodad');
  // vxlan created in B and moved into A, as a tunnel device created on the host and moved into a pod
  sh(['ip', '-n', NS_B, 'link', 'add', 'tun7', 'type', 'vxlan', 'id', '555123', 'remote', '203.0.113.9', 'dstport', '4789']);
  sh(['ip', '-n', NS_B, 'link', 'set', 'tun7', 'netns', NS_A]);
  inA('link', 'set', 'tun7', 'up');
  // a second vxlan with local/dev/nolearning and a non-default port
  inA('link', 'add', 'tun8', 'type', 'vxlan', 'id', '42', 'local', '198.51.100.10', 'dev', 'pod0', 'dstport', '8472', 'nolearning');
  // Linux bridge with a same-namespace veth as port
  inA('link', 'add', 'br7', 'type', 'bridge');
  inA('link', 'add', 'port7', 'type', 'veth', 'peer', 'name', 'peer7');
  inA('link', 'set', 'port7', 'master', 'br7');
  for (const dev of ['br7', 'port7', 'peer7']) inA('link', 'set', dev, 'up');
  inA('tuntap', 'add', 'dev', 'tap7', 'mode', 'tap');
  // routes: main table with metric and mtu, a second table, a default route
  inA('route', 'add', '192.0.2.0/24', 'via', '198.51.100.1', 'dev', 'pod0', 'metric', '50', 'mtu', '1400');
  inA('route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'pod0', 'table', '7');
  inA('route', 'add', '2001:db8:9::/64', 'via', '2001:db8:5::1', 'dev', 'pod0');
  // a routing rule into the second table, added by hand (protocol unspec, where the kernel's own say kernel)
  inA('rule', 'add', 'from', '198.51.100.0/24', 'table', '7', 'pref', '100');
  // permanent and router neighbours
  inA('neigh', 'add', '198.51.100.46', 'lladdr', '0a:58:0a:84:02:2e', 'dev', 'pod0', 'nud', 'permanent');
  inA('neigh', 'add', '2001:db8:5::1', 'lladdr', '0a:58:0a:84:02:01', 'dev', 'pod0', 'nud', 'permanent', 'router');
  // tc: ingress qdisc and u32 match-all + mirred redirect both ways, as a peer-pod tunnel is built
  for (const [from, to] of [
    ['pod0', 'tun7'],
    ['tun7', 'pod0'],
  ]) {
    tcA('qdisc', 'add', 'dev', from, 'ingress');
    tcA('filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to);
  }
  // a mirror action on a second pref
  tcA('filter', 'add', 'dev', 'pod0', 'parent', 'ffff:', 'protocol', 'ip', 'pref', '10', 'u32', 'match', 'ip', 'dst', '192.0.2.0/24', 'action', 'mirred', 'egress', 'mirror', 'dev', 'tap7');
  // bridge fdb entries on the vxlan
  sh(['bridge', '-n', NS_A, 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'tun8', 'dst', '203.0.113.20', 'self', 'permanent']);
  waitForIpv6(NS_A);
}

/**
 * The kernel finishes IPv6 addresses in the background after a link comes up: a link-local address goes through
 * duplicate address detection, and only then is its local route inserted. Two reads of the routing table taken
 * meanwhile differ, so the comparisons start once no address is tentative and each has its local route.
 */
function waitForIpv6(ns: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 600; attempt++) {
    const addrs = sh(['ip', '-n', ns, '-6', '-o', 'addr', 'show']);
    const locals = sh(['ip', '-n', ns, '-6', 'route', 'show', 'table', 'local']);
    const addresses = [...addrs.matchAll(/ inet6 ([0-9a-f:]+)\//g)].map((m) => m[1]);
    const routed = addresses.every((a) => locals.split('\n').some((line) => line.startsWith(`local ${a} `)));
    if (!/\btentative\b/.test(addrs) && routed) return;
    Atomics.wait(pause, 0, 0, 50);
  }
  throw new Error(`IPv6 addresses in ${ns} did not finish duplicate address detection`);
}

export function destroyKernelState(): void {
  for (const ns of [NS_A, NS_B]) {
    try {
      sh(['ip', 'netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
}

/** Runs argv inside a namespace; the record's argv is the command as typed, without the netns prefix. */
export function capture(ns: string, id: CommandId, argv: string[], params?: Record<string, string>): CommandRecord {
  const stdout = sh(['ip', 'netns', 'exec', ns, ...argv]);
  const json = argv.includes('-j') || argv.includes('json');
  return { id, argv, params, stdout, stderr: '', exitCode: 0, durationMs: 0, status: 'ok', format: json ? 'json' : 'text' };
}
