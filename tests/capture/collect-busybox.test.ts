/**
 * A pod VM's image may hold only busybox: the collector script run by busybox's sh, with only busybox's applets on
 * PATH (iproute2's directories hidden in the namespace's own mount namespace), in a real network namespace with a
 * veth pair, addresses and a neighbour. busybox's ip knows no -j: the script runs the text forms, which the readers
 * take.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '@/lib/capture/catalog';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import type { HostCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';

const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');
const BUSYBOX = '/usr/bin/busybox';
const NS = `tsbb-${process.pid}`;
/** Runs in the namespace's mount namespace ($1 the applet directory, $2 the script): iproute2's directories hidden. */
const ONLY_BUSYBOX = 'mount -t tmpfs tmpfs /usr/sbin && mount -t tmpfs tmpfs /usr/local/sbin && exec env PATH="$1" sh "$2" --no-netns';

let scratch: string;
let capture: HostCapture;

function ip(...argv: string[]): string {
  return execFileSync('ip', ['-n', NS, ...argv], { encoding: 'utf8' });
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'tsbb-'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) symlinkSync(BUSYBOX, path.join(scratch, applet));
  execFileSync('ip', ['netns', 'add', NS]);
  ip('link', 'add', 'v0', 'mtu', '1450', 'type', 'veth', 'peer', 'name', 'v1');
  ip('addr', 'add', '10.62.0.1/24', 'dev', 'v0');
  ip('addr', 'add', 'fd00:62::1/64', 'dev', 'v0', 'nodad');
  for (const dev of ['lo', 'v0', 'v1']) ip('link', 'set', dev, 'up');
  ip('route', 'add', '10.63.0.0/16', 'via', '10.62.0.254', 'dev', 'v0');
  ip('neigh', 'add', '10.62.0.254', 'lladdr', '02:00:00:00:62:fe', 'dev', 'v0', 'nud', 'permanent');
  const run = spawnSync('ip', ['netns', 'exec', NS, BUSYBOX, 'sh', '-c', ONLY_BUSYBOX, 'sh', scratch, SCRIPT], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const imported = parseCollectorOutput(run.stdout);
  expect(imported.problems).toEqual([]);
  capture = imported.hosts[0];
}, 90_000);

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the collector script with busybox only', () => {
  it('runs the text forms of ip and reads devices, MACs, MTUs, addresses, routes and neighbours', () => {
    const ipLink = capture.namespaces[0].commands.find((c) => c.id === 'ip-link');
    expect(ipLink).toMatchObject({ argv: ['ip', 'link', 'show'], format: 'text', status: 'ok' });
    // tc is not in busybox: reported as missing, not guessed.
    expect(capture.namespaces[0].commands.find((c) => c.id === 'tc-qdisc')?.status).toBe('missing-tool');

    const kernel = JSON.parse(ip('-j', 'link', 'show')) as { ifname: string; address: string; mtu: number }[];
    const ns = parseHost(capture).namespaces[0];
    const devices = ns.interfaces.map((i) => ({ ifname: i.name, address: i.mac, mtu: i.mtu }));
    expect(devices).toEqual(kernel.map((k) => ({ ifname: k.ifname, address: k.address, mtu: k.mtu })));
    expect(ns.interfaces.find((i) => i.name === 'v0')).toMatchObject({ up: true, link: 'v1', mtu: 1450 });

    const addresses = ns.interfaces.find((i) => i.name === 'v0')?.addresses.map((a) => `${a.local}/${a.prefixlen}`);
    expect(addresses).toEqual(expect.arrayContaining(['10.62.0.1/24', 'fd00:62::1/64']));

    const routes = ns.routes.map((r) => `${r.family} ${r.dst} ${r.gateway ?? '-'} ${r.dev ?? '-'}`);
    expect(routes).toEqual(expect.arrayContaining(['inet 10.62.0.0/24 - v0', 'inet 10.63.0.0/16 10.62.0.254 v0', 'inet6 fd00:62::/64 - v0']));
    // Each route once: IPv4 listed by `ip -4 route`, IPv6 by `ip -6 route`.
    expect(new Set(routes).size).toBe(routes.length);

    expect(ns.neighbors.map((n) => [n.dst, n.dev, n.lladdr, n.state])).toEqual([['10.62.0.254', 'v0', '02:00:00:00:62:fe', ['PERMANENT']]]);
  });

  it('keeps the host complete although busybox ip has no netns command, and reads nothing from /proc or /sys', () => {
    const records = capture.namespaces[0].commands;
    expect(records.find((c) => c.id === 'netns-list')).toMatchObject({ status: 'error', stderr: expect.stringMatching(/^BusyBox/) });
    expect(capture.status).toBe('complete');
    const fallbacks = new Set<string>(CATALOG.filter((c) => c.fallbackFor !== undefined).map((c) => c.id));
    expect(fallbacks.size).toBeGreaterThan(0);
    expect(records.filter((c) => fallbacks.has(c.id))).toEqual([]);
  });
});
