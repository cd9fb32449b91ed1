/**
 * Layouts seen in public bug reports and manuals (see tests/fixtures/parse/public/README.md), written out with
 * other names, addresses and counts: what the parsers must read from outputs they were not written against.
 */
import { describe, expect, it } from 'vitest';
import type { CommandId } from '@/lib/capture/types';
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { parseHost, parseRecord } from '@/lib/parse';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { fixture, recordOf } from './fixture';

function parse(id: CommandId, argv: string[], file: string, params?: Record<string, string>) {
  const result = parseRecord(recordOf(id, argv, fixture(`public/${file}`), params));
  if (!result) throw new Error('no parser output');
  expect(result.problems).toEqual([]);
  return result.state;
}

function named(ifaces: Interface[] | undefined, name: string): Interface {
  const found = ifaces?.find((i) => i.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('ip -d link show, iproute2 5.x', () => {
  const ifaces = parse('ip-link', ['ip', '-d', 'link', 'show'], 'ip-d-link-5x.txt').interfaces;

  it('reads every device with its kind', () => {
    expect(ifaces?.map((i) => [i.name, i.kind])).toEqual([
      ['lo', 'loopback'],
      ['ens3', 'device'],
      ['ens4f0', 'device'],
      ['ens4f1', 'device'],
      ['bond0', 'bond'],
      ['bond0.212', 'vlan'],
      ['kube-br0', 'bridge'],
      ['vethc41d07aa', 'veth'],
      ['vxlan.calico', 'vxlan'],
      ['vx-v6', 'vxlan'],
      ['genev_sys_6081', 'geneve'],
      ['gnv-peer', 'geneve'],
      ['mvl-ext', 'macvlan'],
      ['ipvl-ext', 'ipvlan'],
      ['wg-mesh', 'wireguard'],
      ['tap0_kata', 'tun'],
    ]);
  });

  it('reads bond slaves: master, slave kind and carrier', () => {
    expect(named(ifaces, 'ens4f0')).toMatchObject({ master: 'bond0', slaveKind: 'bond', mtu: 9000, lowerUp: true, operstate: 'UP' });
    expect(named(ifaces, 'ens4f1')).toMatchObject({ master: 'bond0', slaveKind: 'bond', up: true, lowerUp: false, operstate: 'DOWN' });
  });

  it('reads the lower device of vlan, macvlan and ipvlan from name@lower', () => {
    expect(named(ifaces, 'bond0.212')).toMatchObject({ link: 'bond0', mac: '3c:fd:fe:4a:10:70' });
    expect(named(ifaces, 'mvl-ext').link).toBe('ens3');
    expect(named(ifaces, 'ipvl-ext').link).toBe('ens3');
  });

  it('reads a veth in a bridge whose peer is in a named namespace', () => {
    expect(named(ifaces, 'vethc41d07aa')).toMatchObject({
      linkIndex: 3,
      linkNetns: 'cni-5e0c4b1d-27aa-4c3e-9f61-0d2b7c8e4a13',
      master: 'kube-br0',
      slaveKind: 'bridge',
      bridgePortState: 'forwarding',
      promiscuity: 1,
      mtu: 1450,
    });
    expect(named(ifaces, 'vethc41d07aa').link).toBeUndefined();
  });

  it('reads VXLAN VNI, local, remote (IPv6 too), port, underlay and learning', () => {
    expect(named(ifaces, 'vxlan.calico').vxlan).toEqual({ vni: 4096, local: '10.20.0.21', dev: 'ens3', port: 4789, learning: false });
    expect(named(ifaces, 'vx-v6').vxlan).toEqual({ vni: 70011, remote: '2001:db8:40::12', local: '2001:db8:40::11', dev: 'ens3', port: 4790, learning: true });
  });

  it('reads Geneve: the OVS collect-metadata device and a point-to-point tunnel', () => {
    expect(named(ifaces, 'genev_sys_6081')).toMatchObject({ master: 'ovs-system', slaveKind: 'openvswitch', geneve: { external: true, vni: 0, port: 6081 } });
    expect(named(ifaces, 'gnv-peer').geneve).toEqual({ vni: 8123, remote: '198.51.100.42', port: 6081 });
  });

  it('reads a wireguard device without a MAC and a kata tap', () => {
    expect(named(ifaces, 'wg-mesh').mac).toBeUndefined();
    expect(named(ifaces, 'wg-mesh')).toMatchObject({ mtu: 1420, flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] });
    expect(named(ifaces, 'tap0_kata')).toMatchObject({ tunType: 'tap', mac: '7e:c4:0b:15:aa:90', mtu: 1450 });
  });
});

describe('ip -s link counters', () => {
  it('reads the iproute2 4.x column layout', () => {
    const ifaces = parse('ip-link', ['ip', '-s', 'link'], 'ip-s-link-4x.txt').interfaces;
    expect(named(ifaces, 'eth1').stats).toEqual({ rxBytes: 918273645, rxPackets: 712345, rxErrors: 3, rxDropped: 117, txBytes: 273645918, txPackets: 512340, txErrors: 0, txDropped: 4 });
    expect(named(ifaces, 'flannel.1').stats).toMatchObject({ txPackets: 84, txDropped: 29 });
  });

  it('reads the 6.x layout with error detail lines, and the pod side of a veth (@ifN, link-netnsid)', () => {
    const [eth0] = parse('ip-link', ['ip', '-s', '-s', 'link'], 'ip-s-s-link-6x.txt').interfaces ?? [];
    expect(eth0).toMatchObject({ name: 'eth0', linkIndex: 21, linkNetnsId: 0, mtu: 1400 });
    expect(eth0.stats).toEqual({ rxBytes: 88120345, rxPackets: 61532, rxErrors: 0, rxDropped: 41, txBytes: 9412233, txPackets: 50120, txErrors: 0, txDropped: 0 });
  });
});

describe('ip addr: busybox and iproute2 3.x', () => {
  it('reads busybox ip a (no state, M-DOWN flag)', () => {
    const ifaces = parse('ip-addr', ['ip', 'a'], 'busybox-ip-a.txt').interfaces;
    const eth0 = named(ifaces, 'eth0');
    expect(eth0).toMatchObject({ linkIndex: 14, mtu: 1450, mac: '0a:58:0a:f4:03:11', up: true });
    expect(eth0.operstate).toBeUndefined();
    expect(eth0.addresses).toEqual([
      { family: 'inet', local: '10.244.3.17', prefixlen: 24, scope: 'global' },
      { family: 'inet6', local: 'fe80::858:aff:fef4:311', prefixlen: 64, scope: 'link' },
    ]);
  });

  it('reads secondary addresses, a bridge without carrier and a point-to-point peer', () => {
    const ifaces = parse('ip-addr', ['ip', 'addr'], 'ip-a-3x.txt').interfaces;
    expect(named(ifaces, 'eth0').addresses.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['172.16.40.15/22', '172.16.40.99/22', 'fe80::250:56ff:fea1:c3d/64']);
    expect(named(ifaces, 'docker0')).toMatchObject({ up: true, lowerUp: false, operstate: 'DOWN' });
    expect(named(ifaces, 'tun-ops').addresses).toEqual([{ family: 'inet', local: '10.77.0.1', peer: '10.77.0.2', prefixlen: 32, scope: 'global' }]);
  });
});

describe('routes', () => {
  it('reads busybox ip r', () => {
    const routes = parse('ip-route', ['ip', 'r'], 'busybox-ip-r.txt').routes ?? [];
    expect(routes.map((r) => [r.dst, r.gateway, r.dev, r.prefsrc])).toEqual([
      ['default', '10.244.3.1', 'eth0', undefined],
      ['10.244.0.0/16', '10.244.3.1', 'eth0', undefined],
      ['10.244.3.0/24', undefined, 'eth0', '10.244.3.17'],
    ]);
  });

  it('reads route types, proto bird, onlink, multipath weights, nhid, table and locked mtu', () => {
    const routes = parse('ip-route', ['ip', 'r'], 'ip-r-bird.txt').routes ?? [];
    const at = (dst: string) => routes.find((r) => r.dst === dst);
    expect(routes).toHaveLength(12);
    expect(at('default')).toMatchObject({ gateway: '10.20.0.1', dev: 'ens3', protocol: 'dhcp', prefsrc: '10.20.0.21', metric: 100 });
    expect(at('10.233.64.0/26')).toMatchObject({ type: 'blackhole', protocol: 'bird' });
    expect(at('10.233.64.0/26')?.dev).toBeUndefined();
    expect(at('10.233.64.7')).toMatchObject({ dev: 'cali3f9e0a1b2c4', scope: 'link' });
    expect(at('10.233.65.0/26')).toMatchObject({ gateway: '10.20.0.22', dev: 'tunl0', protocol: 'bird', flags: ['onlink'] });
    expect(at('10.233.70.0/24')).toMatchObject({ protocol: 'bird', metric: 32, gateway: '10.20.0.24', dev: 'ens3' });
    expect(at('10.233.70.0/24')?.source?.lines).toHaveLength(3);
    expect([at('10.250.0.0/16')?.type, at('10.250.0.0/16')?.metric, at('10.251.0.0/16')?.type, at('10.252.0.0/16')?.type]).toEqual(['unreachable', 40, 'prohibit', 'throw']);
    expect(at('192.0.2.128/25')).toMatchObject({ gateway: '10.20.0.30', dev: 'ens3', protocol: 'static', metric: 20 });
    expect(at('198.51.100.0/24')).toMatchObject({ table: '120', mtu: 1400, metric: 5 });
  });

  it('reads ip -6 r: pref, expires, an unreachable via lo and a multipath default', () => {
    const routes = parse('ip6-route', ['ip', '-6', 'r'], 'ip-6-r.txt').routes ?? [];
    expect(routes.every((r) => r.family === 'inet6')).toBe(true);
    expect(routes.find((r) => r.dst === '2001:db8:dead::/48')).toMatchObject({ type: 'unreachable', dev: 'lo', metric: 1024 });
    expect(routes.filter((r) => r.dst === 'default').map((r) => [r.gateway, r.dev, r.protocol, r.metric])).toEqual([
      ['fe80::5054:ff:fe01:2', 'ens3', 'ra', 100],
      ['fe80::a1', 'ens4', 'static', 2048],
    ]);
  });

  it('puts routes listed with "ip route show table 100" in table 100, which iproute2 does not print', () => {
    const routes = parse('ip-route', ['ip', 'route', 'show', 'table', '100'], 'ip-r-table.txt', { table: '100' }).routes ?? [];
    expect(routes.map((r) => [r.dst, r.table])).toEqual([
      ['default', '100'],
      ['10.30.8.0/22', '100'],
    ]);
    const main = parse('ip-route', ['ip', 'route', 'show', 'table', 'main'], 'ip-r-table.txt', { table: 'main' }).routes ?? [];
    expect(main.map((r) => r.table)).toEqual([undefined, undefined]);
  });
});

describe('neighbours', () => {
  it('reads every NUD state, the router flag and a proxy entry', () => {
    const neighbors = parse('ip-neigh', ['ip', 'neigh'], 'ip-neigh-states.txt').neighbors ?? [];
    expect(neighbors.map((n) => [n.dst, n.dev, n.lladdr, n.state.join(','), n.router ?? false])).toEqual([
      ['10.20.0.1', 'ens3', '52:54:00:aa:00:01', 'REACHABLE', false],
      ['10.20.0.22', 'ens3', '52:54:00:aa:00:16', 'STALE', false],
      ['10.20.0.23', 'ens3', '52:54:00:aa:00:17', 'DELAY', false],
      ['10.20.0.24', 'ens3', '52:54:00:aa:00:18', 'PROBE', false],
      ['10.20.0.61', 'ens3', undefined, 'FAILED', false],
      ['10.20.0.62', 'ens3', undefined, 'INCOMPLETE', false],
      ['10.233.66.0', 'vxlan.calico', '66:4e:18:0b:77:a2', 'PERMANENT', false],
      ['224.0.0.22', 'ens3', '01:00:5e:00:00:16', 'NOARP', false],
      ['2001:db8:51::1', 'ens3', '52:54:00:aa:00:01', 'REACHABLE', true],
      ['fe80::5054:ff:fe01:2', 'ens3', '52:54:00:01:00:02', 'STALE', true],
      ['2001:db8:51::99', 'ens3', undefined, 'FAILED', true],
      ['10.20.0.200', 'ens3', undefined, '', false],
    ]);
  });

  it('reads net-tools arp -n with the CM flags and an incomplete entry', () => {
    const neighbors = parse('arp', ['arp', '-n'], 'arp-n-net-tools.txt', { style: 'n' }).neighbors ?? [];
    expect(neighbors.map((n) => [n.dst, n.lladdr, n.state[0], n.dev])).toEqual([
      ['10.20.0.1', '52:54:00:aa:00:01', 'COMPLETE', 'ens3'],
      ['10.20.0.9', '52:54:00:aa:00:09', 'PERMANENT', 'ens3'],
      ['10.20.0.61', undefined, 'INCOMPLETE', 'ens3'],
    ]);
  });
});

describe('tc', () => {
  const filters = (file: string, dev: string, hook: string) => parse('tc-filter', ['tc', 'filter', 'show', 'dev', dev, hook], file, { dev, hook }).tcFilters ?? [];

  it('reads qdiscs: noqueue, mq with fq_codel children, clsact, ingress and pfifo_fast with -s lines', () => {
    const qdiscs = parse('tc-qdisc', ['tc', 'qdisc', 'show'], 'tc-qdisc-show.txt').qdiscs ?? [];
    expect(qdiscs.map((q) => [q.dev, q.kind, q.handle, q.parent])).toEqual([
      ['lo', 'noqueue', '0:', 'root'],
      ['ens3', 'mq', '0:', 'root'],
      ['ens3', 'fq_codel', '0:', ':2'],
      ['ens3', 'fq_codel', '0:', ':1'],
      ['ens3', 'clsact', 'ffff:', 'ffff:fff1'],
      ['cni0', 'noqueue', '0:', 'root'],
      ['eth0', 'ingress', 'ffff:', 'ffff:fff1'],
      ['eth9', 'pfifo_fast', '0:', 'root'],
    ]);
  });

  it('reads the kata u32 match-all redirect to the tap as one ingress filter', () => {
    expect(filters('tc-filter-u32-kata.txt', 'eth0', 'ingress')).toEqual([
      expect.objectContaining({ dev: 'eth0', hook: 'ingress', kind: 'u32', pref: 49152, actions: [{ kind: 'mirred', mirredAction: 'redirect', direction: 'egress', toDev: 'tap0_kata' }] }),
    ]);
  });

  it('reads u32 key nodes with match lines: a gact drop and an ingress mirror', () => {
    const found = filters('tc-filter-u32-match-4x.txt', 'ens3', 'ingress');
    expect(found.map((f) => f.actions)).toEqual([[{ kind: 'gact' }], [{ kind: 'mirred', mirredAction: 'mirror', direction: 'ingress', toDev: 'ifb-mon' }]]);
    expect(found[0].source?.lines).toContain('  match 000012b5/0000ffff at 20');
  });

  it('reads flower with tunnel_key set and a redirect to the OVS vxlan device', () => {
    const [flower] = filters('tc-filter-flower-tunnel-key.txt', 'lxc1', 'egress');
    expect(flower).toMatchObject({ kind: 'flower', hook: 'egress', protocol: 'ip', pref: 2 });
    expect(flower.actions).toEqual([{ kind: 'tunnel_key' }, { kind: 'mirred', mirredAction: 'redirect', direction: 'egress', toDev: 'vxlan_sys_4789' }]);
  });

  it('reads a matchall mirror', () => {
    expect(filters('tc-filter-matchall.txt', 'ens3', 'ingress')).toEqual([
      expect.objectContaining({ kind: 'matchall', hook: 'ingress', actions: [{ kind: 'mirred', mirredAction: 'mirror', direction: 'egress', toDev: 'span0' }] }),
    ]);
  });

  it('reads the bpf program name in the 4.x layout (flowid before the name) and the 6.x one (id, name, tag, jited)', () => {
    expect(filters('tc-filter-bpf-4x.txt', 'ens3', 'ingress').map((f) => f.bpfName)).toEqual(['bpf_netdev.o:[from-netdev]']);
    expect(filters('tc-filter-bpf-6x.txt', 'lxc9e1a0c2d77f4', 'ingress').map((f) => f.bpfName)).toEqual(['cil_from_container-lxc9e1a0c2d77f4']);
  });
});

describe('Open vSwitch text', () => {
  it('reads ovs-vsctl show of OVS 2.x: quoted names, Manager and Controller, tags, trunks, patch, vxlan, geneve, error', () => {
    const ovs = parse('ovs-show', ['ovs-vsctl', 'show'], 'ovs-vsctl-show-2x.txt').ovs;
    expect(ovs?.version).toBe('2.9.2');
    expect(ovs?.bridges?.map((b) => [b.name, b.failMode, b.datapathType, b.ports.length])).toEqual([
      ['br-int', 'secure', 'netdev', 7],
      ['br-ex', undefined, undefined, 2],
    ]);
    const iface = (name: string) => ovs?.interfaces?.find((i) => i.name === name);
    expect(ovs?.ports?.find((p) => p.name === 'tap5d21c0e9-4a')).toEqual({ name: 'tap5d21c0e9-4a', interfaces: ['tap5d21c0e9-4a'], tag: 7 });
    expect(ovs?.ports?.find((p) => p.name === 'uplink-bond')?.interfaces).toEqual(['ens4f0', 'ens4f1']);
    expect(iface('tapgone-71')?.error).toBe('could not open network device tapgone-71 (No such device)');
    expect(iface('patch-to-ex')).toMatchObject({ type: 'patch', options: { peer: 'patch-to-int' } });
    expect(iface('vxlan-0a140028')).toMatchObject({ type: 'vxlan', options: { remote_ip: '10.20.0.40', local_ip: '10.20.0.21', in_key: 'flow' } });
    expect(iface('ovn-7f31ac-0')).toMatchObject({ type: 'geneve', options: { csum: 'true', key: 'flow', remote_ip: '10.20.0.41' } });
    expect(iface('br-ex')?.type).toBe('internal');
  });

  it('reads ovs-vsctl list TABLE and ovn-nbctl list Logical_Switch_Port text into the model the -f json forms give', () => {
    const drop = <T extends { source?: unknown }>(items: T[] | undefined) => (items ?? []).map(({ source: _source, ...rest }) => rest);
    for (const table of ['Open_vSwitch', 'Bridge', 'Port', 'Interface']) {
      const id = `ovs-${table.toLowerCase().replace('_', '-')}` as CommandId;
      const json = parseRecord(recordOf(id, ['ovs-vsctl', '-f', 'json', 'list', table], fixture(`ovs/list-${table}.json`)));
      const text = parse(id, ['ovs-vsctl', 'list', table], `ovs-vsctl-list-${table}.txt`).ovs;
      expect(json?.problems).toEqual([]);
      const { interfaces, ...rest } = text ?? {};
      const { interfaces: jsonInterfaces, ...jsonRest } = json?.state.ovs ?? {};
      expect(rest).toEqual(jsonRest);
      expect(drop(interfaces)).toEqual(drop(jsonInterfaces));
    }
    const lsp = parse('ovn-lsp', ['ovn-nbctl', 'list', 'Logical_Switch_Port'], 'ovn-nbctl-list-Logical_Switch_Port.txt').ovnLogicalPorts;
    const lspJson = parseRecord(recordOf('ovn-lsp', ['ovn-nbctl', '-f', 'json', 'list', 'Logical_Switch_Port'], fixture('ovs/ovn-list-Logical_Switch_Port.json')))?.state.ovnLogicalPorts;
    expect(drop(lsp)).toEqual(drop(lspJson));
    expect(lsp?.find((p) => p.name === 'default_pod-9')).toMatchObject({ addresses: ['0a:58:0a:84:02:09 10.132.2.9'], portSecurity: ['0a:58:0a:84:02:09 10.132.2.9'] });
  });

  it('quotes the text rows of ovs-vsctl list as the source of an interface', () => {
    const ifaces = parse('ovs-interface', ['ovs-vsctl', 'list', 'Interface'], 'ovs-vsctl-list-Interface.txt').ovs?.interfaces ?? [];
    const failed = ifaces.find((i) => i.ofport === -1);
    expect(failed).toMatchObject({ name: 'veth-pod9', error: 'could not open network device veth-pod9 (No such device)', externalIds: { 'iface-id': 'default_pod-9' } });
    expect(failed?.source?.lines).toContain('ofport              : -1');
  });

  it('reads ovs-ofctl dump-ports with OpenFlow 1.4 histogram and custom counters', () => {
    const stats = parse('ovs-ofctl-dump-ports', ['ovs-ofctl', 'dump-ports', 'br-int'], 'ovs-ofctl-dump-ports-of14.txt', { bridge: 'br-int' }).ovs?.portStats ?? [];
    expect(stats.map((s) => [s.port, s.rxPackets, s.txPackets, s.txDropped])).toEqual([
      ['LOCAL', 12, 0, 5],
      ['vxlan-0a140028', 40211, 39876, undefined],
      ['7', 1502, 1611, 17],
    ]);
    expect(stats[2].source?.lines).toHaveLength(9);
  });
});

describe('iptables and bridge fdb', () => {
  it('reads iptables-save -c: counters are not part of the rule', () => {
    const rules = parse('iptables-tables', ['iptables-save', '-c'], 'iptables-save-counters.txt').firewall ?? [];
    expect(rules.map((r) => [r.table, r.chain, r.target?.name])).toEqual([
      ['nat', 'POSTROUTING', 'FLANNEL-POSTRTG'],
      ['nat', 'FLANNEL-POSTRTG', 'MASQUERADE'],
      ['filter', 'INPUT', 'ACCEPT'],
      ['filter', 'FORWARD', 'ACCEPT'],
      ['filter', 'KUBE-SERVICES', 'REJECT'],
      ['filter', 'INPUT', 'DROP'],
    ]);
    expect(rules[3]).toMatchObject({ rule: '-A FORWARD ! -i cni0 -o cni0 -j ACCEPT', matches: { inInterface: { name: 'cni0', negated: true }, outInterface: { name: 'cni0' } } });
    expect(rules[5]).toMatchObject({ rule: '-A INPUT -p udp -m udp --dport 4789 -j DROP', matches: { protocol: { value: 'udp' } } });
    expect(rules[5].source?.lines).toEqual(['[2:120] -A INPUT -p udp -m udp --dport 4789 -j DROP']);
  });

  it('reads iptables -S and -v -S: comments, negations, REJECT with its reason', () => {
    const rules = parse('iptables-rules', ['iptables', '-S'], 'iptables-S.txt').firewall ?? [];
    expect(rules.map((r) => [r.chain, r.target?.name, r.matches.protocol?.value, r.matches.outInterface])).toEqual([
      ['INPUT', 'KUBE-FIREWALL', undefined, undefined],
      ['FORWARD', 'ACCEPT', undefined, { name: 'cni0', negated: true }],
      ['FORWARD', 'DROP', 'udp', { name: 'vxlan.calico' }],
      ['KUBE-FIREWALL', 'DROP', undefined, undefined],
      ['KUBE-SERVICES', 'REJECT', 'tcp', undefined],
    ]);
    const verbose = parseRecord(recordOf('iptables-rules', ['iptables', '-v', '-S'], '-A INPUT -i lo -c 12 720 -j ACCEPT\n'));
    expect(verbose?.state.firewall?.[0]).toMatchObject({ rule: '-A INPUT -i lo -j ACCEPT', target: { name: 'ACCEPT' }, matches: { inInterface: { name: 'lo' } } });
  });

  it('reads bridge fdb show: self and master entries, vlan, extern_learn, VTEP dst, vni and port', () => {
    const fdb = parse('bridge-fdb', ['bridge', 'fdb', 'show'], 'bridge-fdb-show.txt').fdb ?? [];
    expect(fdb).toHaveLength(10);
    expect(fdb[2]).toMatchObject({ mac: '0a:58:0a:e9:40:07', dev: 'vethc41d07aa', master: 'kube-br0', flags: [] });
    expect(fdb[5]).toMatchObject({ dev: 'vxlan.calico', dst: '10.20.0.22', state: 'permanent', flags: ['self'] });
    expect(fdb[6]).toMatchObject({ mac: '00:00:00:00:00:00', dst: '192.0.2.61' });
    expect(fdb[7]).toMatchObject({ master: 'br-evpn', flags: ['extern_learn'] });
    expect(fdb[8]).toMatchObject({ dst: '192.0.2.62', flags: ['self', 'extern_learn'] });
    expect(fdb[9]).toMatchObject({ dst: '192.0.2.63', port: 4790, vni: 6006, flags: ['self'] });
  });
});

describe('a pasted transcript from three hosts', () => {
  const { hosts, problems } = parseTranscript(fixture('public/transcript-hosts.txt'), { collectedAt: '2026-11-25T08:00:00.000Z' });
  const states = hosts.map(parseHost);
  const host = (name: string): HostState => {
    const found = states.find((h) => h.name === name);
    if (!found) throw new Error(`no host ${name}`);
    return found;
  };
  const ns = (name: string, netns: string | null): NamespaceState => {
    const found = host(name).namespaces.find((n) => n.netns === netns);
    if (!found) throw new Error(`no namespace ${netns} on ${name}`);
    return found;
  };
  const POD_NS = 'cni-5e0c4b1d-27aa-4c3e-9f61-0d2b7c8e4a13';

  it('attributes every command to the host of its prompt, without problems', () => {
    expect(problems).toEqual([]);
    expect(hosts.map((h) => h.name)).toEqual(['wk-3', 'podvm-7a1', 'edge-9']);
    expect(states.flatMap((h) => h.problems)).toEqual([]);
  });

  it('re-joins the wrapped vxlan line before parsing it', () => {
    expect(named(ns('wk-3', null).interfaces, 'vxlan.calico').vxlan).toEqual({ vni: 4096, local: '10.20.0.21', dev: 'ens3', port: 4789, learning: false });
  });

  it('puts ip netns exec and ip -n output into the pod namespace, the rest into the root one', () => {
    const pod = ns('wk-3', POD_NS);
    expect(named(pod.interfaces, 'eth0')).toMatchObject({ linkIndex: 9, linkNetnsId: 0, addresses: [expect.objectContaining({ local: '10.233.64.7', prefixlen: 24 })] });
    expect(pod.routes.map((r) => [r.dst, r.gateway])).toEqual([
      ['default', '10.233.64.1'],
      ['10.233.64.0/24', undefined],
    ]);
    expect(ns('wk-3', null).routes.map((r) => r.dst)).toEqual(['default', '10.233.64.0/26', '10.233.65.0/26']);
    expect(named(ns('wk-3', null).interfaces, 'vethc41d07aa').linkNetns).toBe(POD_NS);
  });

  it('treats [snip] as a cut: the route table is not complete', () => {
    expect(ns('wk-3', null).collected).not.toContain('ip-route');
    expect(ns('wk-3', null).collected).toContain('ip-link');
  });

  it('reads OVS on the worker and tc, neighbours and raw iptables on the pod VM', () => {
    expect(host('wk-3').ovs?.interfaces).toEqual([expect.objectContaining({ name: 'tapgone-71', error: expect.stringContaining('No such device') })]);
    expect(ns('podvm-7a1', null).tcFilters).toEqual([expect.objectContaining({ dev: 'eth0', hook: 'ingress', actions: [expect.objectContaining({ toDev: 'tap0_kata' })] })]);
    expect(ns('podvm-7a1', 'podns').neighbors.map((n) => [n.dst, n.state[0]])).toEqual([
      ['10.233.80.1', 'REACHABLE'],
      ['10.233.80.9', 'FAILED'],
    ]);
    expect(ns('podvm-7a1', null).firewall).toEqual([
      expect.objectContaining({ table: 'raw', chain: 'PREROUTING', target: expect.objectContaining({ name: 'NOTRACK' }), matches: expect.objectContaining({ protocol: { value: 'udp' } }) }),
    ]);
  });

  it('reads a Flatcar prompt (user@host ~ $) and takes the fdb device from the command line', () => {
    expect(ns('edge-9', null).fdb).toEqual([expect.objectContaining({ mac: '4e:21:0a:7c:19:e2', dev: 'flannel.1', dst: '10.20.0.21', state: 'permanent', flags: ['self'] })]);
  });
});

describe('ip addr copied from below its index, with a value set in bold (a Kube-OVN report)', () => {
  const pasted = [
    '```',
    'eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu **8900** qdisc mq state UP group default qlen 1000',
    '    link/ether 02:00:00:b4:af:16 brd ff:ff:ff:ff:ff:ff',
    '    inet 10.67.89.2/24 metric 100 brd 10.67.89.255 scope global dynamic eth0',
    '       valid_lft 86293150sec preferred_lft 86293150sec',
    '2: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000',
    '    link/ether 02:00:00:b4:af:17 brd ff:ff:ff:ff:ff:ff',
    'pod-1: this line is prose',
    '```',
  ].join('\n');

  it('reads the device without its index, its MTU without the bold, and the next device as usual', () => {
    const { hosts, problems } = parseTranscript(pasted, { defaultHost: 'node-1' });
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/read as `ip addr show` from its shape/));
    const state = parseHost(hosts[0]);
    const ifaces = state.namespaces[0]?.interfaces ?? [];
    expect(ifaces.map((i) => [i.name, i.ifindex, i.mtu, i.mac])).toEqual([
      ['eth0', 0, 8900, '02:00:00:b4:af:16'],
      ['eth1', 2, 1500, '02:00:00:b4:af:17'],
    ]);
    expect(named(ifaces, 'eth0').addresses.map((a) => a.local)).toEqual(['10.67.89.2']);
  });
});
