import { describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { buildDeviceElements, buildOverviewElements, chooseLevel, needsOverview, type GraphElement } from '@/lib/graph/elements';
import { hostGraph, topologySize } from '@/lib/snapshot/subview';
import view from '../fixtures/views/peerpod-incident.json';
import { syntheticTopology } from './synthetic';

const incident = view as unknown as SnapshotView;
const VXLAN0 = 'host:podvm-nginx-priv-8b726648/ns:podns/if:vxlan0';
const POD_ETH0 = 'host:ocp-412-ovn-worker-1/ns:c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11/if:eth0';

function byId(elements: GraphElement[], id: string): GraphElement | undefined {
  return elements.find((e) => e.data.id === id);
}

describe('device elements', () => {
  const elements = buildDeviceElements(incident.topology, incident.findings);

  it('nests devices in namespaces and namespaces in hosts', () => {
    const vx = byId(elements, VXLAN0);
    expect(vx?.group === 'nodes' && vx.data.parent).toBe('host:podvm-nginx-priv-8b726648/ns:podns');
    const ns = byId(elements, 'host:podvm-nginx-priv-8b726648/ns:podns');
    expect(ns?.group === 'nodes' && ns.data.parent).toBe('host:podvm-nginx-priv-8b726648');
  });

  it('keeps topology ids as element ids so links keep pointing at the same device', () => {
    const ids = elements.map((e) => e.data.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of incident.topology.nodes) expect(ids).toContain(node.id);
    expect(buildDeviceElements(incident.topology, incident.findings).map((e) => e.data.id)).toEqual(ids);
  });

  it('gives elements named by a critical finding the fault class, severity and a badge', () => {
    const vx = byId(elements, VXLAN0);
    expect(vx?.classes).toContain('fault');
    expect(vx?.classes).toContain('fault-critical');
    expect(vx?.group === 'nodes' && vx.data.badge).toBe('⚠');
    expect(vx?.data.label?.startsWith('⚠')).toBe(true);
    const healthy = byId(elements, 'host:podvm-nginx-priv-8b726648/if:ens4');
    expect(healthy?.classes).not.toContain('fault');
  });

  it('labels tunnel edges with VNI and port and marks tc redirects as directed', () => {
    const tunnel = elements.find((e) => e.group === 'edges' && e.data.kind === 'tunnel');
    expect(tunnel?.data.label).toContain('555000');
    expect(tunnel?.data.label).toContain('4789');
    const redirects = elements.filter((e) => e.group === 'edges' && e.data.kind === 'tc-redirect');
    expect(redirects).toHaveLength(2);
    for (const r of redirects) expect(r.classes).toContain('directed');
  });

  it('hides loopback and down devices when those filters are on', () => {
    const filtered = buildDeviceElements(incident.topology, incident.findings, { filters: ['lo', 'down'] });
    expect(filtered.some((e) => e.data.id.endsWith('/if:lo'))).toBe(false);
    expect(byId(filtered, 'host:ocp-412-ovn-worker-1/if:br-int')).toBeUndefined();
    expect(byId(filtered, VXLAN0)).toBeDefined();
  });

  it('collapsing namespaces moves edges to the namespace and carries the fault up', () => {
    const collapsed = buildDeviceElements(incident.topology, incident.findings, { filters: ['collapse'] });
    expect(byId(collapsed, VXLAN0)).toBeUndefined();
    const ns = byId(collapsed, 'host:podvm-nginx-priv-8b726648/ns:podns');
    expect(ns?.classes).toContain('fault-critical');
    const tunnel = collapsed.find((e) => e.group === 'edges' && e.data.kind === 'tunnel');
    expect(tunnel?.group === 'edges' && tunnel.data.target).toBe('host:podvm-nginx-priv-8b726648/ns:podns');
  });

  it('only-faulty keeps the faulty devices with their ancestors and drops the rest', () => {
    const only = buildDeviceElements(incident.topology, incident.findings, { filters: ['faulty'] });
    const ids = only.map((e) => e.data.id);
    expect(ids).toContain(VXLAN0);
    expect(ids).toContain(POD_ETH0);
    expect(ids).toContain('host:podvm-nginx-priv-8b726648');
    expect(ids).not.toContain('host:podvm-nginx-priv-8b726648/if:ens4');
  });

  it('marks the traced path and its breaking hop', () => {
    const traced = buildDeviceElements(incident.topology, incident.findings, { trace: { ids: [POD_ETH0, VXLAN0], breakAt: VXLAN0 } });
    expect(byId(traced, POD_ETH0)?.classes).toContain('trace');
    expect(byId(traced, VXLAN0)?.classes).toContain('trace-break');
  });

  it('drill-down into a host shows its devices and the remote end as the remote host', () => {
    const host = buildDeviceElements(incident.topology, incident.findings, { host: 'ocp-412-ovn-worker-1' });
    expect(byId(host, VXLAN0)).toBeUndefined();
    expect(byId(host, 'host:podvm-nginx-priv-8b726648')?.classes).toContain('remote');
    const tunnel = host.find((e) => e.group === 'edges' && e.data.kind === 'tunnel');
    expect(tunnel?.group === 'edges' && tunnel.data.target).toBe('host:podvm-nginx-priv-8b726648');
  });
});

describe('overview on a 200-host cluster', () => {
  const big = syntheticTopology(200, 6);

  it('is chosen by default for 200 hosts and not for the two-host incident', () => {
    expect(needsOverview(topologySize(big))).toBe(true);
    expect(needsOverview(topologySize(incident.topology))).toBe(false);
    expect(chooseLevel(topologySize(big), [], {})).toBe('overview');
    expect(chooseLevel(topologySize(incident.topology), [], {})).toBe('full');
  });

  it('lets a drill-down into a known host win over an explicit level, and an explicit level over the size rule', () => {
    const size = topologySize(big);
    expect(chooseLevel(size, ['worker-007'], { host: 'worker-007', level: 'overview' })).toBe('host');
    expect(chooseLevel(size, ['worker-007'], { host: 'nope', level: 'full' })).toBe('full');
    expect(chooseLevel(topologySize(incident.topology), [], { level: 'overview' })).toBe('overview');
  });

  it('draws one node per host and one merged tunnel edge per host pair', () => {
    const elements = buildOverviewElements(hostGraph(big, []));
    expect(elements.filter((e) => e.group === 'nodes')).toHaveLength(200);
    expect(elements.filter((e) => e.group === 'edges')).toHaveLength(200);
    expect(big.nodes.length + big.edges.length).toBeGreaterThan(5000);
  });

  it('drill-down into one of 200 hosts stays small', () => {
    const elements = buildDeviceElements(big, [], { host: 'worker-007' });
    const own = elements.filter((e) => e.group === 'nodes' && !e.classes.includes('remote'));
    expect(own).toHaveLength(1 + 1 + 2 + 6 * 4);
    expect(elements.length).toBeLessThan(80);
  });

  it('shows per-host fault counts on overview nodes', () => {
    const tunnel = big.edges.find((e) => e.kind === 'tunnel');
    const findings = [{ rule: 'r', severity: 'warning' as const, title: 't', explanation: '', evidence: [], elements: [tunnel!.id] }];
    const elements = buildOverviewElements(hostGraph(big, findings));
    const faulty = elements.filter((e) => e.group === 'nodes' && e.data.faults === 1);
    expect(faulty.map((e) => e.data.id).sort()).toEqual(['host:worker-000', 'host:worker-001']);
    expect(faulty[0].classes).toContain('fault-warning');
    const edge = elements.find((e) => e.group === 'edges' && e.data.severity === 'warning');
    expect(edge?.data.label?.startsWith('⚠')).toBe(true);
  });
});
