import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { COUNTER_RULES, MIN_SENT, counterChanges, counterFindings } from '@/lib/diff/counters';
import { diffViews } from '@/lib/diff/diff';
import { LiveCounters } from '@/lib/diff/live-counters';
import type { InterfaceStats } from '@/lib/parse/types';
import type { SnapshotView } from '@/lib/snapshot/types';
import type { TopoEdge, Topology } from '@/lib/topology/types';
import { VXLAN0_ID, incidentBundle } from '../helpers/incident-sample';

/** Two captures of the incident's devices: independent analyses, so counters can be moved on the second. */
function captures(): { before: Topology; after: Topology; tunnel: TopoEdge; worker: string } {
  const before = analyze(incidentBundle()).topology;
  const after = analyze(incidentBundle()).topology;
  const tunnel = after.edges.find((e) => e.kind === 'tunnel' && (e.source === VXLAN0_ID || e.target === VXLAN0_ID));
  if (!tunnel) throw new Error('the incident sample has no tunnel to vxlan0');
  return { before, after, tunnel, worker: tunnel.source === VXLAN0_ID ? tunnel.target : tunnel.source };
}

/** Adds to the later capture's counters of one device. */
function grow(topology: Topology, id: string, by: Partial<Record<keyof InterfaceStats, number>>): void {
  const stats = topology.nodes.find((n) => n.id === id)?.iface?.stats;
  if (!stats) throw new Error(`${id} has no counters`);
  for (const [counter, n] of Object.entries(by) as [keyof InterfaceStats, number][]) stats[counter] = (stats[counter] ?? 0) + n;
}

function view(topology: Topology, createdAt: string): SnapshotView {
  const meta = { id: createdAt, title: createdAt, createdAt, source: { kind: 'upload' as const }, hosts: [], partialHosts: [], counts: { critical: 0, warning: 0, info: 0 }, rulesVersion: 'x' };
  return { meta, topology, findings: [] };
}

describe('counter checks between two captures', () => {
  it('finds a tunnel whose one end sends while the far end receives nothing, with captures on both uplinks as the fix', () => {
    const { before, after, tunnel, worker } = captures();
    grow(after, worker, { txPackets: 10 });
    const findings = counterFindings(before, after, 62);
    expect(findings.map((f) => f.rule)).toEqual([COUNTER_RULES.oneWay]);
    const [oneWay] = findings;
    expect(oneWay.severity).toBe('critical');
    expect(oneWay.elements).toEqual([worker, VXLAN0_ID, tunnel.id]);
    expect(oneWay.title).toContain('10 packet(s) sent, none received');
    expect(oneWay.explanation).toContain('in the 62 s between the captures');
    expect(oneWay.explanation).toMatch(/rx_packets (\d+) → \1 \(\+0\)/);
    const port = tunnel.port ?? 4789;
    expect(oneWay.fix?.filter((line) => line.includes(`tcpdump -ni`) && line.includes(`udp port ${port}`))).toHaveLength(2);
    expect(oneWay.evidence.map((e) => e.host).sort()).toEqual([after.nodes.find((n) => n.id === worker)?.host, after.nodes.find((n) => n.id === VXLAN0_ID)?.host].sort());
  });

  it('says nothing about a tunnel carrying traffic both ways, or one sending fewer than a few packets', () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 10, rxPackets: 9 });
    grow(after, VXLAN0_ID, { txPackets: 9, rxPackets: 10 });
    expect(counterFindings(before, after)).toEqual([]);
    const quiet = captures();
    grow(quiet.after, quiet.worker, { txPackets: MIN_SENT - 1 });
    expect(counterFindings(quiet.before, quiet.after)).toEqual([]);
  });

  it('reports drops that are still growing, critical for frames for another MAC on a tunnel device', () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 5 });
    grow(after, VXLAN0_ID, { rxPackets: 5, rxOtherhost: 5 });
    const findings = counterFindings(before, after);
    expect(findings.map((f) => [f.rule, f.severity, f.elements])).toEqual([[COUNTER_RULES.drops, 'critical', [VXLAN0_ID]]]);
    expect(findings[0].title).toContain('rx otherhost) +5');
  });

  it('leaves out counters that went back (a re-created device) and devices in only one capture', () => {
    const { before, after, worker } = captures();
    grow(before, worker, { txPackets: 1000 });
    grow(after, VXLAN0_ID, { rxErrors: -1 });
    after.nodes = after.nodes.filter((n) => n.id !== VXLAN0_ID);
    expect(counterFindings(before, after)).toEqual([]);
  });

  it('warns about a sending tunnel end whose far end is not captured', () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 7 });
    after.edges = after.edges.filter((e) => e.kind !== 'tunnel');
    const findings = counterFindings(before, after);
    expect(findings.map((f) => [f.rule, f.severity, f.elements])).toEqual([[COUNTER_RULES.noReply, 'warning', [worker]]]);
  });

  it('reads the counters from the earlier snapshot to the later, whichever is shown first', () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 10 });
    const a = view(before, '2026-03-02T09:14:07.000Z');
    const b = view(after, '2026-03-02T09:15:09.000Z');
    for (const diff of [diffViews(a, b), diffViews(b, a)]) {
      expect(diff.between.seconds).toBe(62);
      expect(diff.between.findings.map((f) => f.rule)).toEqual([COUNTER_RULES.oneWay]);
    }
  });

  it('compares each live capture of a source with the one before it, and nothing with an older or equal time', () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 10 });
    const live = new LiveCounters();
    expect(live.observe('lab', before, 1_000)).toEqual([]);
    expect(live.observe('sample', after, 2_000)).toEqual([]);
    const since = live.observe('lab', after, 11_000);
    expect(since.map((f) => f.rule)).toEqual([COUNTER_RULES.oneWay]);
    expect(since[0].explanation).toContain('in the 10 s between the captures');
    expect(live.observe('lab', after, 11_000)).toEqual([]);
  });

  it("lists a device's counters from one capture to the next for the inspector, and nothing for a device without them", () => {
    const { before, after, worker } = captures();
    grow(after, worker, { txPackets: 12, txBytes: 1200 });
    grow(before, VXLAN0_ID, { rxErrors: 5 });
    const rows = new Map(counterChanges(before, after, worker));
    expect(rows.get('tx_packets')).toMatch(/^(\d+) → (\d+) \(\+12\)$/);
    expect(rows.get('tx_bytes')).toMatch(/\(\+1200\)$/);
    expect(rows.get('rx_packets')).toMatch(/\(\+0\)$/);
    expect(new Map(counterChanges(before, after, VXLAN0_ID)).get('rx_errors')).toMatch(/\(reset\)$/);
    expect(counterChanges(before, after, 'host:nowhere')).toEqual([]);
  });
});
