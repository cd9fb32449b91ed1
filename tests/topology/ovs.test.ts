import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, ifaceId, ovsBridgeId } from '@/lib/topology/ids';
import { withIface } from '@/tests/fixtures/topology/builders';
import { FLANNEL_OTHER, flannelHosts } from '@/tests/fixtures/topology/flannel';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

describe('OVS membership', () => {
  it.each([
    ['netdev', LAB_PEERPOD],
    ['system', LAB_PEERPOD],
    ['netdev', OTHER_PEERPOD],
  ] as const)('joins bridge ports from OVS tables on the %s datapath (%s)', (datapath, base) => {
    const p = { ...base, datapath };
    const t = buildTopology(peerPodHosts(p));
    const bridge = ovsBridgeId(p.worker, p.bridge);
    expect(t.nodes.find((n) => n.id === bridge)?.parent).toBe(`host:${p.worker}`);
    const members = t.edges
      .filter((e) => e.kind === 'ovs-port' && e.target === bridge)
      .map((e) => e.source)
      .sort();
    expect(members).toEqual([p.bridge, p.mgmtPort, p.hostVeth].map((n) => ifaceId(p.worker, null, n)).sort());
  });

  it('attaches the OVS Interface row (iface-id) to the host-end veth that has no master', () => {
    const t = buildTopology(peerPodHosts());
    const veth = t.nodes.find((n) => n.id === ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth));
    expect(veth?.iface?.master).toBeUndefined();
    expect(veth?.ovsInterface?.externalIds['iface-id']).toBe(LAB_PEERPOD.lspPod);
  });

  it('falls back to master ovs-system when OVS data was not captured', () => {
    const hosts = peerPodHosts({ datapath: 'system' }).map((h) => ({ ...h, ovs: undefined }));
    const t = buildTopology(hosts);
    const id = edgeId('ovs-port', ifaceId(LAB_PEERPOD.worker, null, LAB_PEERPOD.hostVeth), ifaceId(LAB_PEERPOD.worker, null, 'ovs-system'), true);
    expect(t.edges.some((e) => e.id === id)).toBe(true);
  });

  it('records an OVS system port whose kernel device does not exist', () => {
    const hosts = peerPodHosts().map((h) => ({
      ...h,
      namespaces: h.namespaces.map((n) => ({ ...n, interfaces: n.interfaces.filter((i) => i.name !== LAB_PEERPOD.hostVeth) })),
    }));
    const t = buildTopology(hosts);
    expect(t.unresolved).toContainEqual(expect.objectContaining({ kind: 'ovs-port', from: ovsBridgeId(LAB_PEERPOD.worker, 'br-int'), target: LAB_PEERPOD.hostVeth }));
  });
});

describe('Linux bridge membership', () => {
  it('adds a bridge-port edge from each enslaved veth to its bridge device', () => {
    const t = buildTopology(flannelHosts(FLANNEL_OTHER));
    const [a] = FLANNEL_OTHER.nodes;
    const id = edgeId('bridge-port', ifaceId(a.name, null, a.hostVeth), ifaceId(a.name, null, FLANNEL_OTHER.bridge), true);
    expect(t.edges.find((e) => e.id === id)?.label).toBe('forwarding');
    expect(t.edges.filter((e) => e.kind === 'bridge-port')).toHaveLength(2);
  });

  it('does not add a bridge-port edge when the master is not a bridge', () => {
    const [a] = FLANNEL_OTHER.nodes;
    const hosts = withIface(flannelHosts(FLANNEL_OTHER), a.name, null, FLANNEL_OTHER.bridge, (i) => ({ ...i, kind: 'bond' }));
    const stripped = withIface(hosts, a.name, null, a.hostVeth, (i) => ({ ...i, slaveKind: 'bond' }));
    expect(buildTopology(stripped).edges.filter((e) => e.kind === 'bridge-port')).toHaveLength(1);
  });
});
