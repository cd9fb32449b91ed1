import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import { withIface, withNs } from '@/tests/fixtures/topology/builders';
import { ciliumHost, CILIUM_DEFAULT } from '@/tests/fixtures/topology/cilium';
import { FLANNEL_DEFAULT, FLANNEL_OTHER, flannelHosts } from '@/tests/fixtures/topology/flannel';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts, type PeerPodParams } from '@/tests/fixtures/topology/ovn-peerpod';

function ends(p: PeerPodParams): [string, string] {
  return [ifaceId(p.worker, p.podNs, p.workerTunnel), ifaceId(p.podvm, p.podvmNs, p.podvmTunnel)];
}

describe('point-to-point tunnels', () => {
  it.each([LAB_PEERPOD, OTHER_PEERPOD])('pairs the worker pod tunnel with the pod VM device by VNI, port and host addresses ($vni)', (p) => {
    const t = buildTopology(peerPodHosts(p));
    const [w, v] = ends(p);
    const edge = t.edges.find((e) => e.id === edgeId('tunnel', w, v));
    expect(edge?.marks).toEqual([]);
    expect(edge?.label).toBe(`VNI ${p.vni} · udp/${p.port}`);
    expect(edge?.vni).toBe(p.vni);
    expect(t.nodes.find((n) => n.id === w)?.marks).toEqual([]);
  });

  it('keeps a VNI mismatch as an unpaired tunnel edge labelled with the mismatch', () => {
    const p = OTHER_PEERPOD;
    const hosts = withIface(peerPodHosts(p), p.podvm, p.podvmNs, p.podvmTunnel, (i) => ({ ...i, vxlan: { ...i.vxlan, vni: 7002 } }));
    const t = buildTopology(hosts);
    const [w, v] = ends(p);
    const edge = t.edges.find((e) => e.id === edgeId('tunnel', w, v));
    expect(edge?.marks).toEqual(['unpaired']);
    expect(edge?.label).toContain('VNI 7001 ≠ 7002');
    expect(t.nodes.find((n) => n.id === w)?.marks).toContain('unpaired');
    expect(t.nodes.find((n) => n.id === v)?.marks).toContain('unpaired');
  });

  it('describes a destination port mismatch (4789 vs 8472)', () => {
    const hosts = withIface(peerPodHosts(), LAB_PEERPOD.podvm, 'podns', 'vxlan0', (i) => ({ ...i, vxlan: { ...i.vxlan, port: 8472 } }));
    const edge = buildTopology(hosts).edges.find((e) => e.kind === 'tunnel');
    expect(edge?.label).toContain('udp/4789 ≠ udp/8472');
    expect(edge?.marks).toEqual(['unpaired']);
  });

  it('describes a remote that is not an address of the other host', () => {
    const p = OTHER_PEERPOD;
    const hosts = withIface(peerPodHosts(p), p.worker, p.podNs, p.workerTunnel, (i) => ({ ...i, vxlan: { ...i.vxlan, remote: '172.20.5.99' } }));
    const edge = buildTopology(hosts).edges.find((e) => e.kind === 'tunnel');
    expect(edge?.label).toContain('remote 172.20.5.99 is not on vm-7f3a');
  });

  it('marks a lone tunnel end unpaired and draws no edge when nothing resembles it', () => {
    const [worker] = peerPodHosts();
    const t = buildTopology([worker]);
    expect(t.edges.filter((e) => e.kind === 'tunnel')).toEqual([]);
    expect(t.nodes.find((n) => n.id === ends(LAB_PEERPOD)[0])?.marks).toEqual(['unpaired']);
  });

  it('does not pair or mark collect-metadata devices such as cilium_vxlan', () => {
    const other = { ...CILIUM_DEFAULT, name: 'cilium-worker-2', nodeIp: '10.10.0.22' };
    const t = buildTopology([ciliumHost(), ciliumHost(other)]);
    expect(t.edges.filter((e) => e.kind === 'tunnel')).toEqual([]);
    expect(t.nodes.find((n) => n.id === ifaceId('cilium-worker-1', null, 'cilium_vxlan'))?.marks).toEqual([]);
  });
});

describe('FDB-driven tunnels', () => {
  it.each([FLANNEL_DEFAULT, FLANNEL_OTHER])('pairs flannel-style VTEPs through FDB dst addresses ($vtep)', (p) => {
    const t = buildTopology(flannelHosts(p));
    const [a, b] = p.nodes;
    const edge = t.edges.find((e) => e.id === edgeId('tunnel', ifaceId(a.name, null, p.vtep), ifaceId(b.name, null, p.vtep)));
    expect(edge?.label).toBe(`VNI ${p.vni} · udp/${p.port}`);
    expect(edge?.marks).toEqual([]);
  });

  it('marks a VTEP unpaired when the FDB entry for a compatible remote VTEP is missing on both sides', () => {
    const p = FLANNEL_DEFAULT;
    let hosts = flannelHosts(p);
    for (const n of p.nodes) hosts = withNs(hosts, n.name, null, (s) => ({ ...s, fdb: s.fdb.filter((e) => e.dev !== p.vtep) }));
    const t = buildTopology(hosts);
    expect(t.edges.filter((e) => e.kind === 'tunnel')).toEqual([]);
    expect(t.nodes.find((n) => n.id === ifaceId(p.nodes[0].name, null, p.vtep))?.marks).toEqual(['unpaired']);
  });

  it('marks the tunnel edge unpaired when the FDB MAC is not the remote VTEP MAC', () => {
    const p = FLANNEL_DEFAULT;
    const hosts = withNs(flannelHosts(p), p.nodes[0].name, null, (s) => ({
      ...s,
      fdb: s.fdb.map((e) => (e.dev === p.vtep ? { ...e, mac: '02:00:00:00:00:99' } : e)),
    }));
    const edge = buildTopology(hosts).edges.find((e) => e.kind === 'tunnel');
    expect(edge?.marks).toEqual(['unpaired']);
    expect(edge?.label).toContain('FDB MAC 02:00:00:00:00:99');
  });
});
