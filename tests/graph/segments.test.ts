import { describe, expect, it } from 'vitest';
import { buildDeviceElements, buildOverviewElements } from '@/lib/graph/elements';
import { traceRoute } from '@/lib/diagnose/trace';
import { inspect } from '@/lib/view/inspect';
import { hostGraph, hostSubview } from '@/lib/snapshot/subview';
import { renderTopologySvg } from '@/lib/export/svg';
import type { SnapshotView } from '@/lib/snapshot/types';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, hostId, segmentId } from '@/lib/topology/ids';
import { formatTopology } from '@/cli/format';
import { flatHostName, flatSubnetHosts } from '@/tests/fixtures/topology/flat-subnet';
import view from '../fixtures/views/peerpod-incident.json';

const SEGMENT = segmentId('10.20.0.0/22');

describe('a flat underlay subnet of many hosts', () => {
  const topology = buildTopology(flatSubnetHosts(200));

  it('yields one underlay edge per host in the overview, not one per host pair', () => {
    const graph = hostGraph(topology, []);
    expect(graph.links.filter((l) => l.kind === 'underlay')).toHaveLength(200);
    expect(graph.segments?.map((n) => n.id)).toEqual([SEGMENT]);
    const elements = buildOverviewElements(graph);
    const edges = elements.flatMap((e) => (e.group === 'edges' && e.data.kind === 'underlay' ? [e.data] : []));
    expect(edges).toHaveLength(200);
    expect(edges.every((e) => e.target === SEGMENT)).toBe(true);
    expect(elements.find((e) => e.data.id === SEGMENT)).toMatchObject({ group: 'nodes', data: { kind: 'segment', device: 'segment', label: '10.20.0.0/22' } });
    expect(elements.filter((e) => e.group === 'nodes')).toHaveLength(201);
  });

  it('draws the segment beside a host in its drill-down, without the other hosts on it', () => {
    const snapshot: SnapshotView = { meta: { ...(view as unknown as SnapshotView).meta, hosts: [] }, topology, findings: [] };
    const cut = hostSubview(snapshot, flatHostName(7));
    expect(cut?.topology.nodes.map((n) => n.id)).toContain(SEGMENT);
    expect(cut?.topology.nodes.filter((n) => n.kind === 'host').map((n) => n.host)).toEqual([flatHostName(7)]);
    const elements = buildDeviceElements(cut!.topology, [], { host: flatHostName(7) });
    const segment = elements.find((e) => e.data.id === SEGMENT);
    expect(segment?.classes).not.toContain('remote');
    expect(elements.filter((e) => e.group === 'edges' && e.data.kind === 'underlay').map((e) => e.data.id)).toEqual([edgeId('underlay', hostId(flatHostName(7)), SEGMENT)]);
  });

  it('inspects, prints and exports the segment', () => {
    const inspection = inspect(topology, SEGMENT);
    expect(inspection?.title).toBe('10.20.0.0/22');
    expect(inspection?.sections[0].rows).toContainEqual(['Hosts', '200']);
    expect(formatTopology(topology)).toContain('segment 10.20.0.0/22 (200 hosts)');
    const svg = renderTopologySvg(buildTopology(flatSubnetHosts(3)), []);
    expect(svg).toContain(`data-id="${SEGMENT}"`);
  });
});

describe('a trace across a shared segment', () => {
  it('crosses the underlay by the source host edge to the segment', () => {
    const hosts = flatSubnetHosts(4);
    hosts[0].namespaces[0].neighbors = [{ dst: '10.20.0.12', dev: 'eth0', lladdr: hosts[2].namespaces[0].interfaces[1].mac, state: ['REACHABLE'] }];
    const r = traceRoute(buildTopology(hosts), hostId(flatHostName(0)), '10.20.0.12');
    const under = r.hops.find((h) => h.action.startsWith('underlay'));
    expect(under).toMatchObject({ ok: true, edge: edgeId('underlay', hostId(flatHostName(0)), SEGMENT) });
    expect(under?.action).toContain('via 10.20.0.0/22');
  });
});

describe('a trace from a segment', () => {
  it('is refused with a reason: a segment sends nothing itself', () => {
    const r = traceRoute(buildTopology(flatSubnetHosts(3)), SEGMENT, '10.20.0.11');
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('shared underlay segment');
  });
});
