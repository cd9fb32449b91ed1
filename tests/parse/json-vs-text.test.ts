/**
 * The same kernel state, read through the JSON and the plain-text form of each command, gives the same model.
 * The state is built in namespaces of this machine's kernel (see kernel-state.ts) and torn down afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRecord } from '@/lib/capture/types';
import type { Interface } from '@/lib/parse/types';
import { parseRecord, parseHost } from '@/lib/parse';
import { NS_A, NS_B, buildKernelState, capture, destroyKernelState } from './kernel-state';

function parsed(record: CommandRecord) {
  const result = parseRecord(record);
  if (!result) throw new Error(`no parser output for ${record.argv.join(' ')}`);
  expect(result.problems).toEqual([]);
  return result.state;
}

/** Drops what only one form can carry: the quoted source, and the peer namespace (name in text, nsid in JSON). */
function comparable(ifaces: Interface[] | undefined) {
  return (ifaces ?? []).map(({ source: _source, linkNetns: _name, linkNetnsId: _id, ...rest }) => rest);
}

function withoutSource<T extends { source?: unknown }>(items: T[] | undefined): Omit<T, 'source'>[] {
  return (items ?? []).map(({ source: _source, ...rest }) => rest);
}

function byName(ifaces: Interface[] | undefined, name: string): Interface {
  const found = (ifaces ?? []).find((i) => i.name === name);
  if (!found) throw new Error(`no interface ${name}`);
  return found;
}

beforeAll(() => {
  destroyKernelState();
  buildKernelState();
});
afterAll(() => destroyKernelState());

describe('ip link', () => {
  for (const ns of [NS_A, NS_B]) {
    it(`gives the same interfaces from "ip -j -d link show" and "ip -d link show" (${ns === NS_A ? 'pod' : 'host'} side)`, () => {
      const json = parsed(capture(ns, 'ip-link', ['ip', '-j', '-d', 'link', 'show']));
      const text = parsed(capture(ns, 'ip-link', ['ip', '-d', 'link', 'show']));
      expect(json.interfaces?.length).toBeGreaterThan(1);
      expect(comparable(text.interfaces)).toEqual(comparable(json.interfaces));
    });
  }

  it('reads the vxlan moved from another namespace: VNI, remote, port, learning and the link into that namespace', () => {
    const json = parsed(capture(NS_A, 'ip-link', ['ip', '-j', '-d', 'link', 'show']));
    const tun = byName(json.interfaces, 'tun7');
    expect(tun.kind).toBe('vxlan');
    expect(tun.vxlan).toEqual({ vni: 555123, remote: '203.0.113.9', port: 4789, learning: true });
    expect(tun.linkNetnsId).toBeTypeOf('number');
    expect(tun.linkIndex).toBeTypeOf('number');
    expect(tun.up).toBe(true);
  });

  it('reads local, lower device and nolearning of a vxlan in both forms', () => {
    const text = parsed(capture(NS_A, 'ip-link', ['ip', '-d', 'link', 'show']));
    expect(byName(text.interfaces, 'tun8').vxlan).toEqual({ vni: 42, local: '198.51.100.10', dev: 'pod0', port: 8472, learning: false });
  });

  it('reads a veth whose peer is in another namespace as link index plus netns, and a same-namespace peer by name', () => {
    const text = parsed(capture(NS_A, 'ip-link', ['ip', '-d', 'link', 'show']));
    const pod0 = byName(text.interfaces, 'pod0');
    expect(pod0.kind).toBe('veth');
    expect(pod0.linkNetns).toBe(NS_B);
    expect(pod0.link).toBeUndefined();
    const hostSide = parsed(capture(NS_B, 'ip-link', ['ip', '-j', '-d', 'link', 'show']));
    expect(pod0.linkIndex).toBe(byName(hostSide.interfaces, 'host0').ifindex);
    expect(byName(text.interfaces, 'port7').link).toBe('peer7');
  });

  it('reads bridge ports (master, slave kind, STP state) and the tap type', () => {
    const json = parsed(capture(NS_A, 'ip-link', ['ip', '-j', '-d', 'link', 'show']));
    expect(byName(json.interfaces, 'br7').kind).toBe('bridge');
    expect(byName(json.interfaces, 'port7')).toMatchObject({ master: 'br7', slaveKind: 'bridge', bridgePortState: expect.any(String) });
    expect(byName(json.interfaces, 'tap7')).toMatchObject({ kind: 'tun', tunType: 'tap', up: false });
    expect(byName(json.interfaces, 'lo').kind).toBe('loopback');
  });

  it('gives the same packet counters from "ip -j -s -s link" and "ip -s -s link"', () => {
    execPing();
    const json = parsed(capture(NS_A, 'ip-link', ['ip', '-j', '-s', '-s', 'link', 'show', 'lo']));
    const text = parsed(capture(NS_A, 'ip-link', ['ip', '-s', '-s', 'link', 'show', 'lo']));
    const stats = byName(json.interfaces, 'lo').stats;
    expect(stats?.rxPackets).toBeGreaterThan(0);
    expect(byName(text.interfaces, 'lo').stats).toEqual(stats);
  });
});

function execPing(): void {
  capture(NS_A, 'hostname', ['ping', '-c', '1', '-W', '1', '127.0.0.1']);
}

describe('ip addr', () => {
  it('gives the same interfaces and addresses from "ip -j addr show" and "ip addr show"', () => {
    const json = parsed(capture(NS_A, 'ip-addr', ['ip', '-j', 'addr', 'show']));
    const text = parsed(capture(NS_A, 'ip-addr', ['ip', 'addr', 'show']));
    expect(byName(json.interfaces, 'pod0').addresses).toEqual(
      expect.arrayContaining([
        { family: 'inet', local: '198.51.100.10', prefixlen: 24, scope: 'global' },
        { family: 'inet6', local: '2001:db8:5::10', prefixlen: 64, scope: 'global' },
      ]),
    );
    expect(comparable(text.interfaces)).toEqual(comparable(json.interfaces));
  });

  it('reads the collector\'s "ip -j -d -s -s addr show" into the interfaces "ip -j -d -s -s link show" and "ip -j addr show" give together', () => {
    const collectorForm = ['ip', '-j', '-d', '-s', '-s', 'addr', 'show'];
    const link = capture(NS_A, 'ip-link', ['ip', '-j', '-d', '-s', '-s', 'link', 'show']);
    const interfaces = (addr: CommandRecord) =>
      parseHost({ name: 'h', role: 'unknown', collectedAt: '', status: 'complete', namespaces: [{ netns: NS_A, commands: [link, addr] }] }).namespaces[0].interfaces.map(
        ({ source: _source, stats: _stats, ...rest }) => rest,
      );
    expect(interfaces(capture(NS_A, 'ip-addr', collectorForm))).toEqual(interfaces(capture(NS_A, 'ip-addr', ['ip', '-j', 'addr', 'show'])));
    // On its own (a namespace whose link listing failed) it holds the details too.
    const alone = parsed(capture(NS_A, 'ip-addr', collectorForm)).interfaces;
    expect(byName(alone, 'tun7')).toMatchObject({ kind: 'vxlan', vxlan: { vni: 555123, remote: '203.0.113.9', port: 4789 } });
    expect(byName(alone, 'pod0')).toMatchObject({ kind: 'veth', linkNetnsId: expect.any(Number) });
    expect(byName(alone, 'pod0').addresses.map((a) => a.local)).toContain('198.51.100.10');
  });
});

describe('parseHost', () => {
  it('merges ip link and ip addr into one interface per device and names the peer namespace from netns list-id', () => {
    const host = parseHost({
      name: 'node-under-test',
      role: 'worker',
      collectedAt: new Date(0).toISOString(),
      status: 'complete',
      namespaces: [
        {
          netns: NS_A,
          commands: [capture(NS_A, 'ip-link', ['ip', '-j', '-d', 'link', 'show']), capture(NS_A, 'ip-addr', ['ip', 'addr', 'show']), capture(NS_A, 'netns-list-id', ['ip', '-j', 'netns', 'list-id'])],
        },
      ],
    });
    const ns = host.namespaces[0];
    expect(host.problems).toEqual([]);
    expect(ns.interfaces.filter((i) => i.name === 'pod0')).toHaveLength(1);
    const pod0 = byName(ns.interfaces, 'pod0');
    expect(pod0.kind).toBe('veth');
    expect(pod0.addresses.map((a) => a.local)).toContain('198.51.100.10');
    expect(pod0.linkNetns).toBe(NS_B);
    expect(ns.netnsIds).toContainEqual({ nsid: pod0.linkNetnsId, name: NS_B });
  });

  it('resolves the peer namespace id of the text form to the same nsid as JSON', () => {
    const nsCommands = (link: CommandRecord) => [link, capture(NS_A, 'netns-list-id', ['ip', 'netns', 'list-id'])];
    const host = (link: CommandRecord) => parseHost({ name: 'h', role: 'unknown', collectedAt: '', status: 'complete', namespaces: [{ netns: NS_A, commands: nsCommands(link) }] });
    const fromJson = byName(host(capture(NS_A, 'ip-link', ['ip', '-j', '-d', 'link', 'show'])).namespaces[0].interfaces, 'tun7');
    const fromText = byName(host(capture(NS_A, 'ip-link', ['ip', '-d', 'link', 'show'])).namespaces[0].interfaces, 'tun7');
    expect(fromText.linkNetnsId).toBe(fromJson.linkNetnsId);
    expect(fromText.linkNetns).toBe(fromJson.linkNetns);
    expect(fromText.linkNetns).toBe(NS_B);
  });
});

describe('ip route', () => {
  for (const family of [[], ['-6']]) {
    it(`gives the same routes from "ip ${family.join(' ')} -j route show table all" and the text form`, () => {
      const json = parsed(capture(NS_A, 'ip-route', ['ip', ...family, '-j', 'route', 'show', 'table', 'all']));
      const text = parsed(capture(NS_A, 'ip-route', ['ip', ...family, 'route', 'show', 'table', 'all']));
      expect(json.routes?.length).toBeGreaterThan(2);
      expect(withoutSource(text.routes)).toEqual(withoutSource(json.routes));
    });
  }

  for (const family of [[], ['-6']]) {
    it(`reads the collector's "ip -j -d -s -s ${family.join(' ')} route show table all" as "ip -j route show table all" and "ip -d route show table all"`, () => {
      // -d spells out the unicast type, the main table, the boot protocol and the global scope: defaults, read as left out.
      const detailed = capture(NS_A, 'ip-route', ['ip', '-j', '-d', '-s', '-s', ...family, 'route', 'show', 'table', 'all']);
      expect(detailed.stdout).toContain('"table":"main"');
      expect(detailed.stdout).toContain('"protocol":"boot"');
      const plain = parsed(capture(NS_A, 'ip-route', ['ip', '-j', ...family, 'route', 'show', 'table', 'all']));
      const text = parsed(capture(NS_A, 'ip-route', ['ip', '-d', ...family, 'route', 'show', 'table', 'all']));
      expect(withoutSource(parsed(detailed).routes)).toEqual(withoutSource(plain.routes));
      expect(withoutSource(text.routes)).toEqual(withoutSource(plain.routes));
    });
  }

  it('keeps metric, mtu, the non-main table and local/broadcast types', () => {
    const { routes } = parsed(capture(NS_A, 'ip-route', ['ip', 'route', 'show', 'table', 'all']));
    expect(routes).toContainEqual(expect.objectContaining({ dst: '192.0.2.0/24', gateway: '198.51.100.1', metric: 50, mtu: 1400 }));
    expect(routes).toContainEqual(expect.objectContaining({ dst: 'default', table: '7', dev: 'pod0' }));
    expect(routes).toContainEqual(expect.objectContaining({ type: 'local', dst: '198.51.100.10', table: 'local' }));
    expect(routes?.find((r) => r.dst === '192.0.2.0/24')?.table).toBeUndefined();
  });

  it('gives the same answer from "ip -j route get" and "ip route get"', () => {
    const json = parsed(capture(NS_A, 'ip-route-get', ['ip', '-j', 'route', 'get', '192.0.2.77']));
    const text = parsed(capture(NS_A, 'ip-route-get', ['ip', 'route', 'get', '192.0.2.77']));
    expect(json.routeLookups?.[0]).toMatchObject({ dst: '192.0.2.77', gateway: '198.51.100.1', dev: 'pod0', prefsrc: '198.51.100.10' });
    expect(withoutSource(text.routeLookups)).toEqual(withoutSource(json.routeLookups));
  });
});

describe('ip rule', () => {
  it('gives the same rules from the collector\'s "ip -j -d -s -s rule show", "ip -j rule show" and "ip rule show"', () => {
    const detailed = capture(NS_A, 'ip-rule', ['ip', '-j', '-d', '-s', '-s', 'rule', 'show']);
    // -d adds each rule's protocol, which the model does not keep.
    expect(detailed.stdout).toContain('"protocol":"unspec"');
    const plain = parsed(capture(NS_A, 'ip-rule', ['ip', '-j', 'rule', 'show']));
    expect(plain.policyRules).toContainEqual(expect.objectContaining({ priority: 100, from: '198.51.100.0/24', table: '7' }));
    expect(withoutSource(parsed(detailed).policyRules)).toEqual(withoutSource(plain.policyRules));
    expect(withoutSource(parsed(capture(NS_A, 'ip-rule', ['ip', 'rule', 'show'])).policyRules)).toEqual(withoutSource(plain.policyRules));
  });
});

describe('ip neigh', () => {
  it('gives the same neighbours from "ip -j neigh show" and "ip neigh show", permanent and router flags included', () => {
    const json = parsed(capture(NS_A, 'ip-neigh', ['ip', '-j', 'neigh', 'show']));
    const text = parsed(capture(NS_A, 'ip-neigh', ['ip', 'neigh', 'show']));
    expect(json.neighbors).toContainEqual(expect.objectContaining({ dst: '198.51.100.46', dev: 'pod0', lladdr: '0a:58:0a:84:02:2e', state: ['PERMANENT'] }));
    expect(json.neighbors).toContainEqual(expect.objectContaining({ dst: '2001:db8:5::1', router: true }));
    expect(withoutSource(text.neighbors)).toEqual(withoutSource(json.neighbors));
  });

  it('takes the device from the command when "ip neigh show dev X" leaves it out', () => {
    const text = parsed(capture(NS_A, 'ip-neigh', ['ip', 'neigh', 'show', 'dev', 'pod0']));
    const json = parsed(capture(NS_A, 'ip-neigh', ['ip', '-j', 'neigh', 'show', 'dev', 'pod0']));
    expect(text.neighbors?.every((n) => n.dev === 'pod0')).toBe(true);
    expect(withoutSource(text.neighbors)).toEqual(withoutSource(json.neighbors));
  });
});

describe('tc', () => {
  for (const dev of ['pod0', 'tun7']) {
    it(`gives the same ingress filters on ${dev} from "tc -j filter show" and "tc filter show"`, () => {
      const params = { dev, hook: 'ingress' };
      const json = parsed(capture(NS_A, 'tc-filter', ['tc', '-j', 'filter', 'show', 'dev', dev, 'ingress'], params));
      const text = parsed(capture(NS_A, 'tc-filter', ['tc', 'filter', 'show', 'dev', dev, 'ingress'], params));
      expect(withoutSource(text.tcFilters)).toEqual(withoutSource(json.tcFilters));
    });
  }

  it('reads the u32 match-all as one filter with a stolen egress redirect to the peer device', () => {
    const { tcFilters } = parsed(capture(NS_A, 'tc-filter', ['tc', '-j', 'filter', 'show', 'dev', 'tun7', 'ingress']));
    expect(withoutSource(tcFilters)).toEqual([
      {
        dev: 'tun7',
        hook: 'ingress',
        kind: 'u32',
        protocol: 'all',
        pref: 49152,
        actions: [{ kind: 'mirred', mirredAction: 'redirect', direction: 'egress', toDev: 'pod0' }],
      },
    ]);
  });

  it('keeps a mirror on another pref apart from the redirect', () => {
    const { tcFilters } = parsed(capture(NS_A, 'tc-filter', ['tc', 'filter', 'show', 'dev', 'pod0', 'ingress']));
    expect(tcFilters?.map((f) => [f.pref, f.actions[0]?.mirredAction, f.actions[0]?.toDev])).toEqual([
      [10, 'mirror', 'tap7'],
      [49152, 'redirect', 'tun7'],
    ]);
    expect(tcFilters?.[1].source?.lines.join('\n')).toContain('Redirect to device tun7');
  });

  it('gives the same qdiscs from "tc -j qdisc show" and "tc qdisc show"', () => {
    const json = parsed(capture(NS_A, 'tc-qdisc', ['tc', '-j', 'qdisc', 'show']));
    const text = parsed(capture(NS_A, 'tc-qdisc', ['tc', 'qdisc', 'show']));
    expect(json.qdiscs).toContainEqual(expect.objectContaining({ dev: 'pod0', kind: 'ingress', handle: 'ffff:' }));
    expect(withoutSource(text.qdiscs)).toEqual(withoutSource(json.qdiscs));
  });
});

describe('bridge fdb', () => {
  it('gives the same vxlan fdb entries from "bridge -j fdb show dev X" and "bridge fdb show dev X"', () => {
    const params = { dev: 'tun8' };
    const json = parsed(capture(NS_A, 'bridge-fdb', ['bridge', '-j', 'fdb', 'show', 'dev', 'tun8'], params));
    const text = parsed(capture(NS_A, 'bridge-fdb', ['bridge', 'fdb', 'show', 'dev', 'tun8'], params));
    expect(json.fdb).toContainEqual(expect.objectContaining({ mac: '00:00:00:00:00:00', dev: 'tun8', dst: '203.0.113.20', state: 'permanent' }));
    expect(withoutSource(text.fdb)).toEqual(withoutSource(json.fdb));
  });
});

describe('netns', () => {
  it('gives the same nsid map from "ip -j netns list-id" and "ip netns list-id"', () => {
    const json = parsed(capture(NS_A, 'netns-list-id', ['ip', '-j', 'netns', 'list-id']));
    const text = parsed(capture(NS_A, 'netns-list-id', ['ip', 'netns', 'list-id']));
    expect(json.netnsIds).toContainEqual(expect.objectContaining({ name: NS_B }));
    expect(text.netnsIds).toEqual(json.netnsIds);
  });
});
