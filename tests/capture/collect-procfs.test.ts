/**
 * A pod VM image with a shell and no ip at all: the collector script, run by busybox's sh with busybox's applets on
 * PATH except ip and tc (iproute2's directories hidden in the namespace's own mount namespace), reads the namespace
 * from /proc/net and /sys/class/net. What it reads is compared, parsed, with what the script reads of the same
 * namespace with iproute2's `ip -j`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import type { HostCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';
import type { HostState, Interface, NamespaceState, Route } from '@/lib/parse/types';

const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');
const BUSYBOX = '/usr/bin/busybox';
const NS = `tspf-${process.pid}`;
const PEER_NS = `${NS}-peer`;
/** Runs in the namespace's mount namespace ($1 the applet directory, $2 the script): iproute2's directories hidden. */
const NO_IP = 'mount -t tmpfs tmpfs /usr/sbin && mount -t tmpfs tmpfs /usr/local/sbin && exec env PATH="$1" sh "$2" --no-netns';

let scratch: string;
let fallback: HostCapture;
let withIp: HostCapture;

function ip(...argv: string[]): string {
  return execFileSync('ip', ['-n', NS, ...argv], { encoding: 'utf8' });
}

function collect(argv: string[]): HostCapture {
  const run = spawnSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const imported = parseCollectorOutput(run.stdout);
  expect(imported.problems).toEqual([]);
  return imported.hosts[0];
}

/**
 * A bridge's carrier reaches its operstate through the kernel's link watch (up to a second later), and a device's
 * link-local address and its local route follow: the two reads are made once nothing of that is pending.
 */
async function settled(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const links = JSON.parse(ip('-j', 'link', 'show')) as { flags: string[]; operstate: string }[];
    const addrs = ip('-6', '-o', 'addr', 'show');
    const locals = ip('-6', 'route', 'show', 'table', 'local').split('\n');
    const up = links.filter((l) => l.flags.includes('UP')).every((l) => l.operstate === 'UP' || l.operstate === 'UNKNOWN');
    const routed = [...addrs.matchAll(/ inet6 ([0-9a-f:]+)\//g)].every((m) => locals.some((line) => line.startsWith(`local ${m[1]} `)));
    if (up && routed && !/\btentative\b/.test(addrs)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the devices of ${NS} did not settle`);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'tspf-'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n');
  for (const applet of applets.filter((a) => a !== '' && a !== 'ip' && a !== 'tc')) symlinkSync(BUSYBOX, path.join(scratch, applet));
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['netns', 'add', PEER_NS]);
  // Link-local addresses and their routes appear at once, not when duplicate address detection ends between the two reads.
  execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
  ip('link', 'add', 'v0', 'mtu', '1450', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'add', 'v2', 'type', 'veth', 'peer', 'name', 'p2', 'netns', PEER_NS);
  execFileSync('ip', ['-n', PEER_NS, 'link', 'set', 'p2', 'up']);
  ip('link', 'add', 'br0', 'type', 'bridge');
  ip('link', 'set', 'v1', 'master', 'br0');
  ip('addr', 'add', '10.62.0.1/24', 'dev', 'v0');
  ip('addr', 'add', '10.62.0.9/24', 'dev', 'v0');
  ip('addr', 'add', 'fd00:62::1/64', 'dev', 'v0', 'nodad');
  ip('addr', 'add', '10.64.0.2/24', 'dev', 'v2');
  // No prefix route names the device of a /32: the fallback cannot place it.
  ip('addr', 'add', '192.0.2.7/32', 'dev', 'v2');
  for (const dev of ['lo', 'v0', 'v1', 'v2', 'br0']) ip('link', 'set', dev, 'up');
  ip('route', 'add', '10.63.0.0/16', 'via', '10.62.0.254', 'dev', 'v0');
  ip('route', 'add', '10.98.0.0/16', 'via', '10.64.0.1', 'metric', '50');
  ip('route', 'add', 'blackhole', '10.99.0.0/16');
  ip('-6', 'route', 'add', 'fd00:99::/48', 'via', 'fd00:62::fe', 'dev', 'v0', 'metric', '300');
  ip('neigh', 'add', '10.62.0.254', 'lladdr', '02:00:00:00:62:fe', 'dev', 'v0', 'nud', 'permanent');
  await settled();
  fallback = collect([BUSYBOX, 'sh', '-c', NO_IP, 'sh', scratch, SCRIPT]);
  withIp = collect(['sh', SCRIPT, '--no-netns']);
}, 90_000);

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS]);
  spawnSync('ip', ['netns', 'del', PEER_NS]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function device(i: Interface): Record<string, unknown> {
  return { ifindex: i.ifindex, name: i.name, mac: i.mac, mtu: i.mtu, operstate: i.operstate, flags: i.flags, master: i.master, peer: i.link ?? i.linkIndex };
}

function addresses(ns: NamespaceState): string[] {
  return ns.interfaces.flatMap((i) => i.addresses.map((a) => `${i.name} ${a.local}/${a.prefixlen}`)).sort();
}

function route(r: Route): string {
  return JSON.stringify([r.family, r.dst, r.type ?? 'unicast', r.gateway, r.dev, r.table, r.scope, r.metric]);
}

/** ip lists IPv4 routes of every table; /proc/net/route holds the main table, which is what is compared. */
function routes(ns: NamespaceState): string[] {
  return [...new Set(ns.routes.filter((r) => r.family === 'inet6' || r.table === undefined).map(route))].sort();
}

describe('the collector script without ip', () => {
  let read: HostState;
  let viaIp: HostState;
  beforeAll(() => {
    read = parseHost(fallback);
    viaIp = parseHost(withIp);
  });

  it('records ip as missing, runs the /proc and /sys reads, and keeps the host complete', () => {
    const records = fallback.namespaces[0].commands;
    expect(records.find((c) => c.id === 'ip-link')?.status).toBe('missing-tool');
    for (const id of ['sys-class-net', 'proc-net-addr', 'proc-net-route', 'proc-net-ipv6-route', 'proc-net-arp']) {
      expect(
        records.find((c) => c.id === id),
        id,
      ).toMatchObject({ status: 'ok', stderr: '' });
    }
    expect(fallback.status).toBe('complete');
    expect(read.missingTools).toEqual(expect.arrayContaining(['ip', 'tc']));
    // With ip present the reads are not made.
    expect(withIp.namespaces[0].commands.filter((c) => c.id === 'sys-class-net')).toEqual([]);
  });

  it('reads devices, MACs, MTUs, states, flags, masters and peer ifindexes as ip -j does', () => {
    const ns = read.namespaces[0];
    expect(ns.interfaces.map(device)).toEqual(viaIp.namespaces[0].interfaces.map(device));
    const kinds = (s: NamespaceState) => Object.fromEntries(s.interfaces.map((i) => [i.name, i.kind]));
    // A veth whose peer is in another namespace cannot be told from sysfs: its kind stays generic.
    expect(kinds(ns)).toEqual({ ...kinds(viaIp.namespaces[0]), v2: 'device' });
    expect(ns.interfaces.find((i) => i.name === 'v2')?.linkIndex).toBe(JSON.parse(execFileSync('ip', ['-n', PEER_NS, '-j', 'link', 'show', 'p2'], { encoding: 'utf8' }))[0].ifindex);
  });

  it('reads every address ip -j lists but a /32, which it reports', () => {
    const expected = addresses(viaIp.namespaces[0]).filter((a) => a !== 'v2 192.0.2.7/32');
    expect(addresses(read.namespaces[0])).toEqual(expected);
    expect(read.problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/192\.0\.2\.7 has no prefix route/)]));
  });

  it('reads the IPv4 main table and every IPv6 route as ip -j does', () => {
    expect(routes(read.namespaces[0])).toEqual(routes(viaIp.namespaces[0]));
    expect(routes(read.namespaces[0]).length).toBeGreaterThan(8);
  });

  it('reads the IPv4 neighbour', () => {
    const neighbours = (ns: NamespaceState) => ns.neighbors.filter((n) => !n.dst.includes(':')).map((n) => [n.dst, n.dev, n.lladdr, n.state]);
    expect(neighbours(read.namespaces[0])).toEqual([['10.62.0.254', 'v0', '02:00:00:00:62:fe', ['PERMANENT']]]);
    expect(neighbours(read.namespaces[0])).toEqual(neighbours(viaIp.namespaces[0]));
  });
});
