import { describe, expect, it } from 'vitest';
import { diagnose, RULES } from '@/lib/diagnose';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { edgeId, hostId, ifaceId } from '@/lib/topology/ids';
import { fdb, iptables, neigh, redirect, route, run, topo } from './builders';
import { cilium, flannel, HEALTHY, ovnKernel, peerPodOvnNetdev, POD_MAC } from './fixtures';

function nsOf(hosts: HostState[], host: string, netns: string | null): NamespaceState {
  const found = hosts.find((h) => h.name === host)?.namespaces.find((n) => n.netns === netns);
  if (!found) throw new Error(`no ${host}/${netns ?? '-'}`);
  return found;
}

const W_ETH0 = ifaceId('worker', 'lv-wpod', 'eth0');
const W_VXLAN1 = ifaceId('worker', 'lv-wpod', 'vxlan1');
const V_VXLAN0 = ifaceId('podvm', 'lv-vmpod', 'vxlan0');

describe('every rule on healthy shapes', () => {
  for (const r of RULES) {
    it(`${r.id} stays silent on all healthy fixtures`, () => {
      for (const make of Object.values(HEALTHY)) expect(r.run(topo(make())).filter((f) => f.severity !== 'info')).toEqual([]);
    });
  }
});

describe('peer-pod rules', () => {
  it('flags the missing vxlan1 → eth0 redirect and prints the tc commands to add it', () => {
    const hosts = peerPodOvnNetdev();
    const pod = nsOf(hosts, 'worker', 'lv-wpod');
    pod.tcFilters = pod.tcFilters.filter((f) => f.dev !== 'vxlan1');
    const [f, ...rest] = run('peerpod-tc-redirect-missing', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([W_ETH0, W_VXLAN1]);
    expect(f?.title).toContain('vxlan1 → eth0');
    expect(f?.fix).toEqual([
      'ip netns exec lv-wpod tc qdisc add dev vxlan1 ingress',
      'ip netns exec lv-wpod tc filter add dev vxlan1 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0',
    ]);
    expect(f?.evidence.some((e) => e.command === 'tc -j filter show dev eth0 ingress' && e.lines[0]?.includes('"to_dev":"vxlan1"'))).toBe(true);
  });

  it('puts the missing redirect on the ingress hook of a clsact qdisc, where an ingress qdisc cannot be added', () => {
    const hosts = peerPodOvnNetdev();
    const pod = nsOf(hosts, 'worker', 'lv-wpod');
    pod.qdiscs = pod.qdiscs.map((q) => ({ ...q, kind: 'clsact', parent: 'ffff:fff1' }));
    pod.tcFilters = pod.tcFilters.filter((f) => f.dev !== 'eth0');
    const [f, ...rest] = run('peerpod-tc-redirect-missing', hosts);
    expect(rest).toEqual([]);
    expect(f?.fix).toEqual(['ip netns exec lv-wpod tc filter add dev eth0 ingress protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1']);
  });

  it('flags a redirect whose target is a dangling ifindex', () => {
    const hosts = peerPodOvnNetdev();
    const pod = nsOf(hosts, 'worker', 'lv-wpod');
    pod.tcFilters = [redirect('eth0', 'if42'), redirect('vxlan1', 'eth0')];
    const findings = run('peerpod-tc-redirect-missing', hosts);
    expect(findings.some((f) => f.title.includes('if42') && f.elements[0] === W_ETH0)).toBe(true);
  });

  it('flags the pod VM tunnel pointing at an address the worker does not have', () => {
    const hosts = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { vxlan: { vni: 555005, remote: '192.168.10.99', port: 4789 } } } });
    const [f] = run('peerpod-tunnel-endpoint-mismatch', hosts);
    expect(f?.elements).toEqual([V_VXLAN0, edgeId('tunnel', W_VXLAN1, V_VXLAN0)]);
    expect(f?.explanation).toContain('192.168.10.99');
    expect(f?.evidence.map((e) => e.host)).toEqual(['worker', 'podvm']);
  });

  it('flags a VNI and dstport mismatch between the two tunnel ends', () => {
    const hosts = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { vxlan: { vni: 555006, remote: '192.168.10.163', port: 8472 } } } });
    const [f] = run('peerpod-vni-or-port-mismatch', hosts);
    expect(f?.title).toContain('VNI 555005 on the worker vs 555006');
    expect(f?.title).toContain('UDP port 4789 on the worker vs 8472');
    expect(f?.elements).toContain(W_VXLAN1);
  });

  it('flags a worker tunnel whose pod VM was collected but has no tunnel for the pod', () => {
    const hosts = peerPodOvnNetdev({ drop: ['podvm/lv-vmpod/vxlan0'] });
    const [f] = run('tunnel-unpaired', hosts);
    expect(f?.elements).toEqual([W_VXLAN1]);
    expect(f?.explanation).toContain('10.132.2.46');
  });

  it('flags a pod VM MTU above the worker pod veth MTU and fixes it to the pod MTU', () => {
    const hosts = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { mtu: 1450 } } });
    const [f] = run('peerpod-mtu-mismatch', hosts);
    expect(f?.elements.slice(0, 2)).toEqual([V_VXLAN0, W_ETH0]);
    expect(f?.fix).toEqual([
      'ip netns exec lv-vmpod ip link set dev vxlan0 mtu 1400',
      "# durable: recreate the peer pod; cloud-api-adaptor gives the new pod VM's device the pod's MTU",
      'kubectl get pods -A -o wide --field-selector status.podIP=10.132.2.46',
      'kubectl delete pods -A --field-selector status.podIP=10.132.2.46',
    ]);
  });

  it('flags pod eth0 MTU that does not fit through the worker uplink after 50 bytes of VXLAN', () => {
    const hosts = peerPodOvnNetdev({ links: { 'worker/lv-wpod/eth0': { mtu: 1480 }, 'worker/-/veth-pod46': { mtu: 1480 } } });
    const [f] = run('tunnel-mtu-blackhole', hosts);
    expect(f?.elements).toEqual([W_ETH0, W_VXLAN1, ifaceId('worker', null, 'eth0')]);
    expect(f?.fix?.[0]).toBe('ip netns exec lv-wpod ip link set dev eth0 mtu 1450');
  });

  it("measures a peer pod's worker tunnel by the pod interface also while the eth0 → vxlan1 redirect is missing", () => {
    // vxlan1 itself is 1500 (no lower device): only the redirect rule may report the missing redirect.
    const hosts = peerPodOvnNetdev();
    const pod = nsOf(hosts, 'worker', 'lv-wpod');
    pod.tcFilters = pod.tcFilters.filter((f) => f.dev !== 'eth0');
    expect(run('tunnel-mtu-blackhole', hosts)).toEqual([]);
    expect(run('peerpod-tc-redirect-missing', hosts).map((f) => f.title)).toEqual(['No tc redirect eth0 → vxlan1 in lv-wpod on worker']);
  });
});

describe('neighbour rules', () => {
  it('flags a PERMANENT neighbour entry with a MAC the owner of the IP does not have', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    root.neighbors = root.neighbors.map((n) => (n.dev === 'flannel.1' ? neigh(n.dst, n.dev, 'c2:7d:4e:90:1a:99', 'PERMANENT') : n));
    const [f] = run('neighbor-mac-mismatch', hosts);
    expect(f?.elements).toEqual([ifaceId('node-a', null, 'flannel.1'), ifaceId('node-b', null, 'flannel.1')]);
    expect(f?.fix).toEqual(['ip neigh replace 10.244.1.0 lladdr c2:7d:4e:90:1a:02 dev flannel.1 nud permanent']);
    expect(f?.evidence[0]?.lines[0]).toContain('c2:7d:4e:90:1a:99');
  });

  it('takes a learned entry naming a MAC that no device has any more as history (info), one naming another device as a fault', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    const stale = (mac: string) => root.neighbors.map((n) => (n.dev === 'flannel.1' ? neigh(n.dst, n.dev, mac, 'STALE') : n));
    root.neighbors = stale('c2:7d:4e:90:1a:99');
    const [gone] = run('neighbor-mac-mismatch', hosts);
    expect(gone?.severity).toBe('info');
    expect(gone?.fix).toEqual(['ip neigh del 10.244.1.0 dev flannel.1']);
    // The MAC of node-a's own flannel.1: a device that exists answers for an IP it does not hold.
    const other = hosts.find((h) => h.name === 'node-a')?.namespaces[0]?.interfaces.find((i) => i.name === 'flannel.1')?.mac ?? '';
    root.neighbors = stale(other);
    const [live] = run('neighbor-mac-mismatch', hosts);
    expect(live?.severity).toBe('warning');
  });

  it("accepts a routed pod resolving the node's uplink IP to the node's end of its veth, and still flags another MAC", () => {
    // A node answers ARP for all its addresses with the MAC of the device the request came in on (Calico, Cilium).
    const hosts = cilium();
    const pod = nsOf(hosts, 'cilium-1', 'cni-7d2e');
    pod.neighbors = [neigh('10.0.0.10', 'eth0', '4e:90:1d:aa:10:09', 'REACHABLE')];
    expect(run('neighbor-mac-mismatch', hosts)).toEqual([]);
    pod.neighbors = [neigh('10.0.0.10', 'eth0', '4e:90:1d:aa:10:99', 'REACHABLE')];
    const [f] = run('neighbor-mac-mismatch', hosts);
    expect(f?.elements).toEqual([ifaceId('cilium-1', 'cni-7d2e', 'eth0'), ifaceId('cilium-1', null, 'eth0')]);
  });

  it('flags a FAILED neighbour for a pod IP and leaves STALE ones alone', () => {
    const hosts = ovnKernel();
    const root = nsOf(hosts, 'ocp-worker-1', null);
    root.neighbors.push(neigh('10.128.2.5', 'br-ex', undefined, 'FAILED'));
    const findings = run('neighbor-unresolved', hosts);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.elements).toEqual([ifaceId('ocp-worker-1', null, 'br-ex')]);
    expect(findings[0]?.evidence[0]?.lines[0]).toContain('FAILED');
  });

  it('flags an address that answered in an earlier listing and is INCOMPLETE in a later one, not one that answers again', () => {
    const hosts = ovnKernel();
    const root = nsOf(hosts, 'ocp-worker-1', null);
    root.neighbors.push(neigh('192.0.2.50', 'br-ex', '26:55:e8:4d:07:09', 'REACHABLE'), neigh('192.0.2.50', 'br-ex', undefined, 'INCOMPLETE'));
    const [f, ...more] = run('neighbor-unresolved', hosts);
    expect(more).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.title).toContain('192.0.2.50 stopped answering');
    expect(f?.explanation).toContain('at 26:55:e8:4d:07:09');
    expect(f?.evidence).toHaveLength(2);
    // Answering again in a still later listing: the INCOMPLETE entry was a moment, not the state.
    root.neighbors.push(neigh('192.0.2.50', 'br-ex', '26:55:e8:4d:07:09', 'STALE'));
    expect(run('neighbor-unresolved', hosts)).toEqual([]);
    // Never seen answering, and not a pod: nothing says it should answer.
    const alone = ovnKernel();
    nsOf(alone, 'ocp-worker-1', null).neighbors.push(neigh('192.0.2.51', 'br-ex', undefined, 'INCOMPLETE'));
    expect(run('neighbor-unresolved', alone)).toEqual([]);
  });

  it('takes a FAILED entry for a pod IP whose path as captured works as a leftover (info), and as live (warning) where the path breaks', () => {
    // The seed layout (OVN netdev worker, peer pod behind a tc redirect and a VXLAN tunnel), healthy but for one
    // FAILED entry that traffic left during a fault since fixed.
    const healed = peerPodOvnNetdev();
    nsOf(healed, 'worker', null).neighbors = [neigh('10.132.2.46', 'ovn-k8s-mp0', undefined, 'FAILED')];
    const [left, ...none] = run('neighbor-unresolved', healed);
    expect(none).toEqual([]);
    expect(left?.severity).toBe('info');
    expect(left?.title).toContain('the path to it as captured works');
    expect(left?.fix).toEqual(['ping -c1 -W1 10.132.2.46', 'ip -s neigh show 10.132.2.46 dev ovn-k8s-mp0']);

    // The same entry while the pod VM end of the tunnel is missing: the path breaks, the entry is a live symptom.
    const broken = peerPodOvnNetdev();
    nsOf(broken, 'worker', null).neighbors = [neigh('10.132.2.46', 'ovn-k8s-mp0', undefined, 'FAILED')];
    const vm = nsOf(broken, 'podvm', 'lv-vmpod');
    vm.interfaces = vm.interfaces.filter((i) => i.name !== 'vxlan0');
    const [live] = run('neighbor-unresolved', broken);
    expect(live?.severity).toBe('warning');
    expect(live?.explanation).toContain('The path as captured breaks');
    expect(live?.fix?.[0]).toBe('ip neigh del 10.132.2.46 dev ovn-k8s-mp0');
    expect(live?.causedAt).toEqual([W_VXLAN1]);
    // Diagnosis leaves the symptom out: the finding about the tunnel explains it.
    const findings = diagnose(topo(broken)).findings;
    expect(findings.map((f) => f.rule)).toEqual(['tunnel-unpaired']);
    expect(findings[0]?.elements).toEqual([W_VXLAN1]);
    expect(findings[0]).not.toHaveProperty('causedAt');
  });
});

describe('overlay rules', () => {
  it('flags the node whose flannel.1 listens on 4789 while the others use 8472', () => {
    const hosts = flannel({ links: { 'node-b/-/flannel.1': { vxlan: { vni: 1, local: '192.168.1.11', dev: 'eth0', port: 4789, learning: false } } } });
    const findings = run('overlay-vxlan-param-mismatch', hosts);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.title).toContain('port 4789');
  });

  it('flags a missing FDB entry for the remote VTEP with the bridge fdb command filled in', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    root.fdb = [fdb('aa:bb:cc:00:00:01', 'flannel.1', '192.168.1.99')];
    const [f] = run('vtep-fdb-missing', hosts);
    expect(f?.elements).toEqual([ifaceId('node-a', null, 'flannel.1'), ifaceId('node-b', null, 'flannel.1')]);
    expect(f?.fix?.[0]).toBe('bridge fdb replace c2:7d:4e:90:1a:02 dev flannel.1 dst 192.168.1.11 self permanent');
  });

  it('takes an entry of another MAC towards the remote as stale, unless it floods there or the VTEP bridges pod MACs', () => {
    const podBehindB = fdb('aa:bb:cc:00:00:01', 'flannel.1', '192.168.1.11');
    const floodToB = fdb('00:00:00:00:00:00', 'flannel.1', '192.168.1.11');
    const findings = (fdbOfA: ReturnType<typeof fdb>[], links = {}) => {
      const hosts = flannel({ links });
      nsOf(hosts, 'node-a', null).fdb = fdbOfA;
      return run('vtep-fdb-missing', hosts).map((f) => f.title);
    };
    expect(findings([podBehindB])).toEqual(['node-a flannel.1: FDB entry for node-b is stale (aa:bb:cc:00:00:01 → 192.168.1.11)']);
    // Head-end replication: an all-zero entry sends what the FDB does not know to node-b, learned MACs ride on it.
    expect(findings([floodToB, podBehindB])).toEqual([]);
    // A VTEP enslaved to a bridge learns the pods' MACs behind the remote; they are not its VTEP entry.
    expect(findings([podBehindB], { 'node-a/-/flannel.1': { master: 'br0' } })).toEqual([]);
    // The flood entry towards an address the remote no longer has reaches nothing.
    expect(findings([fdb('00:00:00:00:00:00', 'flannel.1', '192.168.1.99')], { 'node-a/-/flannel.1': { master: 'br0' } })).toEqual([
      'node-a flannel.1: no FDB entry for node-b (c2:7d:4e:90:1a:02 → 192.168.1.11)',
    ]);
  });
});

describe('device rules', () => {
  it('marks the admin-down pod eth0 rather than its carrier-less host veth', () => {
    const hosts = flannel({
      links: {
        'node-a/cni-node-a-1/eth0': { flags: ['BROADCAST', 'MULTICAST'] },
        'node-a/-/veth3c1a7b2e': { flags: ['BROADCAST', 'MULTICAST', 'UP', 'NO-CARRIER'] },
      },
    });
    const [f, ...rest] = run('link-down-or-no-carrier', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([ifaceId('node-a', 'cni-node-a-1', 'eth0'), ifaceId('node-a', null, 'veth3c1a7b2e')]);
    expect(f?.fix).toEqual(['ip netns exec cni-node-a-1 ip link set eth0 up']);
  });

  it('flags veth ends with different MTUs and the edge between them', () => {
    const hosts = ovnKernel({ links: { 'ocp-worker-1/-/8b2c4f1e0d9a7c3': { mtu: 1500 } } });
    const [f] = run('veth-mtu-mismatch', hosts);
    const host = ifaceId('ocp-worker-1', null, '8b2c4f1e0d9a7c3');
    const pod = ifaceId('ocp-worker-1', 'c16c7a01-pod', 'eth0');
    expect(f?.elements).toEqual([host, pod, edgeId('veth', host, pod)]);
    expect(f?.fix).toEqual(['ip link set dev 8b2c4f1e0d9a7c3 mtu 1400']);
  });

  it('flags a veth whose peer is reported gone (@NONE)', () => {
    const hosts = cilium({ links: { 'cilium-1/-/lxc8a3f2c1d': { link: null, linkNetnsId: undefined, linkIndex: undefined } } });
    const [f] = run('veth-peer-broken', hosts);
    expect(f?.elements).toEqual([ifaceId('cilium-1', null, 'lxc8a3f2c1d')]);
    expect(f?.fix?.[0]).toBe('ip link del lxc8a3f2c1d');
  });
});

describe('OVS and OVN rules', () => {
  it('flags an OVS interface with ofport -1 and its error text', () => {
    const hosts = ovnKernel();
    const ovs = hosts[0]?.ovs;
    const port = ovs?.interfaces.find((i) => i.name === '8b2c4f1e0d9a7c3');
    if (!port) throw new Error('fixture');
    port.ofport = -1;
    port.error = 'could not open network device 8b2c4f1e0d9a7c3 (No such device)';
    const [f] = run('ovs-interface-error', hosts);
    expect(f?.title).toContain('No such device');
    expect(f?.fix).toEqual(['ovs-vsctl --if-exists del-port br-int 8b2c4f1e0d9a7c3']);
  });

  it('flags a system port whose kernel device was deleted (the netdev datapath keeps its ofport), not one whose device is there', () => {
    const hosts = peerPodOvnNetdev();
    const port = hosts[0]?.ovs?.interfaces.find((i) => i.name === 'veth-pod46');
    if (!port) throw new Error('fixture');
    port.linkState = 'down';
    expect(run('ovs-interface-error', hosts)).toEqual([]);
    const root = nsOf(hosts, 'worker', null);
    root.interfaces = root.interfaces.filter((i) => i.name !== 'veth-pod46');
    const [f, ...rest] = run('ovs-interface-error', hosts);
    expect(rest).toEqual([]);
    expect(f?.title).toBe('OVS interface veth-pod46 on worker: no kernel device of that name, link down');
    expect(f?.fix).toEqual(['ovs-vsctl --if-exists del-port br-int veth-pod46']);
  });

  it('flags a pod port on the integration bridge without iface-id on the netdev datapath (no master)', () => {
    const hosts = peerPodOvnNetdev();
    const port = hosts[0]?.ovs?.interfaces.find((i) => i.name === 'veth-pod46');
    if (!port) throw new Error('fixture');
    port.externalIds = {};
    const [f] = run('ovn-port-not-bound', hosts);
    expect(f?.elements).toEqual([ifaceId('worker', null, 'veth-pod46'), W_ETH0]);
    expect(f?.title).toContain('no external_ids:iface-id');
  });

  it('flags a pod veth that is on no bridge while the other pods on the node are', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    const extra = root.interfaces.find((i) => i.name === 'veth3c1a7b2e');
    if (!extra) throw new Error('fixture');
    root.interfaces.push({ ...extra, name: 'veth77aa', ifindex: 6, linkIndex: 4, master: undefined, slaveKind: undefined });
    nsOf(hosts, 'node-a', 'cni-node-a-1').interfaces.push({ ...extra, name: 'eth1', ifindex: 4, linkIndex: 6, master: undefined, linkNetnsId: 0 });
    const [f] = run('pod-veth-not-on-bridge', hosts);
    expect(f?.elements[0]).toBe(ifaceId('node-a', null, 'veth77aa'));
    expect(f?.fix?.[0]).toBe('ip link set veth77aa master cni0');
  });

  it('flags a down management port and tells to bring it up, then to restart ovnkube-node on that node', () => {
    const hosts = ovnKernel({ links: { 'ocp-worker-1/-/ovn-k8s-mp0': { flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' } } });
    const [f] = run('ovn-mgmt-port-broken', hosts);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', null, 'ovn-k8s-mp0')]);
    expect(f?.fix).toEqual(['ip link set ovn-k8s-mp0 up', 'kubectl delete pod -A -l app=ovnkube-node --field-selector spec.nodeName=ocp-worker-1']);
  });

  it('flags the pod eth0 whose MAC differs from its OVN logical switch port', () => {
    const hosts = ovnKernel({ links: { 'ocp-worker-1/c16c7a01-pod/eth0': { mac: '0a:58:0a:80:02:99' } } });
    const [f] = run('ovn-lsp-mac-mismatch', hosts);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', 'c16c7a01-pod', 'eth0')]);
    expect(f?.fix?.[0]).toBe('ip netns exec c16c7a01-pod ip link set dev eth0 address 0a:58:0a:80:02:05');
  });
});

describe('route rules', () => {
  it('flags a pod namespace without a default route and suggests its gateway', () => {
    const hosts = ovnKernel();
    const pod = nsOf(hosts, 'ocp-worker-1', 'c16c7a01-pod');
    pod.routes = pod.routes.filter((r) => r.dst !== 'default');
    const [f] = run('pod-default-route-broken', hosts);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', 'c16c7a01-pod', 'eth0')]);
    expect(f?.fix?.[0]).toBe('ip netns exec c16c7a01-pod ip route replace default via 10.128.2.1 dev eth0');
  });

  it('accepts the Calico/Cilium link-scope gateway but flags an unreachable one', () => {
    const hosts = cilium();
    const pod = nsOf(hosts, 'cilium-1', 'cni-7d2e');
    pod.routes = [route({ dst: 'default', via: '10.0.1.75', dev: 'eth0' })];
    const [f] = run('pod-default-route-broken', hosts);
    expect(f?.title).toContain('not on any prefix of eth0');
  });

  it('flags a node whose only route to its pod is the default route via the uplink', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    root.routes = root.routes.filter((r) => r.dev !== 'cni0');
    const [f] = run('pod-route-missing', hosts);
    expect(f?.title).toContain('10.244.0.5');
    expect(f?.elements).toEqual([ifaceId('node-a', 'cni-node-a-1', 'eth0'), ifaceId('node-a', null, 'eth0')]);
    // The connected route of the bridge's subnet, as `ip route` takes it.
    expect(f?.fix).toContain('ip route replace 10.244.0.0/24 dev cni0');
  });
});

describe('rules that find something absent judge only what was listed whole', () => {
  it('a route to the pod is missing only from a whole route table, not from one listed for a device', () => {
    const hosts = flannel();
    const root = nsOf(hosts, 'node-a', null);
    root.routes = root.routes.filter((r) => r.dev !== 'cni0');
    root.collected = ['ip-addr', 'ip-link'];
    root.collectedFor = { 'ip-route': ['eth0'] };
    expect(run('pod-route-missing', hosts)).toEqual([]);
    root.collected = ['ip-addr', 'ip-link', 'ip-route'];
    expect(run('pod-route-missing', hosts).map((f) => f.rule)).toEqual(['pod-route-missing']);
  });

  it('a pod without a default route is judged only where its route table was listed', () => {
    const hosts = ovnKernel();
    const pod = nsOf(hosts, 'ocp-worker-1', 'c16c7a01-pod');
    pod.routes = pod.routes.filter((r) => r.dst !== 'default');
    pod.collected = ['ip-addr'];
    expect(run('pod-default-route-broken', hosts)).toEqual([]);
    pod.collected = ['ip-addr', 'ip-route'];
    expect(run('pod-default-route-broken', hosts)).toHaveLength(1);
  });

  it('a management port has no kernel device only where every device of the root namespace was listed', () => {
    const hosts = ovnKernel();
    const root = nsOf(hosts, 'ocp-worker-1', null);
    root.interfaces = root.interfaces.filter((i) => i.name !== 'ovn-k8s-mp0');
    root.collected = ['ip-route'];
    root.collectedFor = { 'ip-addr': ['br-ex'] };
    expect(run('ovn-mgmt-port-broken', hosts)).toEqual([]);
    root.collected = ['ip-link', 'ip-route'];
    expect(run('ovn-mgmt-port-broken', hosts).map((f) => f.title)).toEqual(['OVN management port ovn-k8s-mp0 has no kernel device on ocp-worker-1']);
  });
});

describe('duplicate rules', () => {
  it('flags the same pod IP on two nodes but not the peer-pod pair', () => {
    const hosts = flannel({ links: { 'node-b/cni-node-b-1/eth0': { addrs: ['10.244.0.5/24'] } } });
    const findings = run('duplicate-ip-address', hosts);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.elements).toEqual([ifaceId('node-a', 'cni-node-a-1', 'eth0'), ifaceId('node-b', 'cni-node-b-1', 'eth0')]);
    expect(run('duplicate-ip-address', peerPodOvnNetdev())).toEqual([]);
  });

  it('flags cloned VTEP MACs on two nodes and ignores the intended peer-pod MAC pair', () => {
    const hosts = flannel({ links: { 'node-b/-/flannel.1': { mac: 'c2:7d:4e:90:1a:01' } } });
    const findings = run('duplicate-mac-address', hosts);
    expect(findings.map((f) => f.elements)).toEqual([[ifaceId('node-a', null, 'flannel.1'), ifaceId('node-b', null, 'flannel.1')]]);
    expect(run('duplicate-mac-address', peerPodOvnNetdev())).toEqual([]);
  });
});

describe('host policy rules', () => {
  it('flags an iptables DROP on the peer-pod tunnel port and prints the delete command', () => {
    const hosts = peerPodOvnNetdev();
    nsOf(hosts, 'worker', null).firewall = [iptables('filter', '-A INPUT -p udp -m udp --dport 4789 -j DROP')];
    const [f] = run('firewall-drops-pod-traffic', hosts);
    expect(f?.elements).toEqual([hostId('worker')]);
    expect(f?.fix?.[0]).toBe('iptables -t filter -D INPUT -p udp -m udp --dport 4789 -j DROP');
    expect(f?.evidence[0]).toMatchObject({ host: 'worker', netns: null, command: 'iptables-save -t filter' });
  });

  it('ignores ACCEPT rules and drops of unrelated ports', () => {
    const hosts = peerPodOvnNetdev();
    nsOf(hosts, 'worker', null).firewall = [iptables('filter', '-A INPUT -p udp -m udp --dport 4789 -j ACCEPT'), iptables('filter', '-A INPUT -p tcp -m tcp --dport 23 -j DROP')];
    expect(run('firewall-drops-pod-traffic', hosts)).toEqual([]);
  });

  it('flags ip_forward = 0 on a worker with pods', () => {
    const hosts = flannel();
    nsOf(hosts, 'node-b', null).sysctls['net.ipv4.ip_forward'] = '0';
    const [f, ...rest] = run('ip-forward-disabled', hosts);
    expect(rest).toEqual([]);
    expect(f?.elements).toEqual([hostId('node-b')]);
    expect(f?.fix?.[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
  });

  it('flags strict rp_filter on the OVN management port', () => {
    const hosts = ovnKernel();
    nsOf(hosts, 'ocp-worker-1', null).sysctls['net.ipv4.conf.ovn-k8s-mp0.rp_filter'] = '1';
    const [f] = run('rp-filter-strict', hosts);
    expect(f?.elements).toEqual([ifaceId('ocp-worker-1', null, 'ovn-k8s-mp0')]);
    expect(f?.fix?.[0]).toBe('sysctl -w net.ipv4.conf.ovn-k8s-mp0.rp_filter=2');
  });
});

it('keeps the worker neighbour for the pod IP as corroboration, not as a separate fault', () => {
  const hosts = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { mac: '7e:e5:f7:e6:f5:1a' } } });
  expect(run('neighbor-mac-mismatch', hosts)).toEqual([]);
  expect(nsOf(hosts, 'worker', null).neighbors[0]?.lladdr).toBe(POD_MAC);
});
