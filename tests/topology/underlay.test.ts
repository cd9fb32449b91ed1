import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, hostId, ifaceId } from '@/lib/topology/ids';
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
});
