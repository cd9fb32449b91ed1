import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, netnsId, podId } from '@/lib/topology/ids';
import { ciliumHost, CILIUM_DEFAULT } from '@/tests/fixtures/topology/cilium';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

describe('pods', () => {
  it('links a cluster pod to every namespace holding its IP: the worker namespace and the pod VM namespace', () => {
    const p = OTHER_PEERPOD;
    const t = buildTopology(peerPodHosts(p), { nodes: [], pods: [{ namespace: 'shop', name: 'cart-5d9f', ip: p.podIp, nodeName: p.worker }] });
    const pod = podId('shop', 'cart-5d9f');
    expect(t.nodes.find((n) => n.id === pod)?.label).toBe('shop/cart-5d9f');
    const targets = t.edges
      .filter((e) => e.kind === 'pod-netns' && e.source === pod)
      .map((e) => e.target)
      .sort();
    expect(targets).toEqual([netnsId(p.worker, p.podNs), netnsId(p.podvm, p.podvmNs)].sort());
  });

  it('infers one pod per global IPv4 in a named namespace when there is no cluster context, preferring the worker side for its id', () => {
    const t = buildTopology(peerPodHosts());
    const pods = t.nodes.filter((n) => n.kind === 'pod');
    expect(pods.map((n) => n.id)).toEqual([podId(LAB_PEERPOD.worker, LAB_PEERPOD.podNs)]);
    expect(pods[0].inferred).toBe(true);
    expect(pods[0].pod?.ip).toBe(LAB_PEERPOD.podIp);
    expect(t.edges.filter((e) => e.kind === 'pod-netns')).toHaveLength(2);
  });

  it('infers Cilium pods from /32 addresses and never from the root namespace', () => {
    const t = buildTopology([ciliumHost()]);
    const pods = t.nodes
      .filter((n) => n.kind === 'pod')
      .map((n) => n.id)
      .sort();
    expect(pods).toEqual(CILIUM_DEFAULT.pods.map((p) => podId(CILIUM_DEFAULT.name, p.netns)).sort());
    expect(t.edges.some((e) => e.id === edgeId('pod-netns', podId(CILIUM_DEFAULT.name, CILIUM_DEFAULT.pods[0].netns), netnsId(CILIUM_DEFAULT.name, CILIUM_DEFAULT.pods[0].netns)))).toBe(true);
  });

  it('keeps a cluster pod whose IP no captured namespace holds, without edges', () => {
    const t = buildTopology(peerPodHosts(), { nodes: [], pods: [{ namespace: 'x', name: 'gone', ip: '10.99.99.99' }] });
    expect(t.nodes.some((n) => n.id === podId('x', 'gone'))).toBe(true);
    expect(t.edges.filter((e) => e.kind === 'pod-netns')).toEqual([]);
  });
});
