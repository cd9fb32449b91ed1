import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, hostId, ifaceId, segmentId } from '@/lib/topology/ids';
import { flatHostName, flatSubnetHosts } from '@/tests/fixtures/topology/flat-subnet';
import { FLANNEL_OTHER, flannelHosts } from '@/tests/fixtures/topology/flannel';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

describe('underlay', () => {
  it.each([LAB_PEERPOD, OTHER_PEERPOD])('leads a tunnel moved into a pod namespace to the uplink of its creating namespace ($uplink)', (p) => {
    const t = buildTopology(peerPodHosts(p));
    const from = ifaceId(p.worker, p.podNs, p.workerTunnel);
    const edge = t.edges.find((e) => e.kind === 'tunnel-underlay' && e.source === from);
    expect(edge?.target).toBe(ifaceId(p.worker, null, p.uplink));
    expect(edge?.label).toBe(`route to ${p.podvmIp}`);
  });

  it('uses the dev named by the tunnel device when there is one (flannel)', () => {
    const t = buildTopology(flannelHosts(FLANNEL_OTHER));
    const a = FLANNEL_OTHER.nodes[0].name;
    const edge = t.edges.find((e) => e.kind === 'tunnel-underlay' && e.source === ifaceId(a, null, FLANNEL_OTHER.vtep));
    expect(edge?.target).toBe(ifaceId(a, null, FLANNEL_OTHER.uplink));
  });

  it('links hosts whose uplinks share a subnet with one underlay edge labelled by the subnet', () => {
    const t = buildTopology(peerPodHosts(OTHER_PEERPOD));
    const under = t.edges.filter((e) => e.kind === 'underlay');
    expect(under).toHaveLength(1);
    expect(under[0].id).toBe(edgeId('underlay', hostId('edge-worker-07'), hostId('vm-7f3a')));
    expect(under[0].label).toBe('172.20.4.0/22');
  });

  it('finds the shared subnet of uplinks in different /24s of one /20', () => {
    const t = buildTopology(flannelHosts(FLANNEL_OTHER));
    expect(t.edges.filter((e) => e.kind === 'underlay').map((e) => e.label)).toEqual(['172.31.0.0/20']);
  });

  it('draws no underlay edge between hosts on different subnets, even when they share a pod subnet', () => {
    const t = buildTopology(peerPodHosts({ ...OTHER_PEERPOD, podvmIp: '192.0.2.77' }));
    expect(t.edges.filter((e) => e.kind === 'underlay')).toEqual([]);
  });

  it('models a subnet shared by more than two hosts as one segment node with one edge per host', () => {
    const t = buildTopology(flatSubnetHosts(5));
    const segment = segmentId('10.20.0.0/22');
    expect(t.nodes.filter((n) => n.kind === 'segment')).toEqual([{ id: segment, kind: 'segment', label: '10.20.0.0/22', host: '', marks: [] }]);
    const under = t.edges.filter((e) => e.kind === 'underlay');
    expect(under).toHaveLength(5);
    expect(under.map((e) => e.id)).toEqual([0, 1, 2, 3, 4].map((i) => edgeId('underlay', hostId(flatHostName(i)), segment)));
    expect(under.every((e) => e.target === segment && !e.directed)).toBe(true);
    expect(under.map((e) => e.label)).toEqual(['10.20.0.10', '10.20.0.11', '10.20.0.12', '10.20.0.13', '10.20.0.14']);
  });

  it('keeps one direct edge and no segment for exactly two hosts on a subnet', () => {
    const t = buildTopology(flatSubnetHosts(2));
    expect(t.nodes.some((n) => n.kind === 'segment')).toBe(false);
    const under = t.edges.filter((e) => e.kind === 'underlay');
    expect(under.map((e) => [e.id, e.label])).toEqual([[edgeId('underlay', hostId(flatHostName(0)), hostId(flatHostName(1))), '10.20.0.0/22']]);
  });

  it('gives the same segment and edges whatever the order of the hosts', () => {
    const hosts = flatSubnetHosts(7);
    const forward = buildTopology(hosts);
    const backward = buildTopology([...hosts].reverse());
    const shuffled = buildTopology([hosts[3], hosts[6], hosts[0], hosts[5], hosts[1], hosts[4], hosts[2]]);
    const underlay = (t: typeof forward) => ({
      nodes: t.nodes.filter((n) => n.kind === 'segment'),
      edges: t.edges.filter((e) => e.kind === 'underlay'),
    });
    expect(underlay(backward)).toEqual(underlay(forward));
    expect(underlay(shuffled)).toEqual(underlay(forward));
  });

  it('gives each shared subnet its own segment', () => {
    const t = buildTopology([...flatSubnetHosts(3), ...flatSubnetHosts(3, '10.30').map((h) => ({ ...h, name: `b-${h.name}` }))]);
    expect(t.nodes.filter((n) => n.kind === 'segment').map((n) => n.id)).toEqual([segmentId('10.20.0.0/22'), segmentId('10.30.0.0/22')]);
    expect(t.edges.filter((e) => e.kind === 'underlay')).toHaveLength(6);
    expect(t.edges.some((e) => e.kind === 'underlay' && e.source.startsWith('host:b-') && e.target === segmentId('10.20.0.0/22'))).toBe(false);
  });
});
