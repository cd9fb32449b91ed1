import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import type { HostState } from '@/lib/parse/types';
import { ciliumHost } from '@/tests/fixtures/topology/cilium';
import { flannelHosts } from '@/tests/fixtures/topology/flannel';
import { OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

function reversedDeep(hosts: HostState[]): HostState[] {
  return [...hosts].reverse().map((h) => ({
    ...h,
    namespaces: [...h.namespaces].reverse().map((n) => ({
      ...n,
      interfaces: [...n.interfaces].reverse(),
      routes: [...n.routes].reverse(),
      tcFilters: [...n.tcFilters].reverse(),
      fdb: [...n.fdb].reverse(),
    })),
  }));
}

const everything = (): HostState[] => [...peerPodHosts(), ...peerPodHosts({ ...OTHER_PEERPOD, datapath: 'system' }), ...flannelHosts(), ciliumHost()];

describe('buildTopology', () => {
  it('gives the same ids, marks and labels whatever the order of hosts, namespaces and devices', () => {
    const a = buildTopology(everything());
    const b = buildTopology(reversedDeep(everything()));
    const shape = (t: ReturnType<typeof buildTopology>) => ({
      nodes: t.nodes.map((n) => [n.id, n.parent, n.marks.join(',')]),
      edges: t.edges.map((e) => [e.id, e.source, e.target, e.label, e.marks.join(',')]),
      unresolved: t.unresolved,
    });
    expect(shape(b)).toEqual(shape(a));
  });

  it('returns nodes and edges sorted by id with unique ids, and every edge end is a node', () => {
    const t = buildTopology(everything());
    const nodeIds = t.nodes.map((n) => n.id);
    expect(new Set(nodeIds).size).toBe(nodeIds.length);
    expect([...nodeIds].sort()).toEqual(nodeIds);
    const set = new Set(nodeIds);
    expect(t.edges.every((e) => set.has(e.source) && set.has(e.target))).toBe(true);
    expect(new Set(t.edges.map((e) => e.id)).size).toBe(t.edges.length);
  });

  it('builds readable ids such as host:<host>/ns:<netns>/if:<device>', () => {
    const t = buildTopology(peerPodHosts());
    expect(t.nodes.map((n) => n.id)).toContain('host:ocp-412-ovn-worker-1/ns:c16c7a01-5d2e-4a4b-9a8e-0f4e2d7c1b10/if:eth0');
  });

  it('keeps the hosts it was given and produces no spurious unresolved records on healthy captures', () => {
    const hosts = everything();
    const t = buildTopology(hosts);
    expect(t.hosts).toBe(hosts);
    expect(t.unresolved).toEqual([]);
    expect(t.nodes.filter((n) => n.marks.some((m) => m !== 'down'))).toEqual([]);
  });
});
