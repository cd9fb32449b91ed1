import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import { host, iface, ns, withIface, withNs } from '@/tests/fixtures/topology/builders';
import { ciliumHost, CILIUM_DEFAULT } from '@/tests/fixtures/topology/cilium';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

describe('veth pairs', () => {
  it.each([LAB_PEERPOD, OTHER_PEERPOD])('pairs the pod eth0 with its host end across namespaces via link_netnsid ($worker)', (p) => {
    const t = buildTopology(peerPodHosts(p));
    const id = edgeId('veth', ifaceId(p.worker, null, p.hostVeth), ifaceId(p.worker, p.podNs, 'eth0'));
    expect(t.edges.find((e) => e.id === id)?.kind).toBe('veth');
    expect(t.edges.filter((e) => e.kind === 'veth')).toHaveLength(1);
  });

  it('pairs same-namespace veths by link name (cilium_host ⇄ cilium_net) and lxc veths across namespaces', () => {
    const t = buildTopology([ciliumHost()]);
    const h = CILIUM_DEFAULT.name;
    expect(t.edges.some((e) => e.id === edgeId('veth', ifaceId(h, null, 'cilium_host'), ifaceId(h, null, 'cilium_net')))).toBe(true);
    for (const pod of CILIUM_DEFAULT.pods) {
      expect(t.edges.some((e) => e.id === edgeId('veth', ifaceId(h, null, pod.lxc), ifaceId(h, pod.netns, 'eth0')))).toBe(true);
    }
  });

  it('marks peer-missing when the kernel reports @NONE', () => {
    const hosts = withIface(peerPodHosts(), LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth, (i) => ({
      ...i,
      link: null,
      linkIndex: undefined,
      linkNetnsId: undefined,
    }));
    const t = buildTopology(withNs(hosts, LAB_PEERPOD.worker, LAB_PEERPOD.podNs, (n) => ({ ...n, interfaces: n.interfaces.filter((i) => i.name !== 'eth0') })));
    expect(t.nodes.find((n) => n.id === ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth))?.marks).toContain('peer-missing');
    expect(t.unresolved?.some((u) => u.kind === 'veth' && u.from === ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth))).toBe(true);
  });

  it('marks peer-missing when the peer ifindex is absent from the captured namespace', () => {
    const t = buildTopology(withIface(peerPodHosts(), LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth, (i) => ({ ...i, linkIndex: 99 })));
    expect(t.nodes.find((n) => n.id === ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth))?.marks).toEqual(['peer-missing']);
  });

  it('marks peer-elsewhere when link_netnsid names a namespace that was not captured', () => {
    const hosts = withNs(peerPodHosts(), LAB_PEERPOD.worker, null, (n) => ({ ...n, netnsIds: [...n.netnsIds, { nsid: 5, name: 'uncaptured' }] }));
    const t = buildTopology(withIface(hosts, LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth, (i) => ({ ...i, linkNetnsId: 5 })));
    expect(t.nodes.find((n) => n.id === ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth))?.marks).toEqual(['peer-elsewhere']);
  });

  it('keeps an uplink veth whose peer is in an unnamed namespace unpaired, even when a root device has the peer ifindex', () => {
    // Root `ip netns list-id` lists the switch's namespace without a name; ifindex 3 in the root is the CNI bridge.
    const uplink = iface({ ifindex: 2, name: 'enp1s0', kind: 'veth', linkIndex: 3, linkNetnsId: 0 });
    const bridge = iface({ ifindex: 3, name: 'cni0', kind: 'bridge' });
    const podEnd = iface({ ifindex: 4, name: 'veth1', kind: 'veth', linkIndex: 2, linkNetnsId: 1 });
    const eth0 = iface({ ifindex: 2, name: 'eth0', kind: 'veth', linkIndex: 4, linkNetnsId: 0 });
    const root = ns(null, { interfaces: [uplink, bridge, podEnd], netnsIds: [{ nsid: 0 }, { nsid: 1, name: 'p1' }] });
    const t = buildTopology([host('n1', 'node', [root, ns('p1', { interfaces: [eth0], netnsIds: [{ nsid: 0 }] })])]);
    expect(t.edges.filter((e) => e.kind === 'veth').map((e) => e.id)).toEqual([edgeId('veth', ifaceId('n1', null, 'veth1'), ifaceId('n1', 'p1', 'eth0'))]);
    expect(t.nodes.find((n) => n.id === ifaceId('n1', null, 'enp1s0'))?.marks).toEqual(['peer-elsewhere']);
  });

  it('resolves a pair from text name@ifN without ip netns list-id when both ends point at each other', () => {
    const a = iface({ ifindex: 20, name: 'vethA', kind: 'device', link: 'if3', linkNetnsId: 4 });
    const b = iface({ ifindex: 3, name: 'eth0', kind: 'device', link: 'if20', linkNetnsId: 0 });
    const t = buildTopology([host('n1', 'node', [ns(null, { interfaces: [a] }), ns('p1', { interfaces: [b] })])]);
    expect(t.edges.map((e) => e.id)).toEqual([edgeId('veth', ifaceId('n1', null, 'vethA'), ifaceId('n1', 'p1', 'eth0'))]);
  });

  it('reads an nsid through the map of the namespace that printed it, never the root’s', () => {
    // Root: nsid 0 is pod p2. Inside p1, nsid 0 is the root. p1's eth0 (plain `ip a`, no kind) pairs with the root end.
    const hostEnd = iface({ ifindex: 9, name: 'vethP1', kind: 'veth', linkIndex: 2, linkNetns: 'p1' });
    const other = iface({ ifindex: 10, name: 'vethP2', kind: 'veth', linkIndex: 2, linkNetnsId: 0 });
    const root = ns(null, {
      interfaces: [hostEnd, other],
      netnsIds: [
        { nsid: 0, name: 'p2' },
        { nsid: 1, name: 'p1' },
      ],
    });
    const eth0 = iface({ ifindex: 2, name: 'eth0', kind: 'device', link: 'if9', linkNetnsId: 0 });
    const t = buildTopology([host('n1', 'node', [root, ns('p1', { interfaces: [eth0] })])]);
    expect(t.edges.filter((e) => e.kind === 'veth').map((e) => e.id)).toEqual([edgeId('veth', ifaceId('n1', null, 'vethP1'), ifaceId('n1', 'p1', 'eth0'))]);
    expect(t.nodes.find((n) => n.id === ifaceId('n1', null, 'vethP2'))?.marks).toEqual(['peer-elsewhere']);
  });

  it('leaves a pod end unknown, not missing, when several captured ends could point back and no map tells', () => {
    // Two pods seen from a root namespace whose list-id was not captured: both eth0 are ifindex 2 and point at if7.
    const a = iface({ ifindex: 2, name: 'eth0', kind: 'veth', link: 'if7', linkNetnsId: 0 });
    const b = iface({ ifindex: 7, name: 'vethX', kind: 'veth', link: 'if2', linkNetnsId: 3 });
    const t = buildTopology([host('n1', 'node', [ns(null, { interfaces: [a] }), ns('q1', { interfaces: [b] }), ns('q2', { interfaces: [{ ...b }] })])]);
    expect(t.nodes.find((n) => n.id === ifaceId('n1', null, 'eth0'))?.marks).toEqual(['peer-elsewhere']);
  });

  it('does not treat a vxlan moved into a pod namespace (link_index = own ifindex) as a veth', () => {
    const t = buildTopology(peerPodHosts());
    expect(t.edges.filter((e) => e.kind === 'veth' && e.id.includes('vxlan'))).toEqual([]);
  });
});
