import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { interfaceMarks, nodesStage } from '@/lib/topology/nodes';
import { iface } from '@/tests/fixtures/topology/builders';
import { LAB_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

describe('nodes stage', () => {
  it('creates a host node, a node per named namespace and interface nodes under their namespace', () => {
    const out = nodesStage({ hosts: peerPodHosts(), nodes: [], edges: [] });
    const ids = (out.nodes ?? []).map((n) => n.id);
    expect(ids).toContain('host:ocp-412-ovn-worker-1');
    expect(ids).toContain(`host:ocp-412-ovn-worker-1/ns:${LAB_PEERPOD.podNs}`);
    expect(ids).not.toContain('host:ocp-412-ovn-worker-1/ns:null');
    const eth0 = out.nodes?.find((n) => n.id === `host:ocp-412-ovn-worker-1/ns:${LAB_PEERPOD.podNs}/if:eth0`);
    expect(eth0?.parent).toBe(`host:ocp-412-ovn-worker-1/ns:${LAB_PEERPOD.podNs}`);
    const mp = out.nodes?.find((n) => n.id === 'host:ocp-412-ovn-worker-1/if:ovn-k8s-mp0');
    expect(mp?.parent).toBe('host:ocp-412-ovn-worker-1');
  });

  it('marks a device without UP as down and an UP device without LOWER_UP as no-carrier', () => {
    expect(interfaceMarks(iface({ ifindex: 5, name: 'x', flags: ['BROADCAST', 'MULTICAST'] }))).toEqual(['down']);
    expect(interfaceMarks(iface({ ifindex: 5, name: 'x', flags: ['NO-CARRIER', 'BROADCAST', 'UP'], operstate: 'DOWN' }))).toEqual(['no-carrier']);
  });

  it('does not mark UNKNOWN-state taps or loopback as no-carrier', () => {
    const tap = iface({ ifindex: 5, name: 'mgmt', kind: 'tun', flags: ['BROADCAST', 'UP'], lowerUp: false, operstate: 'UNKNOWN' });
    const lo = iface({ ifindex: 1, name: 'lo', kind: 'loopback', flags: ['LOOPBACK', 'UP'], lowerUp: false, operstate: 'UNKNOWN' });
    expect(interfaceMarks(tap)).toEqual([]);
    expect(interfaceMarks(lo)).toEqual([]);
  });

  it('marks hosts whose capture is not complete as partial-host', () => {
    const [worker, vm] = peerPodHosts();
    const t = buildTopology([worker, { ...vm, status: 'partial' }]);
    expect(t.nodes.find((n) => n.id === 'host:podvm-peer-pod-46')?.marks).toEqual(['partial-host']);
    expect(t.nodes.find((n) => n.id === 'host:ocp-412-ovn-worker-1')?.marks).toEqual([]);
  });

  it('leaves the healthy management port and pod devices unmarked', () => {
    const t = buildTopology(peerPodHosts());
    expect(t.nodes.find((n) => n.id === 'host:ocp-412-ovn-worker-1/if:ovn-k8s-mp0')?.marks).toEqual([]);
    expect(t.nodes.find((n) => n.id === `host:ocp-412-ovn-worker-1/ns:${LAB_PEERPOD.podNs}/if:vxlan1`)?.marks).toEqual([]);
  });
});
