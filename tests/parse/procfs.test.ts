/**
 * The /proc/net and /sys/class/net readers on one namespace of this machine's kernel (tests/fixtures/procfs, with
 * the `ip -j` listings made at the same moment): the same state as ip's, where the files hold it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogEntry } from '@/lib/capture/catalog';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import type { CommandId, CommandRecord, HostCapture } from '@/lib/capture/types';
import { parseHost, parseRecord } from '@/lib/parse';
import { ipv6FromHex } from '@/lib/parse/proc-net-hex';
import type { Interface, NamespaceState, Route } from '@/lib/parse/types';

function file(name: string): string {
  return readFileSync(path.join(__dirname, '..', 'fixtures', 'procfs', name), 'utf8');
}

function record(id: CommandId, stdout: string): CommandRecord {
  const entry = catalogEntry(id);
  return { id, argv: [...entry.argv], stdout, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format: entry.format };
}

const FALLBACK: readonly CommandRecord[] = [
  record('sys-class-net', file('sys-class-net.txt')),
  record('proc-net-addr', file('if_inet6.txt') + file('route.txt') + file('fib_trie.txt')),
  record('proc-net-route', file('route.txt')),
  record('proc-net-ipv6-route', file('ipv6_route.txt')),
  record('proc-net-arp', file('arp.txt')),
];
const IP: readonly CommandRecord[] = [
  record('ip-link', file('ip-link.json')),
  record('ip-addr', file('ip-addr.json')),
  record('ip-route', file('ip-route.json')),
  record('ip6-route', file('ip6-route.json')),
  record('ip-neigh', file('ip-neigh.json')),
];

function namespace(commands: readonly CommandRecord[]): { ns: NamespaceState; problems: string[] } {
  const capture: HostCapture = { name: 'vm', role: 'podvm', collectedAt: '2026-12-06T20:33:00.000Z', status: 'complete', namespaces: [{ netns: null, commands: [...commands] }] };
  const host = parseHost(capture);
  return { ns: host.namespaces[0], problems: host.problems.map((p) => p.message) };
}

function device(i: Interface): Record<string, unknown> {
  const { ifindex, name, kind, mac, mtu, operstate, flags, up, lowerUp, master, slaveKind, bridgePortState, tunType } = i;
  return { ifindex, name, kind, mac, mtu, operstate, flags, up, lowerUp, master, slaveKind, bridgePortState, tunType, peer: i.link ?? i.linkIndex };
}

function route(r: Route): string {
  return JSON.stringify([r.family, r.dst, r.type ?? 'unicast', r.gateway, r.dev, r.table, r.scope, r.metric]);
}

const fromFiles = namespace(FALLBACK);
const fromIp = namespace(IP);

describe('the /sys/class/net reader', () => {
  it('gives each device the fields ip -j -d link gives, but the kind of a veth whose peer is elsewhere', () => {
    const expected = fromIp.ns.interfaces.map(device).map((d) => (d.name === 'v2' ? { ...d, kind: 'device' } : d));
    expect(fromFiles.ns.interfaces.map(device)).toEqual(expected);
  });

  it('names the flags and kinds sysfs tells: loopback, bridge and its port, tap, tun without a MAC, vxlan', () => {
    const byName = new Map(fromFiles.ns.interfaces.map((i) => [i.name, i]));
    expect(byName.get('lo')).toMatchObject({ kind: 'loopback', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN' });
    expect(byName.get('v1')).toMatchObject({ kind: 'veth', link: 'v0', master: 'br0', slaveKind: 'bridge', bridgePortState: 'disabled' });
    expect(byName.get('tap0')).toMatchObject({ kind: 'tun', tunType: 'tap' });
    expect(byName.get('tun1')?.mac).toBeUndefined();
    expect(byName.get('vx0')?.kind).toBe('vxlan');
  });
});

describe('the /proc/net address reader', () => {
  const addresses = (ns: NamespaceState) => ns.interfaces.flatMap((i) => i.addresses.map((a) => `${i.name} ${a.family} ${a.local}/${a.prefixlen}`)).sort();

  it('places every address ip -j addr lists on its device, but a /32 without a prefix route, which it reports', () => {
    expect(addresses(fromFiles.ns)).toEqual(addresses(fromIp.ns).filter((a) => a !== 'v2 inet 192.0.2.7/32'));
    expect(fromFiles.problems).toEqual([expect.stringMatching(/^local address 192\.0\.2\.7 has no prefix route/)]);
  });

  it('alone, gives devices by name that a later device listing completes', () => {
    const addr = FALLBACK[1];
    const { ns } = namespace([addr, FALLBACK[0]]);
    expect(ns.interfaces.map((i) => i.name).sort()).toEqual(fromFiles.ns.interfaces.map((i) => i.name).sort());
    expect(ns.interfaces.find((i) => i.name === 'v0')).toMatchObject({ ifindex: 3, mtu: 1450 });
  });
});

describe('the /proc/net route and arp readers', () => {
  it('read the IPv4 main table and every IPv6 route as ip -j lists them', () => {
    const listed = (ns: NamespaceState) => [...new Set(ns.routes.filter((r) => r.family === 'inet6' || r.table === undefined).map(route))].sort();
    expect(listed(fromFiles.ns)).toEqual(listed(fromIp.ns));
  });

  it('read IPv4 neighbours, telling a permanent entry from a resolved one', () => {
    expect(fromFiles.ns.neighbors.map((n) => [n.dst, n.dev, n.lladdr, n.state])).toEqual([
      ['10.64.0.1', 'v2', '02:00:00:00:64:01', ['COMPLETE']],
      ['10.62.0.254', 'v0', '02:00:00:00:62:fe', ['PERMANENT']],
    ]);
  });
});

describe('a namespace holding both ip listings and the /proc and /sys reads', () => {
  it('takes ip’s, reading nothing twice', () => {
    const both = namespace([...IP, ...FALLBACK]);
    const strip = (ns: NamespaceState) => ({ interfaces: ns.interfaces.map(device), routes: ns.routes.map(route), neighbors: ns.neighbors.map((n) => n.dst) });
    expect(strip(both.ns)).toEqual(strip(fromIp.ns));
    expect(both.problems).toEqual([]);
  });

  it('counts a whole fallback listing as ip’s for the rules, and a partial one not', () => {
    expect(fromFiles.ns.collected).toEqual(expect.arrayContaining(['ip-link', 'ip-route', 'ip6-route']));
    expect(fromFiles.ns.collected).not.toContain('ip-addr');
    expect(fromFiles.ns.collected).not.toContain('ip-neigh');
  });
});

describe('a pasted busybox session', () => {
  it('reads cat of the /proc/net files as the collector’s reads, through /proc/self/net too', () => {
    const text = `[root@podvm-1 /]# cat /proc/net/arp\n${file('arp.txt')}[root@podvm-1 /]# cat /proc/self/net/ipv6_route\n${file('ipv6_route.txt')}[root@podvm-1 /]# cat /proc/net/if_inet6\n${file('if_inet6.txt')}`;
    const { hosts } = parseTranscript(text);
    expect(hosts[0].namespaces[0].commands.map((c) => c.id)).toEqual(['proc-net-arp', 'proc-net-ipv6-route', 'proc-net-addr']);
    const ns = parseHost(hosts[0]).namespaces[0];
    expect(ns.neighbors).toHaveLength(2);
    expect(ns.routes.map(route)).toEqual(fromFiles.ns.routes.filter((r) => r.family === 'inet6').map(route));
    expect(ns.interfaces.find((i) => i.name === 'v0')?.addresses.map((a) => a.local)).toEqual(['fd00:62::1', 'fe80::e84d:91ff:fe2b:4377']);
  });
});

describe('odd input', () => {
  it('never throws on empty, cut or foreign text, and reports the lines it skips', () => {
    for (const r of FALLBACK) {
      for (let cut = 0; cut < r.stdout.length; cut += 7) {
        const result = parseRecord({ ...r, stdout: r.stdout.slice(0, cut) });
        if (result) expect(Array.isArray(result.problems), r.id).toBe(true);
      }
      expect(parseRecord({ ...r, stdout: 'garbage line\n' })?.problems.length, r.id).toBe(1);
      expect(parseRecord({ ...r, stdout: '' }), r.id).toBeUndefined();
    }
  });

  it('reports a device line cut before its flags instead of guessing', () => {
    const result = parseRecord(record('sys-class-net', 'v0 ifindex=3 iflink=2 address=ea:4d\n'));
    expect(result?.state.interfaces).toEqual([]);
    expect(result?.problems).toHaveLength(1);
  });
});

describe('IPv6 addresses in /proc/net hex', () => {
  it('are written as iproute2 prints them', () => {
    expect(
      ['20010db8000000000000000000000001', '00000000000000000000000000000000', '00000000000000000000ffff0a000001', '20010db8000100000000000100000001', '20010db8000000010000000000000000', 'zz'].map(
        ipv6FromHex,
      ),
    ).toEqual(['2001:db8::1', '::', '::ffff:10.0.0.1', '2001:db8:1::1:0:1', '2001:db8:0:1::', undefined]);
  });
});
