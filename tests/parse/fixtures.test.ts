import { describe, expect, it } from 'vitest';
import type { Interface } from '@/lib/parse/types';
import { parseRecord } from '@/lib/parse';
import { fixture, recordOf } from './fixture';

function parse(...args: Parameters<typeof recordOf>) {
  const result = parseRecord(recordOf(...args));
  if (!result) throw new Error('no parser output');
  return result;
}

function named(ifaces: Interface[] | undefined, name: string): Interface {
  const found = ifaces?.find((i) => i.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('older iproute2 text layouts', () => {
  const { state, problems } = parse('ip-link', ['ip', '-d', 'link', 'show'], fixture('iproute2-4x/ip-d-link-show.txt'));

  it('reads every device block without problems', () => {
    expect(problems).toEqual([]);
    expect(state.interfaces?.map((i) => i.name)).toEqual(['lo', 'eth0', 'flannel.1', 'cni0', 'veth1a2b3c4d', 'vethdead', 'ovs-system', 'vxlan_sys_4789']);
  });

  it('reads a flannel VTEP: VNI, local, underlay device, port 8472 and nolearning', () => {
    expect(named(state.interfaces, 'flannel.1').vxlan).toEqual({ vni: 42, local: '10.0.0.11', dev: 'eth0', port: 8472, learning: false });
  });

  it('reads a veth in a bridge whose peer sits in the namespace with nsid 0 (link-netnsid, no names)', () => {
    expect(named(state.interfaces, 'veth1a2b3c4d')).toMatchObject({
      kind: 'veth',
      linkIndex: 3,
      linkNetnsId: 0,
      master: 'cni0',
      slaveKind: 'bridge',
      bridgePortState: 'forwarding',
    });
    expect(named(state.interfaces, 'veth1a2b3c4d').link).toBeUndefined();
  });

  it('marks a veth whose peer is gone (@NONE) with link null and no carrier', () => {
    const dead = named(state.interfaces, 'vethdead');
    expect(dead.link).toBeNull();
    expect(dead).toMatchObject({ up: true, lowerUp: false, operstate: 'LOWERLAYERDOWN', bridgePortState: 'disabled' });
  });

  it('reads the OVS datapath device and an external (collect-metadata) vxlan enslaved to it', () => {
    expect(named(state.interfaces, 'ovs-system').kind).toBe('openvswitch');
    expect(named(state.interfaces, 'vxlan_sys_4789')).toMatchObject({
      kind: 'vxlan',
      slaveKind: 'openvswitch',
      master: 'ovs-system',
      vxlan: { external: true, port: 4789, vni: 0 },
    });
  });

  it('reads ip a addresses without brd, with brd and dynamic, and point-to-point peers', () => {
    const addr = parse('ip-addr', ['ip', 'a'], fixture('iproute2-4x/ip-a.txt'));
    expect(addr.problems).toEqual([]);
    expect(named(addr.state.interfaces, 'cni0').addresses[0]).toEqual({ family: 'inet', local: '10.244.1.1', prefixlen: 24, scope: 'global' });
    expect(named(addr.state.interfaces, 'eth0').addresses[0]).toMatchObject({ local: '10.0.0.11', prefixlen: 24 });
    expect(named(addr.state.interfaces, 'tun0').mac).toBeUndefined();
    expect(named(addr.state.interfaces, 'tun0')).toMatchObject({
      addresses: [{ family: 'inet', local: '10.8.0.1', peer: '10.8.0.2', prefixlen: 32, scope: 'global' }],
    });
    expect(named(addr.state.interfaces, 'lo').kind).toBe('loopback');
  });
});

describe('ip r, ip neigh, arp', () => {
  it('reads default, kernel, onlink, linkdown, blackhole and multipath routes', () => {
    const { state, problems } = parse('ip-route', ['ip', 'r'], fixture('text/ip-r.txt'));
    expect(problems).toEqual([]);
    const r = state.routes ?? [];
    expect(r[0]).toMatchObject({ dst: 'default', gateway: '10.0.0.1', dev: 'eth0', protocol: 'dhcp', metric: 100, family: 'inet' });
    expect(r[2]).toMatchObject({ dst: '10.132.2.0/23', dev: 'ovn-k8s-mp0', scope: 'link', prefsrc: '10.132.2.2' });
    expect(r[3].flags).toEqual(['onlink']);
    expect(r[4].flags).toEqual(['linkdown']);
    expect(r[5]).toMatchObject({ type: 'blackhole', dst: '10.244.9.0/24' });
    expect(r[6]).toMatchObject({ dst: '10.96.0.0/12', gateway: '10.0.0.21', dev: 'eth0' });
    expect(r[6].source?.lines).toHaveLength(3);
  });

  it('reads neighbour states FAILED, INCOMPLETE, PERMANENT and the router flag', () => {
    const { state, problems } = parse('ip-neigh', ['ip', 'neigh'], fixture('text/ip-neigh.txt'));
    expect(problems).toEqual([]);
    expect(state.neighbors?.map((n) => [n.dst, n.lladdr, n.state.join(','), n.router ?? false])).toEqual([
      ['10.132.2.46', '0a:58:0a:84:02:2e', 'REACHABLE', false],
      ['10.132.2.47', undefined, 'FAILED', false],
      ['10.0.0.99', undefined, 'INCOMPLETE', false],
      ['10.132.2.1', '0a:58:0a:84:02:01', 'PERMANENT', false],
      ['fe80::1', '52:54:00:00:00:01', 'STALE', true],
    ]);
  });

  it('reads arp -n and arp -a into the same neighbours model', () => {
    const n = parse('arp', ['arp', '-n'], fixture('text/arp-n.txt'));
    const a = parse('arp', ['arp', '-a'], fixture('text/arp-a.txt'));
    expect(n.problems).toEqual([]);
    expect(a.problems).toEqual([]);
    expect(n.state.neighbors?.map((x) => [x.dst, x.dev, x.lladdr, x.state[0]])).toEqual([
      ['10.0.0.1', 'eth0', '52:54:00:00:00:01', 'COMPLETE'],
      ['10.132.2.1', 'ovn-k8s-mp0', '0a:58:0a:84:02:01', 'PERMANENT'],
      ['10.0.0.99', 'eth0', undefined, 'INCOMPLETE'],
    ]);
    expect(a.state.neighbors?.map((x) => [x.dst, x.lladdr, x.state[0]])).toEqual([
      ['10.0.0.1', '52:54:00:00:00:01', 'COMPLETE'],
      ['10.0.0.254', '52:54:00:00:00:fe', 'PERMANENT'],
      ['10.0.0.99', undefined, 'INCOMPLETE'],
    ]);
  });
});

describe('tc filter text', () => {
  it('reads an old u32 match-all with its mirred redirect as one filter quoting the action line', () => {
    const { state, problems } = parse('tc-filter', ['tc', 'filter', 'show', 'dev', 'eth0', 'ingress'], fixture('text/tc-filter-u32-old.txt'));
    expect(problems).toEqual([]);
    expect(state.tcFilters).toHaveLength(1);
    expect(state.tcFilters?.[0]).toMatchObject({
      dev: 'eth0',
      hook: 'ingress',
      kind: 'u32',
      pref: 49152,
      actions: [{ kind: 'mirred', mirredAction: 'redirect', direction: 'egress', toDev: 'vxlan1' }],
    });
    expect(state.tcFilters?.[0].source?.lines).toContain('\taction order 1: mirred (Egress Redirect to device vxlan1) stolen');
  });

  it('reads a Cilium bpf filter name in direct-action mode', () => {
    const { state } = parse('tc-filter', ['tc', 'filter', 'show', 'dev', 'lxc12ab', 'ingress'], fixture('text/tc-filter-bpf.txt'));
    expect(state.tcFilters).toEqual([expect.objectContaining({ dev: 'lxc12ab', kind: 'bpf', bpfName: 'bpf_lxc.o:[from-container]', actions: [] })]);
  });
});

describe('Open vSwitch', () => {
  const list = (table: string) => fixture(`ovs/list-${table}.json`);

  it('reads Interface rows: ofport -1 with its error, iface-id, options, mac_in_use and ofport not yet assigned', () => {
    const { state, problems } = parse('ovs-interface', ['ovs-vsctl', '-f', 'json', 'list', 'Interface'], list('Interface'));
    expect(problems).toEqual([]);
    const ifs = state.ovs?.interfaces ?? [];
    expect(ifs.find((i) => i.name === 'veth-pod9')).toMatchObject({
      ofport: -1,
      error: 'could not open network device veth-pod9 (No such device)',
      externalIds: { 'iface-id': 'default_pod-9', attached_mac: '0a:58:0a:84:02:09' },
    });
    expect(ifs.find((i) => i.name === 'mp0')).toMatchObject({ type: 'internal', ofport: 2, macInUse: '0a:58:0a:84:02:02', mtu: 1400, linkState: 'up' });
    expect(ifs.find((i) => i.name === 'ovn-w2-0')).toMatchObject({
      type: 'geneve',
      ofport: null,
      options: { remote_ip: '192.0.2.8', csum: 'true', key: 'flow' },
    });
    expect(ifs.find((i) => i.name === 'mp0')?.error).toBeUndefined();
  });

  it('reads Bridge, Port and Open_vSwitch rows and links bridges to port uuids', () => {
    const bridges = parse('ovs-bridge', ['ovs-vsctl', '-f', 'json', 'list', 'Bridge'], list('Bridge')).state.ovs?.bridges ?? [];
    const ports = parse('ovs-port', ['ovs-vsctl', '-f', 'json', 'list', 'Port'], list('Port')).state.ovs?.ports ?? [];
    const root = parse('ovs-open-vswitch', ['ovs-vsctl', '-f', 'json', 'list', 'Open_vSwitch'], list('Open_vSwitch')).state.ovs;
    expect(bridges).toEqual([expect.objectContaining({ name: 'br-int', failMode: 'secure', datapathType: 'netdev' })]);
    expect(new Set(bridges[0].ports)).toEqual(new Set(ports.map((p) => p.uuid)));
    expect(ports.find((p) => p.name === 'vlan10')?.tag).toBe(10);
    expect(root?.externalIds).toMatchObject({ 'system-id': 'worker-7-sysid', 'ovn-encap-ip': '192.0.2.7' });
    // the private database had no vswitchd to write ovs_version
    expect(root?.version).toBeUndefined();
  });

  it('reads ovs-vsctl show into the same bridges, ports and interface errors as the JSON tables', () => {
    const { state, problems } = parse('ovs-show', ['ovs-vsctl', 'show'], fixture('ovs/show.txt'));
    expect(problems).toEqual([]);
    const json = parse('ovs-interface', ['ovs-vsctl', '-f', 'json', 'list', 'Interface'], list('Interface')).state.ovs?.interfaces ?? [];
    const fromShow = state.ovs?.interfaces ?? [];
    const shape = (i: { name: string; type: string; error?: string; options: Record<string, string> }) => [i.name, i.type, i.error, i.options];
    expect(fromShow.map(shape).sort()).toEqual(json.map(shape).sort());
    expect(state.ovs?.bridges?.[0]).toMatchObject({ name: 'br-int', failMode: 'secure', datapathType: 'netdev' });
    expect(state.ovs?.ports?.find((p) => p.name === 'vlan10')).toMatchObject({ tag: 10, interfaces: ['vlan10'] });
  });

  it('reads ovs-ofctl dump-ports counters per port, unknown counters left out', () => {
    const { state, problems } = parse('ovs-ofctl-dump-ports', ['ovs-ofctl', 'dump-ports', 'br-int'], fixture('text/ovs-ofctl-dump-ports.txt'));
    expect(problems).toEqual([]);
    expect(state.ovs?.portStats?.map(({ source: _s, ...rest }) => rest)).toEqual([
      { bridge: 'br-int', port: 'LOCAL', rxPackets: 0, rxBytes: 0, rxDropped: 0, rxErrors: 0, txPackets: 0, txBytes: 0, txDropped: 12, txErrors: 0 },
      { bridge: 'br-int', port: '1', rxPackets: 1043, rxBytes: 98123, rxDropped: 0, rxErrors: 0, txPackets: 987, txBytes: 91234 },
    ]);
  });

  it('reads OVN logical switch ports with addresses, port security and type', () => {
    const { state, problems } = parse('ovn-lsp', ['ovn-nbctl', '-f', 'json', 'list', 'Logical_Switch_Port'], fixture('ovs/ovn-list-Logical_Switch_Port.json'));
    expect(problems).toEqual([]);
    const pod = state.ovnLogicalPorts?.find((p) => p.name === 'default_pod-9');
    expect(pod).toMatchObject({ addresses: ['0a:58:0a:84:02:09 10.132.2.9'], portSecurity: ['0a:58:0a:84:02:09 10.132.2.9'] });
    expect(state.ovnLogicalPorts?.find((p) => p.name === 'stor-worker-7')).toMatchObject({ type: 'router', addresses: ['router'] });
  });
});

describe('firewall, sysctl, bpftool, conntrack, peer-pod config', () => {
  it('reads iptables-save rules with table, chain, target, negated input interface and quoted comments', () => {
    const { state, problems } = parse('iptables-raw', ['iptables-save', '-t', 'raw'], fixture('text/iptables-save-raw.txt'));
    expect(problems).toEqual([]);
    expect(state.firewall).toHaveLength(4);
    expect(state.firewall?.[2]).toMatchObject({ table: 'raw', chain: 'peerpod-OUTPUT', target: { name: 'NOTRACK' }, matches: { protocol: { value: 'udp' } } });
    expect(state.firewall?.[2].rule).toContain('"peerpod [vni:555005]"');
    expect(state.firewall?.[3].matches.inInterface).toEqual({ name: 'eth0', negated: true });
  });

  it('reads iptables -S with the table from the command line', () => {
    const out = '-P INPUT ACCEPT\n-N CALICO-INPUT\n-A INPUT -i eth0 -p udp -m udp --dport 4789 -j DROP\n';
    const { state } = parse('iptables-rules', ['iptables', '-t', 'filter', '-S'], out);
    expect(state.firewall).toEqual([
      expect.objectContaining({
        table: 'filter',
        chain: 'INPUT',
        matches: expect.objectContaining({ inInterface: { name: 'eth0' }, protocol: { value: 'udp' } }),
        target: expect.objectContaining({ name: 'DROP' }),
      }),
    ]);
  });

  it('reads sysctl key = value lines', () => {
    const { state } = parse('sysctl', ['sysctl', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'], 'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.rp_filter = 1\n');
    expect(state.sysctls).toEqual({ 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.rp_filter': '1' });
  });

  it('reads bpftool net show attachments in JSON and text', () => {
    const json = '[{"xdp":[],"tc":[{"devname":"eth0","ifindex":2,"kind":"tcx/ingress","name":"cil_from_netdev","prog_id":812}],"flow_dissector":[]}]';
    const text = 'xdp:\n\ntc:\neth0(2) tcx/ingress cil_from_netdev prog_id 812 link_id 4 \n\nflow_dissector:\n';
    const expected = [{ dev: 'eth0', hook: 'tcx/ingress', name: 'cil_from_netdev', id: 812 }];
    expect(parse('bpftool-net', ['bpftool', '-j', 'net', 'show'], json).state.bpf).toEqual(expected);
    expect(parse('bpftool-net', ['bpftool', 'net', 'show'], text).state.bpf).toEqual(expected);
  });

  it('sums conntrack -S counters over CPUs', () => {
    const out =
      'cpu=0   \tfound=0 invalid=3 insert=0 insert_failed=1 drop=1 early_drop=0 error=0 search_restart=0 \ncpu=1   \tfound=2 invalid=4 insert=0 insert_failed=0 drop=5 early_drop=0 error=0 search_restart=1 \n';
    expect(parse('conntrack-stats', ['conntrack', '-S'], out).state.conntrackStats).toMatchObject({ invalid: 7, insert_failed: 1, drop: 6, found: 2 });
  });

  it('keeps the peer-pod network config as an object', () => {
    const out = '{"podip":"10.132.2.46/23","pod-hw-addr":"0a:58:0a:84:02:2e","interface":"eth0","worker-node-ip":"192.168.10.163/24","tunnel-type":"vxlan","vxlan-port":4789,"vxlan-id":555005}';
    expect(parse('peerpod-config', ['cat', '/run/peerpod/podnetwork.json'], out).state.peerpodConfig).toMatchObject({
      'pod-hw-addr': '0a:58:0a:84:02:2e',
      'vxlan-id': 555005,
    });
  });
});
