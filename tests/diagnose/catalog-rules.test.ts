/**
 * Rules for the fault catalog entries that read data the collector already gathers: peer-pod propagation, port
 * and conntrack checks, OVN-Kubernetes node configuration, Cilium BPF attachment and conntrack counters. Each
 * fault is one change to a healthy fixture; names, addresses and VNIs differ from the lab where noted.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, RULES } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import type { CommandId } from '@/lib/capture/types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { edgeId, hostId, ifaceId, ovsBridgeId } from '@/lib/topology/ids';
import { bpfFilter, iptables, link, neigh, ovsInterface, route, run, topo } from './builders';
import { cilium, flannel, HEALTHY, ovnKernel, peerPodOvnNetdev } from './fixtures';
import { OTHER_PEERPOD, peerPodHosts } from '../fixtures/topology/ovn-peerpod';
import { addr } from '../fixtures/topology/builders';

function serious(id: string, hosts: HostState[]): Finding[] {
  return run(id, hosts).filter((f) => f.severity !== 'info');
}

function hostOf(hosts: HostState[], name: string): HostState {
  const found = hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name}`);
  return found;
}

function nsOf(hosts: HostState[], host: string, netns: string | null): NamespaceState {
  const found = hostOf(hosts, host).namespaces.find((n) => n.netns === netns);
  if (!found) throw new Error(`no ${host}/${netns ?? '-'}`);
  return found;
}

/** What a full collector run records in every namespace (host-scoped commands included, as in the root namespace). */
const EVERYTHING: CommandId[] = [
  'ip-link',
  'ip-addr',
  'ip-route',
  'ip6-route',
  'ip-neigh',
  'netns-list-id',
  'tc-qdisc',
  'tc-filter',
  'bridge-fdb',
  'iptables-raw',
  'iptables-filter',
  'sysctl',
  'bpftool-net',
  'conntrack-stats',
];

function collectedEverywhere(hosts: HostState[], commands: CommandId[] = EVERYTHING): HostState[] {
  for (const h of hosts) for (const n of h.namespaces) n.collected = [...commands];
  return hosts;
}

/** The peer pod with nothing in common with the lab: edge-worker-07 / vm-7f3a, tun-w ⇄ tun-v, VNI 7001, UDP 4790. */
const O = OTHER_PEERPOD;
const O_POD = ifaceId(O.worker, O.podNs, 'eth0');
const O_WTUN = ifaceId(O.worker, O.podNs, O.workerTunnel);
const O_VTUN = ifaceId(O.podvm, O.podvmNs, O.podvmTunnel);
const O_EDGE = edgeId('tunnel', O_WTUN, O_VTUN);

function otherPeerPod(): HostState[] {
  return collectedEverywhere(peerPodHosts({ ...O, vmPodMac: O.podMac }));
}

describe('catalog rules on healthy shapes', () => {
  const added = [
    'peerpod-vxlan-port-conflict',
    'peerpod-routes-not-propagated',
    'peerpod-permanent-neigh-not-propagated',
    'peerpod-ipv6-not-propagated',
    'peerpod-leftover-ppvxlan',
    'peerpod-vxlan-conntrack-tracked',
    'ovnk-duplicate-iface-id',
    'ovnk-geneve-mtu-mismatch',
    'ovnk-br-ex-misconfigured',
    'ovnk-encap-ip-mismatch',
    'ovn-duplicate-system-id',
    'ovs-ovn-version-skew',
    'cilium-lxc-bpf-missing',
    'cilium-host-datapath-broken',
    'cni0-bridge-address-conflict',
    'conntrack-table-full',
  ];

  it('registers every new rule once', () => {
    for (const id of added) expect(RULES.filter((r) => r.id === id)).toHaveLength(1);
  });

  for (const [name, make] of Object.entries(HEALTHY)) {
    it(`reports nothing on the healthy ${name} shape even when every command is marked as collected`, () => {
      const hosts = collectedEverywhere(make());
      const findings = added.flatMap((id) => run(id, hosts));
      expect(findings.map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
    });
  }

  it('reports nothing serious on the healthy non-lab peer pod with every command collected', () => {
    const all = diagnose(topo(otherPeerPod())).findings.filter((f) => f.severity !== 'info');
    expect(all.map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
  });
});

describe('peerpod-vxlan-port-conflict', () => {
  function withRootVxlan(hosts: HostState[], host: string, spec: Parameters<typeof link>[0]): HostState[] {
    nsOf(hosts, host, null).interfaces.push(link(spec));
    return hosts;
  }

  it('flags a collect-metadata vxlan on the peer-pod port and blames the tunnel left down', () => {
    const hosts = withRootVxlan(otherPeerPod(), O.worker, {
      ifindex: 41,
      name: 'vxlan_sys_4790',
      kind: 'vxlan',
      mac: '5a:0e:41:7c:22:90',
      mtu: 65000,
      operstate: 'UNKNOWN',
      master: 'ovs-system',
      slaveKind: 'openvswitch',
      vxlan: { external: true, port: 4790 },
    });
    const tun = nsOf(hosts, O.worker, O.podNs).interfaces.find((i) => i.name === O.workerTunnel);
    if (!tun) throw new Error('no tunnel');
    tun.up = false;
    tun.flags = ['BROADCAST', 'MULTICAST'];
    const [f, ...rest] = run('peerpod-vxlan-port-conflict', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('critical');
    expect(f?.elements).toEqual([ifaceId(O.worker, null, 'vxlan_sys_4790'), O_WTUN]);
    expect(f?.title).toContain('UDP port 4790');
    expect(f?.explanation).toContain('tun-w could not be brought up');
    expect(f?.evidence.map((e) => e.lines.join())).toEqual([expect.stringContaining('"external":true'), expect.stringContaining('tun-w: <BROADCAST,MULTICAST>')]);
    expect(f?.fix?.[0]).toBe(`kubectl -n confidential-containers-system patch configmap peer-pods-cm --type merge -p '{"data":{"VXLAN_PORT":"4789"}}'`);
  });

  it('flags cilium_vxlan on 8472 when the lab peer pod also uses 8472, and suggests the free port 4789', () => {
    const hosts = peerPodOvnNetdev({
      links: {
        'worker/lv-wpod/vxlan1': { vxlan: { vni: 555005, remote: '192.168.10.201', port: 8472 } },
        'podvm/lv-vmpod/vxlan0': { vxlan: { vni: 555005, remote: '192.168.10.163', port: 8472 } },
      },
    });
    withRootVxlan(hosts, 'worker', {
      ifindex: 30,
      name: 'cilium_vxlan',
      kind: 'vxlan',
      mac: '9e:44:01:2b:c3:11',
      operstate: 'UNKNOWN',
      vxlan: { external: true, port: 8472 },
    });
    const [f] = run('peerpod-vxlan-port-conflict', hosts);
    expect(f?.elements).toEqual([ifaceId('worker', null, 'cilium_vxlan'), ifaceId('worker', 'lv-wpod', 'vxlan1')]);
    expect(f?.explanation).toContain('whichever device is set up next');
    expect(f?.fix?.[0]).toContain('"VXLAN_PORT":"4789"');
  });

  it('accepts flannel.1 on the same port with another VNI, and flags it with the same VNI', () => {
    const spec = {
      ifindex: 31,
      name: 'flannel.1',
      kind: 'vxlan',
      mac: 'c2:7d:4e:90:1a:07',
      mtu: 1450,
      operstate: 'UNKNOWN',
      addrs: ['10.244.3.0/32'],
      vxlan: { vni: 1, local: '172.20.5.10', dev: O.uplink, port: 4790 },
    };
    expect(run('peerpod-vxlan-port-conflict', withRootVxlan(otherPeerPod(), O.worker, spec))).toEqual([]);
    const clash = run('peerpod-vxlan-port-conflict', withRootVxlan(otherPeerPod(), O.worker, { ...spec, vxlan: { ...spec.vxlan, vni: 7001 } }));
    expect(clash.map((f) => f.elements)).toEqual([[ifaceId(O.worker, null, 'flannel.1'), O_WTUN]]);
    expect(clash[0]?.explanation).toContain('same VNI 7001');
  });
});

describe('peerpod-routes-not-propagated', () => {
  it('flags the service route the pod VM lacks and prints the route command for its tunnel device', () => {
    const hosts = otherPeerPod();
    nsOf(hosts, O.worker, O.podNs).routes.push(route({ dst: '10.96.0.0/12', via: O.podGw, dev: 'eth0' }));
    const [f, ...rest] = run('peerpod-routes-not-propagated', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.elements).toEqual([O_VTUN, O_POD, O_EDGE]);
    expect(f?.title).toContain('10.96.0.0/12 via 10.200.4.1');
    expect(f?.fix?.[0]).toBe('ip netns exec pod-net ip route replace 10.96.0.0/12 via 10.200.4.1 dev tun-v');
    expect(f?.evidence[0]).toMatchObject({ host: O.worker, netns: O.podNs, command: 'ip -j route show table all' });
    expect(f?.evidence[0]?.lines).toEqual(['{"dst":"10.96.0.0/12","gateway":"10.200.4.1","dev":"eth0","flags":[]}']);
  });

  it('adds the Calico link-scope gateway route before the default route that needs it', () => {
    const hosts = otherPeerPod();
    const pod = nsOf(hosts, O.worker, O.podNs);
    pod.routes = [route({ dst: 'default', via: '169.254.1.1', dev: 'eth0' }), route({ dst: '169.254.1.1', dev: 'eth0', scope: 'link' })];
    nsOf(hosts, O.podvm, O.podvmNs).routes = [route({ dst: '10.200.4.9', dev: O.podvmTunnel, protocol: 'kernel', scope: 'link' })];
    const [f] = run('peerpod-routes-not-propagated', hosts);
    expect(f?.fix?.slice(0, 2)).toEqual(['ip netns exec pod-net ip route replace 169.254.1.1 dev tun-v scope link', 'ip netns exec pod-net ip route replace default via 169.254.1.1 dev tun-v']);
    expect(f?.explanation).toContain('Without the default route');
  });

  it('stands alone in the diagnosis: the pod VM default-route symptom is folded into it', () => {
    const hosts = otherPeerPod();
    const vm = nsOf(hosts, O.podvm, O.podvmNs);
    vm.routes = vm.routes.filter((r) => r.dst !== 'default');
    const rules = diagnose(topo(hosts))
      .findings.filter((f) => f.severity !== 'info')
      .map((f) => f.rule);
    expect(rules).toEqual(['peerpod-routes-not-propagated']);
  });

  it('accepts a default route via a secondary NIC (external network via pod VM) and ignores kernel subnet routes', () => {
    const hosts = otherPeerPod();
    const vm = nsOf(hosts, O.podvm, O.podvmNs);
    vm.interfaces.push(link({ ifindex: 4, name: 'ens6', mac: '52:54:00:aa:20:06', addrs: ['172.31.9.20/24'] }));
    vm.routes = [route({ dst: 'default', via: '172.31.9.1', dev: 'ens6' })];
    expect(run('peerpod-routes-not-propagated', hosts)).toEqual([]);
  });

  it('does not judge a pod VM whose routes were not collected', () => {
    const hosts = otherPeerPod();
    const vm = nsOf(hosts, O.podvm, O.podvmNs);
    vm.routes = [];
    vm.collected = EVERYTHING.filter((c) => c !== 'ip-route');
    expect(run('peerpod-routes-not-propagated', hosts)).toEqual([]);
  });
});

describe('peerpod-permanent-neigh-not-propagated', () => {
  const EKS_GW_MAC = 'ee:12:34:56:78:9a';

  function withPinnedGateway(): HostState[] {
    const hosts = otherPeerPod();
    nsOf(hosts, O.worker, O.podNs).neighbors.push(neigh('169.254.1.1', 'eth0', EKS_GW_MAC, 'PERMANENT'));
    return hosts;
  }

  it('flags the PERMANENT gateway entry missing in the pod VM and pins it there', () => {
    const [f, ...rest] = run('peerpod-permanent-neigh-not-propagated', withPinnedGateway());
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([O_VTUN, O_POD, O_EDGE]);
    expect(f?.fix?.[0]).toBe(`ip netns exec pod-net ip neigh replace 169.254.1.1 lladdr ${EKS_GW_MAC} dev tun-v nud permanent`);
    expect(f?.evidence[0]).toMatchObject({ host: O.worker, netns: O.podNs, command: 'ip -j -d neigh show' });
    expect(f?.evidence[0]?.lines.join()).toContain('"state":["PERMANENT"]');
  });

  it('is satisfied by the same entry in the pod VM and ignores learned (REACHABLE) entries', () => {
    const hosts = withPinnedGateway();
    nsOf(hosts, O.podvm, O.podvmNs).neighbors.push(neigh('169.254.1.1', O.podvmTunnel, EKS_GW_MAC.toUpperCase(), 'PERMANENT'));
    nsOf(hosts, O.worker, O.podNs).neighbors.push(neigh('10.200.4.1', 'eth0', '0a:58:0a:c8:04:01', 'REACHABLE'));
    expect(run('peerpod-permanent-neigh-not-propagated', hosts)).toEqual([]);
  });

  it('does not judge a pod VM whose neighbour table was not collected', () => {
    const hosts = withPinnedGateway();
    nsOf(hosts, O.podvm, O.podvmNs).collected = EVERYTHING.filter((c) => c !== 'ip-neigh');
    expect(run('peerpod-permanent-neigh-not-propagated', hosts)).toEqual([]);
    nsOf(hosts, O.podvm, O.podvmNs).collected = undefined;
    expect(run('peerpod-permanent-neigh-not-propagated', hosts)).toEqual([]);
  });
});

describe('peerpod-ipv6-not-propagated', () => {
  it('notes, as info, a global IPv6 pod address that the pod VM does not carry', () => {
    const hosts = otherPeerPod();
    const eth0 = nsOf(hosts, O.worker, O.podNs).interfaces.find((i) => i.name === 'eth0');
    eth0?.addresses.push(addr('fd00:10:200:4::9/64'));
    const [f, ...rest] = run('peerpod-ipv6-not-propagated', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('info');
    expect(f?.elements).toEqual([O_POD, O_VTUN, O_EDGE]);
    expect(f?.title).toContain('fd00:10:200:4::9');
    const vm = nsOf(hosts, O.podvm, O.podvmNs).interfaces.find((i) => i.name === O.podvmTunnel);
    vm?.addresses.push(addr('fd00:10:200:4::9/64'));
    expect(run('peerpod-ipv6-not-propagated', hosts)).toEqual([]);
  });
});

describe('peerpod-leftover-ppvxlan', () => {
  it('flags a ppvxlanN left in the worker root namespace with its VNI and port, and deletes it', () => {
    const hosts = otherPeerPod();
    nsOf(hosts, O.worker, null).interfaces.push(
      link({
        ifindex: 52,
        name: 'ppvxlan2',
        kind: 'vxlan',
        mac: '8a:31:07:5c:e2:10',
        operstate: 'UNKNOWN',
        flags: ['BROADCAST', 'MULTICAST'],
        vxlan: { vni: 7002, remote: '172.20.5.78', port: 4790, learning: false },
      }),
    );
    const [f, ...rest] = run('peerpod-leftover-ppvxlan', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.elements).toEqual([ifaceId(O.worker, null, 'ppvxlan2')]);
    expect(f?.title).toContain('VNI 7002, UDP 4790');
    expect(f?.explanation).toContain('pod VM 172.20.5.78');
    expect(f?.evidence[0]?.lines.join()).toContain('"ifname":"ppvxlan2"');
    expect(f?.fix).toContain('ip link del ppvxlan2');
  });

  it('leaves other root-namespace vxlan devices and the moved vxlan1 alone', () => {
    expect(run('peerpod-leftover-ppvxlan', [...flannel(), ...peerPodOvnNetdev(), ...otherPeerPod()])).toEqual([]);
  });
});

describe('peerpod-vxlan-conntrack-tracked', () => {
  /** cloud-api-adaptor's raw table on the worker for another pod (VNI 7000, VM 172.20.5.50), as iptables-save prints it. */
  function caaRulesFor(vni: number, remote: string, port: number) {
    return [
      iptables('raw', `-A peerpod-OUTPUT -d ${remote}/32 -p udp -m comment --comment "peerpod [vni:${vni}]" -m udp --dport ${port} -j NOTRACK`),
      iptables('raw', `-A peerpod-PREROUTING -s ${remote}/32 -p udp -m comment --comment "peerpod [vni:${vni}]" -m udp --dport ${port} -j NOTRACK`),
    ];
  }
  const JUMPS = [iptables('raw', '-A PREROUTING -j peerpod-PREROUTING'), iptables('raw', '-A OUTPUT -j peerpod-OUTPUT')];

  it('flags the live tunnel without NOTRACK rules when cloud-api-adaptor installs them for other pods', () => {
    const hosts = otherPeerPod();
    nsOf(hosts, O.worker, null).firewall = [...JUMPS, ...caaRulesFor(7000, '172.20.5.50', 4790)];
    const findings = run('peerpod-vxlan-conntrack-tracked', hosts);
    const missing = findings.filter((f) => f.severity === 'warning');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.elements).toEqual([O_WTUN, hostId(O.worker)]);
    expect(missing[0]?.title).toContain('VNI 7001, 172.20.5.77:4790');
    expect(missing[0]?.fix?.slice(0, 2)).toEqual([
      "iptables -t raw -A peerpod-OUTPUT -m comment --comment 'peerpod [vni:7001]' -d 172.20.5.77/32 -p udp -m udp --dport 4790 -j NOTRACK",
      "iptables -t raw -A peerpod-PREROUTING -m comment --comment 'peerpod [vni:7001]' -s 172.20.5.77/32 -p udp -m udp --dport 4790 -j NOTRACK",
    ]);
    expect(missing[0]?.evidence.find((e) => e.command === 'iptables-save -t raw')?.lines).toContain('-A OUTPUT -j peerpod-OUTPUT');
    const leftover = findings.filter((f) => f.severity === 'info');
    // The same words, quoted again for the shell: iptables-save's "peerpod [vni:7000]" becomes 'peerpod [vni:7000]'.
    const deletes = caaRulesFor(7000, '172.20.5.50', 4790).map((r) => `iptables -t raw ${r.rule.replace('-A ', '-D ').replace(/"([^"]*)"/g, "'$1'")}`);
    expect(leftover.map((f) => f.fix)).toEqual([deletes]);
  });

  it('accepts the rules of the live tunnel, also in the CT --notrack form, and flags only the missing twin', () => {
    const hosts = otherPeerPod();
    const ctForm = iptables('raw', '-A peerpod-OUTPUT -d 172.20.5.77/32 -p udp -m comment --comment "peerpod [vni:7001]" -m udp --dport 4790 -j CT --notrack');
    nsOf(hosts, O.worker, null).firewall = [...JUMPS, ...caaRulesFor(7001, '172.20.5.77', 4790)];
    expect(run('peerpod-vxlan-conntrack-tracked', hosts)).toEqual([]);
    nsOf(hosts, O.worker, null).firewall = [...JUMPS, ctForm];
    const [f] = run('peerpod-vxlan-conntrack-tracked', hosts);
    expect(f?.fix?.[0]).toContain('-A peerpod-PREROUTING');
    expect(f?.fix).toHaveLength(2);
  });

  it('stays silent where no peerpod chain exists (releases before v0.10.0 install none), as in the lab', () => {
    const hosts = otherPeerPod();
    nsOf(hosts, O.worker, null).firewall = [iptables('raw', '-A PREROUTING -p udp -m udp --dport 6081 -j NOTRACK')];
    expect(run('peerpod-vxlan-conntrack-tracked', hosts)).toEqual([]);
    expect(run('peerpod-vxlan-conntrack-tracked', collectedEverywhere(peerPodOvnNetdev()))).toEqual([]);
  });

  it('checks the pod VM side against the worker address', () => {
    const hosts = otherPeerPod();
    nsOf(hosts, O.podvm, null).firewall = [...JUMPS, ...caaRulesFor(7001, '172.20.5.99', 4790)];
    const findings = run('peerpod-vxlan-conntrack-tracked', hosts);
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.elements)).toEqual([[O_VTUN, hostId(O.podvm)]]);
    expect(findings.find((f) => f.severity === 'warning')?.fix?.[0]).toContain('-d 172.20.5.10/32');
  });

  for (const end of ['worker', 'pod VM'] as const) {
    it(`leaves a ${end} tunnel end that sends to an address of no host to the endpoint rule, rules for its real peer kept`, () => {
      const hosts = otherPeerPod();
      nsOf(hosts, O.worker, null).firewall = [...JUMPS, ...caaRulesFor(O.vni, O.podvmIp, O.port)];
      nsOf(hosts, O.podvm, null).firewall = [...JUMPS, ...caaRulesFor(O.vni, O.workerIp, O.port)];
      const [host, netns, tunnel] = end === 'worker' ? [O.worker, O.podNs, O.workerTunnel] : [O.podvm, O.podvmNs, O.podvmTunnel];
      const iface = nsOf(hosts, host, netns).interfaces.find((i) => i.name === tunnel);
      if (!iface?.vxlan) throw new Error(`no ${tunnel}`);
      iface.vxlan = { ...iface.vxlan, remote: '172.20.5.99' };
      const findings = diagnose(topo(hosts)).findings;
      expect(findings.filter((f) => f.severity !== 'info').map((f) => [f.rule, f.elements[0]])).toEqual([['peerpod-tunnel-endpoint-mismatch', end === 'worker' ? O_WTUN : O_VTUN]]);
      expect(findings.filter((f) => f.rule === 'peerpod-vxlan-conntrack-tracked')).toEqual([]);
    });
  }
});

describe('ovnk-duplicate-iface-id', () => {
  it('flags a stale OVS port of an earlier sandbox that claims the pod logical port, and deletes only it', () => {
    const hosts = ovnKernel();
    const host = hostOf(hosts, 'ocp-worker-1');
    const ovs = host.ovs;
    if (!ovs) throw new Error('no ovs');
    ovs.interfaces.push(ovsInterface('5d0e7a9c3b1f2e4', '', -1, { 'iface-id': 'demo_web-1', sandbox: '0c1d2e3f' }, { error: 'could not open network device 5d0e7a9c3b1f2e4 (No such device)' }));
    ovs.ports.push({ name: '5d0e7a9c3b1f2e4', interfaces: ['5d0e7a9c3b1f2e4'] });
    ovs.bridges[0]?.ports.push('5d0e7a9c3b1f2e4');
    const [f, ...rest] = run('ovnk-duplicate-iface-id', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', null, '8b2c4f1e0d9a7c3'), ovsBridgeId('ocp-worker-1', 'br-int')]);
    expect(f?.title).toContain('demo_web-1');
    expect(f?.fix).toEqual(['ovs-vsctl --if-exists del-port br-int 5d0e7a9c3b1f2e4']);
    expect(f?.evidence.map((e) => e.command)).toEqual(['ovs-vsctl -f json list Interface', 'ovs-vsctl -f json list Interface']);
  });

  it('lists both ports and how to tell them apart when both still have a kernel device', () => {
    const hosts = otherPeerPod();
    const ovs = hostOf(hosts, O.worker).ovs;
    const bridge = ovs?.bridges.find((b) => b.name === O.bridge);
    if (!ovs || !bridge) throw new Error('no ovs');
    nsOf(hosts, O.worker, null).interfaces.push(link({ ifindex: 14, name: 'a1b2c3d4e5f6071', kind: 'veth', mac: 'ee:12:34:56:78:9b', mtu: 1400, linkIndex: 2, linkNetnsId: 2 }));
    ovs.interfaces.push({ ...ovsInterface('a1b2c3d4e5f6071', '', 3, { 'iface-id': O.lspPod, sandbox: '7e8f9a0b' }), uuid: 'if-a1b2c3d4e5f6071' });
    ovs.ports.push({ uuid: 'p-a1b2c3d4e5f6071', name: 'a1b2c3d4e5f6071', interfaces: ['if-a1b2c3d4e5f6071'] });
    bridge.ports.push('p-a1b2c3d4e5f6071');
    const [f, ...rest] = run('ovnk-duplicate-iface-id', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([ifaceId(O.worker, null, O.hostVeth), ifaceId(O.worker, null, 'a1b2c3d4e5f6071')]);
    expect(f?.fix).toEqual([
      `ovs-vsctl --columns=name,ofport,external_ids find Interface external_ids:iface-id=${O.lspPod}`,
      "# delete the port whose sandbox is not the pod's current one:",
      `ovs-vsctl --if-exists del-port br-pods ${O.hostVeth}`,
      'ovs-vsctl --if-exists del-port br-pods a1b2c3d4e5f6071',
    ]);
  });
});

describe('ovnk-geneve-mtu-mismatch', () => {
  it('flags br-ex (owner of ovn-encap-ip) when pod MTU 1400 + 58 does not fit', () => {
    const hosts = ovnKernel({ links: { 'ocp-worker-1/-/br-ex': { mtu: 1450 } } });
    const [f, ...rest] = run('ovnk-geneve-mtu-mismatch', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', null, 'br-ex'), ifaceId('ocp-worker-1', 'c16c7a01-pod', 'eth0')]);
    expect(f?.title).toBe('br-ex MTU 1450 on ocp-worker-1 is below pod MTU 1400 + 58 bytes of geneve');
    expect(f?.fix).toContain('ip link set dev br-ex mtu 1458');
    expect(f?.fix?.[0]).toContain('1392');
    expect(f?.evidence.find((e) => e.command === 'ovs-vsctl get Open_vSwitch . external_ids:ovn-encap-ip')?.lines).toEqual(['"192.168.122.20"']);
  });

  it('uses the 50-byte VXLAN overhead when OVN encapsulates in VXLAN, and the management port MTU', () => {
    const hosts = otherPeerPod();
    const host = hostOf(hosts, O.worker);
    if (!host.ovs) throw new Error('no ovs');
    host.ovs.externalIds['ovn-encap-type'] = 'vxlan';
    const uplink = nsOf(hosts, O.worker, null).interfaces.find((i) => i.name === O.uplink);
    if (!uplink) throw new Error('no uplink');
    uplink.mtu = 1450;
    expect(run('ovnk-geneve-mtu-mismatch', hosts)).toEqual([]);
    uplink.mtu = 1449;
    const [f] = run('ovnk-geneve-mtu-mismatch', hosts);
    expect(f?.title).toBe('ens5 MTU 1449 on edge-worker-07 is below pod MTU 1400 + 50 bytes of vxlan');
    expect(f?.elements[0]).toBe(ifaceId(O.worker, null, 'ens5'));
  });
});

describe('ovnk-br-ex-misconfigured', () => {
  function uplinkHoldsNodeIp(): HostState[] {
    const hosts = ovnKernel({
      links: {
        'ocp-worker-1/-/ens3': { addrs: ['192.168.122.20/24'] },
        'ocp-worker-1/-/br-ex': { addrs: ['169.254.169.2/29'] },
      },
    });
    const root = nsOf(hosts, 'ocp-worker-1', null);
    root.routes = root.routes.map((r) =>
      r.dev === 'br-ex' && (r.dst === 'default' || r.dst === '192.168.122.0/24')
        ? route({ dst: r.dst, via: r.gateway, dev: 'ens3', protocol: r.protocol, scope: r.scope, metric: r.metric, prefsrc: r.prefsrc })
        : r,
    );
    return hosts;
  }

  it('flags ens3, the physical port of br-ex, holding the node IP and the default route after a reboot', () => {
    const [f, ...rest] = run('ovnk-br-ex-misconfigured', uplinkHoldsNodeIp());
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('critical');
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', null, 'ens3'), ifaceId('ocp-worker-1', null, 'br-ex'), ovsBridgeId('ocp-worker-1', 'br-ex')]);
    expect(f?.title).toBe('ens3 is a port of br-ex on ocp-worker-1, but ens3 still holds 192.168.122.20 and the default route uses ens3');
    expect(f?.fix).toEqual(expect.arrayContaining(['ip addr del 192.168.122.20/24 dev ens3', 'ip addr add 192.168.122.20/24 dev br-ex', 'ip route replace default via 192.168.122.1 dev br-ex']));
    expect(f?.evidence.some((e) => e.command === 'ip -j route show table all' && e.lines[0]?.includes('"dev":"ens3"'))).toBe(true);
  });

  it('follows ovn-bridge-mappings to a gateway bridge with another name', () => {
    const hosts = otherPeerPod();
    const host = hostOf(hosts, O.worker);
    if (!host.ovs) throw new Error('no ovs');
    host.ovs.externalIds['ovn-bridge-mappings'] = 'physnet:breth0';
    host.ovs.bridges.push({ name: 'breth0', ports: ['p-breth0', `p-${O.uplink}`], externalIds: {} });
    host.ovs.ports.push({ uuid: 'p-breth0', name: 'breth0', interfaces: ['if-breth0'] }, { uuid: `p-${O.uplink}`, name: O.uplink, interfaces: [`if-${O.uplink}`] });
    host.ovs.interfaces.push(
      { uuid: 'if-breth0', name: 'breth0', type: 'internal', ofport: 65534, externalIds: {}, options: {} },
      { uuid: `if-${O.uplink}`, name: O.uplink, type: '', ofport: 1, externalIds: {}, options: {} },
    );
    const [f] = run('ovnk-br-ex-misconfigured', hosts);
    expect(f?.title).toContain('ens5 is a port of breth0 on edge-worker-07');
    expect(f?.fix).toContain('ip addr add 172.20.5.10/22 dev breth0');
  });
});

describe('ovnk-encap-ip-mismatch', () => {
  it('flags an ovn-encap-ip that no interface of the node holds and proposes the br-ex address', () => {
    const hosts = collectedEverywhere(ovnKernel());
    const ovs = hostOf(hosts, 'ocp-worker-1').ovs;
    if (!ovs) throw new Error('no ovs');
    ovs.externalIds['ovn-encap-ip'] = '192.168.122.99';
    const [f, ...rest] = run('ovnk-encap-ip-mismatch', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([hostId('ocp-worker-1'), ifaceId('ocp-worker-1', null, 'br-ex')]);
    expect(f?.fix?.[0]).toBe('ovs-vsctl set Open_vSwitch . external_ids:ovn-encap-ip=192.168.122.20');
    expect(f?.evidence[0]).toEqual({
      host: 'ocp-worker-1',
      netns: null,
      command: 'ovs-vsctl get Open_vSwitch . external_ids:ovn-encap-ip',
      lines: ['"192.168.122.99"'],
    });
  });

  it('does not judge a node whose addresses were not collected', () => {
    const hosts = collectedEverywhere(
      otherPeerPod(),
      EVERYTHING.filter((c) => c !== 'ip-addr'),
    );
    const ovs = hostOf(hosts, O.worker).ovs;
    if (ovs) ovs.externalIds['ovn-encap-ip'] = '172.20.5.11';
    expect(run('ovnk-encap-ip-mismatch', hosts)).toEqual([]);
  });
});

describe('ovn-duplicate-system-id', () => {
  function twoNodes(idA: string | undefined, idB: string | undefined): HostState[] {
    const a = ovnKernel()[0];
    const b: HostState = { ...structuredClone(a), name: 'ocp-worker-2' };
    for (const [h, id] of [
      [a, idA],
      [b, idB],
    ] as const) {
      if (!h?.ovs) throw new Error('no ovs');
      if (id === undefined) delete h.ovs.externalIds['system-id'];
      else h.ovs.externalIds['system-id'] = id;
    }
    return a ? [a, b] : [];
  }

  it('flags two nodes with one system-id (cloned VM) and regenerates it on the second', () => {
    const [f, ...rest] = run('ovn-duplicate-system-id', twoNodes('3f6e2a10-9c1d-4b7e-8a2f-5d0c1e9b7a64', '3f6e2a10-9c1d-4b7e-8a2f-5d0c1e9b7a64'));
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([hostId('ocp-worker-1'), hostId('ocp-worker-2')]);
    expect(f?.evidence.map((e) => e.lines[0])).toEqual(['"3f6e2a10-9c1d-4b7e-8a2f-5d0c1e9b7a64"', '"3f6e2a10-9c1d-4b7e-8a2f-5d0c1e9b7a64"']);
    expect(f?.fixOn?.[0]).toEqual({ from: 0, on: { kind: 'host', host: 'ocp-worker-2' } });
    expect(f?.fix?.[0]).toBe('uuidgen > /etc/openvswitch/system-id.conf');
    expect(f?.fix).toContain('ovs-vsctl set Open_vSwitch . external_ids:system-id="$(cat /etc/openvswitch/system-id.conf)"');
  });

  it('flags an OVN node without a system-id and accepts distinct ones', () => {
    expect(run('ovn-duplicate-system-id', twoNodes('node-a-chassis', 'node-b-chassis'))).toEqual([]);
    const [f] = run('ovn-duplicate-system-id', twoNodes('node-a-chassis', undefined));
    expect(f?.elements).toEqual([hostId('ocp-worker-2')]);
  });
});

describe('ovs-ovn-version-skew', () => {
  it('notes different ovs_version values across nodes as info, quoting each', () => {
    const hosts = [...otherPeerPod(), ...ovnKernel()];
    const kernel = hostOf(hosts, 'ocp-worker-1').ovs;
    const edge = hostOf(hosts, O.worker).ovs;
    if (!kernel || !edge) throw new Error('no ovs');
    edge.version = '3.3.2';
    const [f, ...rest] = run('ovs-ovn-version-skew', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('info');
    expect(f?.elements).toEqual([hostId(O.worker), hostId('ocp-worker-1')]);
    expect(f?.evidence.map((e) => `${e.command} ${e.lines.join()}`)).toEqual(['ovs-vsctl get Open_vSwitch . ovs_version "3.3.2"', 'ovs-vsctl get Open_vSwitch . ovs_version "3.1.0"']);
    edge.version = kernel.version;
    expect(run('ovs-ovn-version-skew', hosts)).toEqual([]);
  });
});

describe('cilium-lxc-bpf-missing', () => {
  const LXC = ifaceId('cilium-1', null, 'lxc8a3f2c1d');
  const POD = ifaceId('cilium-1', 'cni-7d2e', 'eth0');

  /** The pod's lxc lost its program; lxc_health still has one. Both tc and bpftool listings ran. */
  function lostProgram(commands: CommandId[] = EVERYTHING): HostState[] {
    const hosts = collectedEverywhere(cilium(), commands);
    const root = nsOf(hosts, 'cilium-1', null);
    root.interfaces.push(link({ ifindex: 11, name: 'lxc_health', kind: 'veth', mac: '72:c1:0e:5b:91:44', linkIndex: 10, linkNetnsId: 1 }));
    root.tcFilters = [...root.tcFilters.filter((f) => f.dev !== 'lxc8a3f2c1d'), bpfFilter('lxc_health', 'cil_from_container')];
    root.qdiscs = [...root.qdiscs.filter((q) => q.dev !== 'lxc8a3f2c1d'), { dev: 'lxc_health', kind: 'clsact', handle: 'ffff:', parent: 'ffff:fff1' }];
    return hosts;
  }

  it('flags the pod lxc without a BPF program on ingress and quotes the program its neighbour has', () => {
    const [f, ...rest] = run('cilium-lxc-bpf-missing', lostProgram());
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('critical');
    expect(f?.elements).toEqual([LXC, POD]);
    expect(f?.explanation).toContain('while lxc_health on the same node has one');
    expect(f?.evidence.find((e) => e.command === 'tc -j filter show dev lxc_health ingress')?.lines.join()).toContain('"bpf_name":"cil_from_container"');
    expect(f?.fix?.[0]).toBe('kubectl -n kube-system delete pod -l k8s-app=cilium --field-selector spec.nodeName=cilium-1');
  });

  it('accepts a tcx attachment that only bpftool shows (Cilium ≥ 1.16 on kernel ≥ 6.6)', () => {
    const hosts = lostProgram();
    nsOf(hosts, 'cilium-1', null).bpf.push({ dev: 'lxc8a3f2c1d', hook: 'tcx/ingress', name: 'cil_from_container', id: 812 });
    expect(run('cilium-lxc-bpf-missing', hosts)).toEqual([]);
  });

  it('judges a device without a clsact qdisc from the qdisc listing when no tc filter listing ran', () => {
    const hosts = lostProgram(EVERYTHING.filter((c) => c !== 'tc-filter'));
    expect(run('cilium-lxc-bpf-missing', hosts).map((f) => f.elements[0])).toEqual([LXC]);
  });

  it('without bpftool output judges only where another endpoint shows its program on tc, not where all could be on tcx', () => {
    const withoutBpftool = EVERYTHING.filter((c) => c !== 'bpftool-net');
    const [f, ...rest] = run('cilium-lxc-bpf-missing', lostProgram(withoutBpftool));
    expect(rest).toEqual([]);
    expect(f?.explanation).toContain('while lxc_health on the same node has its program on tc');
    const noneOnTc = lostProgram(withoutBpftool);
    const root = nsOf(noneOnTc, 'cilium-1', null);
    root.tcFilters = root.tcFilters.filter((t) => t.dev !== 'lxc_health');
    expect(run('cilium-lxc-bpf-missing', noneOnTc)).toEqual([]);
  });

  it('does not judge when the tc listing for that device failed', () => {
    const hosts = lostProgram();
    hostOf(hosts, 'cilium-1').problems.push({ command: 'tc -j filter show dev lxc8a3f2c1d ingress', message: 'timed out' });
    expect(run('cilium-lxc-bpf-missing', hosts)).toEqual([]);
  });

  it('ignores lxc devices on a node that is not running Cilium: no cilium_host, no cil_ program', () => {
    const hosts = lostProgram();
    const root = nsOf(hosts, 'cilium-1', null);
    root.interfaces = root.interfaces.filter((i) => i.name !== 'cilium_host');
    expect(run('cilium-lxc-bpf-missing', hosts).map((f) => f.elements[0])).toEqual([LXC]);
    root.tcFilters = root.tcFilters.map((t) => ({ ...t, bpfName: t.bpfName?.replace(/^cil_/, 'other_') }));
    root.bpf = root.bpf.map((a) => ({ ...a, name: a.name.replace(/^cil_/, 'other_') }));
    expect(run('cilium-lxc-bpf-missing', hosts)).toEqual([]);
  });
});

describe('conntrack-table-full', () => {
  it('flags table-full drops on a flannel node and offers NOTRACK for its tunnel port 8472', () => {
    const hosts = flannel();
    nsOf(hosts, 'node-a', null).conntrackStats = { found: 3, invalid: 0, insert: 0, insert_failed: 0, drop: 12, early_drop: 40, error: 0 };
    const [f, ...rest] = run('conntrack-table-full', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.elements).toEqual([hostId('node-a')]);
    expect(f?.title).toContain('12 packet(s) dropped for a full table');
    expect(f?.evidence).toEqual([{ host: 'node-a', netns: null, command: 'conntrack -S', lines: ['insert_failed=0 drop=12 early_drop=40 (sum over all cpu= lines)'] }]);
    expect(f?.fix).toContain('iptables -t raw -A PREROUTING -p udp --dport 8472 -j NOTRACK');
  });

  it('explains failed insertions as lost parallel UDP and stays silent on zero counters', () => {
    const hosts = cilium();
    const root = nsOf(hosts, 'cilium-1', null);
    root.conntrackStats = { insert_failed: 5, drop: 0, early_drop: 0 };
    const [f] = run('conntrack-table-full', hosts);
    expect(f?.explanation).toContain('DNS A and AAAA');
    root.conntrackStats = { insert_failed: 0, drop: 0, early_drop: 0 };
    expect(serious('conntrack-table-full', hosts)).toEqual([]);
  });
});

describe('cilium-host-datapath-broken', () => {
  it('flags a second router IP on cilium_host and lists the addresses to choose from', () => {
    const hosts = cilium({ links: { 'cilium-1/-/cilium_host': { addrs: ['10.0.1.75/32', '10.0.9.12/32'] } } });
    const [f, ...rest] = run('cilium-host-datapath-broken', hosts);
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.elements).toEqual([ifaceId('cilium-1', null, 'cilium_host')]);
    expect(f?.title).toContain('cilium_host has 2 router IPs (10.0.1.75, 10.0.9.12)');
    expect(f?.fix).toEqual(expect.arrayContaining(['ip addr del 10.0.9.12/32 dev cilium_host', 'kubectl -n kube-system delete pod -l k8s-app=cilium --field-selector spec.nodeName=cilium-1']));
  });

  it('flags cilium_vxlan down while a leftover flannel.1 holds UDP 8472', () => {
    const hosts = cilium({ links: { 'cilium-1/-/cilium_vxlan': { flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' } } });
    nsOf(hosts, 'cilium-1', null).interfaces.push(
      link({
        ifindex: 21,
        name: 'flannel.1',
        kind: 'vxlan',
        mac: 'c2:7d:4e:90:1a:0c',
        mtu: 1450,
        operstate: 'UNKNOWN',
        vxlan: { vni: 1, local: '10.0.0.10', dev: 'eth0', port: 8472 },
      }),
    );
    const [f] = run('cilium-host-datapath-broken', hosts);
    expect(f?.elements).toEqual([ifaceId('cilium-1', null, 'cilium_vxlan'), ifaceId('cilium-1', null, 'flannel.1')]);
    expect(f?.title).toContain('cilium_vxlan is down, and flannel.1 holds its UDP port 8472');
    expect(f?.fix?.slice(0, 2)).toEqual(['# if flannel.1 is left over from a previous CNI:', 'ip link del flannel.1']);
  });

  it('flags a missing cilium_net and an admin-down cilium_host', () => {
    expect(run('cilium-host-datapath-broken', cilium({ drop: ['cilium-1/-/cilium_net'] }))[0]?.title).toContain('cilium_net is missing');
    const down = run('cilium-host-datapath-broken', cilium({ links: { 'cilium-1/-/cilium_host': { flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' } } }));
    expect(down[0]?.fix?.[0]).toBe('ip link set cilium_host up');
  });
});

describe('cni0-bridge-address-conflict', () => {
  it('flags cni0 that kept the old subnet after the node got a new one from flannel', () => {
    const hosts = flannel({ links: { 'node-b/-/flannel.1': { addrs: ['10.244.7.0/32'] } } });
    const [f, ...rest] = run('cni0-bridge-address-conflict', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([ifaceId('node-b', null, 'cni0')]);
    expect(f?.title).toContain("cni0 has 10.244.1.1/24, outside flannel's current subnet (flannel.1 holds 10.244.7.0)");
    expect(f?.evidence.map((e) => e.lines.join())).toEqual([expect.stringContaining('"ifname":"cni0"'), expect.stringContaining('"ifname":"flannel.1"')]);
    expect(f?.fix?.slice(0, 2)).toEqual(['ip link set cni0 down', 'ip link delete cni0']);
  });

  it('flags a pod that kept an address of the old subnet on a correct cni0, and asks to recreate it', () => {
    const hosts = flannel({ links: { 'node-a/cni-node-a-1/eth0': { addrs: ['10.244.9.5/24'] } } });
    const [f] = run('cni0-bridge-address-conflict', hosts);
    expect(f?.elements).toEqual([ifaceId('node-a', null, 'cni0'), ifaceId('node-a', 'cni-node-a-1', 'eth0')]);
    expect(f?.fix).toEqual([
      '# cni0 is right; recreate the pods that kept an old address: cni-node-a-1',
      'kubectl get pods -A -o wide --field-selector status.podIP=10.244.9.5',
      'kubectl delete pods -A --field-selector status.podIP=10.244.9.5',
    ]);
  });

  it('leaves bridges alone on nodes without flannel', () => {
    const hosts = flannel({ drop: ['node-a/-/flannel.1'], links: { 'node-a/-/cni0': { addrs: ['10.99.0.1/24'] } } });
    expect(run('cni0-bridge-address-conflict', hosts).map((f) => f.title)).toEqual([]);
  });
});
