import { describe, expect, it } from 'vitest';
import type { Finding } from '@/lib/diagnose/types';
import { sh } from '@/lib/diagnose/fix';
import { buildDeviceElements, buildOverviewElements, type BuildOptions } from '@/lib/graph/elements';
import { inspect, inspectInCut } from '@/lib/view/inspect';
import { pathForSubject } from '@/lib/snapshot/path';
import { hostGraph, hostSubview, overviewOf, storedOverview } from '@/lib/snapshot/subview';
import type { SnapshotView } from '@/lib/snapshot/types';
import { edgeId, hostId, ifaceId, netnsId } from '@/lib/topology/ids';
import view from '../fixtures/views/peerpod-incident.json';
import { syntheticTopology } from '../graph/synthetic';

const incident = view as unknown as SnapshotView;
const WORKER = 'ocp-412-ovn-worker-1';
const PODVM = 'podvm-nginx-priv-8b726648';
const VXLAN0 = `host:${PODVM}/ns:podns/if:vxlan0`;
const POD_ETH0 = `host:${WORKER}/ns:c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11/if:eth0`;

function finding(rule: string, severity: Finding['severity'], elements: string[]): Finding {
  return {
    rule,
    severity,
    title: rule,
    explanation: `why ${rule}`,
    evidence: [{ host: 'h', netns: null, command: 'ip link', lines: ['line'] }],
    elements,
    fix: [sh`ip link set x up`],
  };
}

function worker(i: number): string {
  return `worker-${String(i).padStart(3, '0')}`;
}

/**
 * 30 workers in a tunnel ring. worker-002 (a far end of worker-001) has a faulty pod device and a faulty veth
 * edge; worker-010 (not linked to worker-001) has a fault too; worker-000's tunnel to worker-001 is faulty.
 */
function faultyCluster(): SnapshotView {
  const topology = syntheticTopology(30, 3);
  const findings = [
    finding('pod-eth0', 'critical', [ifaceId(worker(2), 'pod-2-1', 'eth0')]),
    finding('veth-edge', 'warning', [edgeId('veth', ifaceId(worker(2), null, 'veth0'), ifaceId(worker(2), 'pod-2-0', 'eth0'))]),
    finding('far-away', 'critical', [ifaceId(worker(10), null, 'ens3')]),
    finding('tunnel', 'warning', [topology.edges.find((e) => e.kind === 'tunnel')!.id]),
    finding('own-lo', 'info', [ifaceId(worker(1), 'pod-1-0', 'lo')]),
  ];
  const meta = { ...incident.meta, hosts: topology.nodes.filter((n) => n.kind === 'host').map((n) => n.host) };
  return { meta, topology, findings };
}

const FILTER_SETS: BuildOptions['filters'][] = [[], ['lo', 'down'], ['collapse'], ['faulty'], ['faulty', 'collapse', 'lo']];

function hostsOf(v: SnapshotView): string[] {
  return v.topology.nodes.filter((n) => n.kind === 'host').map((n) => n.host);
}

describe('overview level', () => {
  const overview = overviewOf(incident);

  it('carries the findings without evidence, explanation or fix, with the device and host a click opens', () => {
    expect(overview.findings).toHaveLength(incident.findings.length);
    const mismatch = overview.findings.find((f) => f.rule === 'peerpod-podvm-mac-mismatch')!;
    expect(Object.keys(mismatch).sort()).toEqual(['elements', 'first', 'host', 'rule', 'severity', 'title']);
    expect(mismatch.first).toBe(VXLAN0);
    expect(mismatch.host).toBe(PODVM);
  });

  it('counts findings per host and takes the worst severity of the host elements, edges counting for both ends', () => {
    expect(overview.faults[PODVM]).toEqual({ count: 2, severity: 'critical' });
    expect(overview.faults[WORKER]).toEqual({ count: 1, severity: 'critical' });
  });

  it('merges tunnels per host pair with their VNIs and severity', () => {
    const cluster = faultyCluster();
    const graph = hostGraph(cluster.topology, cluster.findings);
    expect(graph.links).toHaveLength(30);
    const faulty = graph.links.filter((l) => l.severity);
    expect(faulty).toEqual([
      {
        id: `tunnels:${hostId(worker(0))}|${hostId(worker(1))}`,
        kind: 'tunnel',
        source: hostId(worker(0)),
        target: hostId(worker(1)),
        count: 1,
        vnis: [1000],
        severity: 'warning',
      },
    ]);
  });

  it('draws the same overview from the stored level as from the whole topology', () => {
    const cluster = faultyCluster();
    const stored = JSON.parse(JSON.stringify(storedOverview(cluster.topology, cluster.findings))) as ReturnType<typeof storedOverview>;
    expect(buildOverviewElements(stored)).toEqual(buildOverviewElements(hostGraph(cluster.topology, cluster.findings)));
    expect(stored.size).toEqual({ hosts: 30, nodes: cluster.topology.nodes.length, edges: cluster.topology.edges.length });
  });

  it('keeps the path of the most severe finding, the one an incident page opens on, as the whole topology traces it', () => {
    const stored = storedOverview(incident.topology, incident.findings);
    expect(stored.path?.finding?.rule).toBe('peerpod-podvm-mac-mismatch');
    expect(stored.path).toEqual(pathForSubject(incident.topology, incident.findings, undefined));
    expect(storedOverview(incident.topology, []).path).toBeNull();
  });

  it('inspects a host from its brief as from its parsed state', () => {
    const fromBrief = inspect({ hosts: [], nodes: overview.hosts, edges: [] }, hostId(PODVM), overview.briefs);
    expect(fromBrief).toEqual(inspect(incident.topology, hostId(PODVM)));
    expect(JSON.stringify(fromBrief)).toContain('Pod VM network config');
  });
});

describe('host level', () => {
  it('answers null for a host that is not in the snapshot', () => {
    expect(hostSubview(incident, 'nope')).toBeNull();
  });

  it.each([
    ['the peer-pod incident', incident],
    ['a 30-host cluster with faults near and far', faultyCluster()],
  ])('draws every host of %s as the whole snapshot draws it, with every filter', (_name, whole) => {
    const trace = { ids: [POD_ETH0, VXLAN0], breakAt: VXLAN0 };
    for (const host of hostsOf(whole)) {
      const cut = hostSubview(whole, host)!;
      for (const filters of FILTER_SETS) {
        const options = { host, filters, trace };
        expect(buildDeviceElements(cut.topology, cut.findings, options), `${host} ${filters?.join(',')}`).toEqual(buildDeviceElements(whole.topology, whole.findings, options));
      }
    }
  });

  it('shows a far host with the worst fault of its hidden devices', () => {
    const cluster = faultyCluster();
    const cut = hostSubview(cluster, worker(1))!;
    const far = buildDeviceElements(cut.topology, cut.findings, { host: worker(1) }).find((e) => e.data.id === hostId(worker(2)));
    expect(far?.classes).toEqual(expect.arrayContaining(['remote', 'contains-fault', 'fault-critical']));
    expect(cut.findings.map((f) => f.rule).sort()).toEqual(['own-lo', 'pod-eth0', 'tunnel', 'veth-edge']);
  });

  it.each([
    ['the peer-pod incident', incident],
    ['a 30-host cluster', faultyCluster()],
  ])('inspects every own device, edge and host of %s as the whole snapshot does', (_name, whole) => {
    for (const host of hostsOf(whole)) {
      const cut = hostSubview(whole, host)!;
      const ids = [...cut.topology.nodes.filter((n) => n.host === host || n.kind === 'host').map((n) => n.id), ...cut.topology.edges.map((e) => e.id)];
      expect(ids.length).toBeGreaterThan(1);
      for (const id of ids) expect(inspectInCut(cut.topology, id, cut.briefs, host), id).toEqual(inspect(whole.topology, id));
    }
  });

  it('keeps of other hosts only the routes and neighbours that point at this host', () => {
    const cut = hostSubview(incident, WORKER)!;
    const podvm = cut.topology.hosts.find((h) => h.name === PODVM)!;
    const whole = incident.topology.hosts.find((h) => h.name === PODVM)!;
    expect(podvm.namespaces.length).toBeLessThan(whole.namespaces.length);
    expect(podvm.namespaces.every((ns) => ns.interfaces.length === 0)).toBe(true);
    expect(cut.topology.hosts.find((h) => h.name === WORKER)).toEqual(incident.topology.hosts.find((h) => h.name === WORKER));
    // Another host's own devices are not inspected from a cut that holds only part of its state.
    expect(inspectInCut(cut.topology, VXLAN0, cut.briefs, WORKER)).toBeNull();
  });

  it('keeps whole findings, evidence included, for what the host draws', () => {
    const cut = hostSubview(incident, WORKER)!;
    const mismatch = cut.findings.find((f) => f.rule === 'peerpod-podvm-mac-mismatch');
    expect(mismatch).toEqual(incident.findings.find((f) => f.rule === 'peerpod-podvm-mac-mismatch'));
  });

  it('cuts one of 200 hosts to a small part of the snapshot', () => {
    const big: SnapshotView = { meta: incident.meta, topology: syntheticTopology(200, 6), findings: [] };
    const cut = hostSubview(big, worker(7))!;
    expect(cut.topology.nodes.filter((n) => n.host === worker(7))).toHaveLength(1 + 1 + 2 + 6 * 4);
    expect(cut.topology.nodes.length + cut.topology.edges.length).toBeLessThan(60);
    expect(JSON.stringify(cut).length * 50).toBeLessThan(JSON.stringify(big).length);
    expect(cut.briefs).toEqual([]);
    expect(netnsId(worker(7), 'pod-7-0')).toBe(cut.topology.nodes.find((n) => n.kind === 'netns')?.id);
  });
});
