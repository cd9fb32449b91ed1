import cytoscape from 'cytoscape';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { diffBy, diffViews, type SnapshotDiff } from '@/lib/diff/diff';
import type { SnapshotMeta, SnapshotView } from '@/lib/snapshot/types';
import type { Topology } from '@/lib/topology/types';
import { DIFF_BADGE, DIFF_STATUSES, buildDiffGraph, diffStatusOf, type ElementDiff } from '@/lib/diff/graph';
import { DIFF_COLOR, DEVICE_COLOR, type DeviceClass } from '@/lib/graph/palette';
import { diffRules, buildStylesheet } from '@/lib/graph/style';
import { elementRows, findingElements, findingRows, formatValue, MAX_VALUE_CHARS } from '@/lib/diff/changes';
import { BROKEN_MAC, FIXED_MAC, MAC_RULE, PODVM, VXLAN0_ID, fixedIncidentBundle, incidentBundle } from '../helpers/incident-sample';
import { syntheticTopology } from '../graph/synthetic';

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255})`;
}

function viewOf(bundle: ReturnType<typeof incidentBundle>, id: string): SnapshotView {
  const analysis = analyze(bundle);
  const meta: SnapshotMeta = {
    id,
    title: id,
    createdAt: '2026-03-02T09:14:07.000Z',
    source: bundle.source,
    hosts: bundle.hosts.map((h) => h.name),
    partialHosts: [],
    counts: { critical: 0, warning: 0, info: 0 },
    rulesVersion: analysis.rulesVersion,
  };
  return { meta, topology: analysis.topology, findings: analysis.findings };
}

function elementDiff(before: Topology, after: Topology): ElementDiff {
  return { nodes: diffBy(before.nodes, after.nodes, (n) => n.id), edges: diffBy(before.edges, after.edges, (e) => e.id) };
}

function headless(after: Topology, diff: ElementDiff) {
  const { elements } = buildDiffGraph(after, diff, { show: 'all' });
  return cytoscape({ headless: true, styleEnabled: true, elements, style: buildStylesheet('light') });
}

describe('diff of the peer-pod incident before and after the MAC fix', () => {
  let after: SnapshotView;
  let diff: SnapshotDiff;
  beforeAll(() => {
    after = viewOf(fixedIncidentBundle(), 'fixed');
    diff = diffViews(viewOf(incidentBundle(), 'broken'), after);
  });

  it('marks vxlan0 on the pod VM changed: amber, double border and a "~" badge', () => {
    const cy = headless(after.topology, diff);
    const vx = cy.getElementById(VXLAN0_ID);
    expect(vx.hasClass('diff-changed')).toBe(true);
    expect(vx.style('border-color')).toBe(rgb(DIFF_COLOR.changed));
    expect(vx.style('border-style')).toBe('double');
    expect(vx.style('label')).toBe('~ vxlan0');
  });

  it('leaves unchanged devices unmarked in their own device colour', () => {
    const cy = headless(after.topology, diff);
    expect(cy.elements('.diff').map((e) => e.id())).toEqual([VXLAN0_ID]);
    const ens3 = cy.getElementById(`host:${PODVM}/if:ens3`);
    expect(ens3.style('background-color')).toBe(rgb(DEVICE_COLOR[ens3.data('device') as DeviceClass]));
    expect(ens3.style('label')).toBe('ens3');
  });

  it('draws no fault red on the union graph, so red never competes with the change marks', () => {
    const { elements } = buildDiffGraph(after.topology, diff, { show: 'all' });
    expect(elements.some((e) => e.classes.includes('fault'))).toBe(false);
  });

  it('lists the vxlan0 change as iface.mac old → new', () => {
    const rows = elementRows(diff, after.topology);
    expect(rows.map((r) => [r.id, r.status])).toEqual([[VXLAN0_ID, 'changed']]);
    expect(rows[0].fields[0]).toEqual({ field: 'iface.mac', before: BROKEN_MAC, after: FIXED_MAC });
    expect(rows[0].detail).toBe(`${PODVM} · podns · vxlan`);
  });

  it('folds the changed command output after the facts, whole and marked as output', () => {
    const source = elementRows(diff, after.topology)[0].fields.find((f) => f.field === 'iface.source');
    expect(source?.output).toBe(true);
    expect(source?.before.startsWith('$ ip -j -d -s -s link show\n')).toBe(true);
    expect(source?.before).toContain(BROKEN_MAC);
    expect(source?.after).toContain(FIXED_MAC);
  });

  it('lists the MAC-mismatch finding as resolved and keeps its elements when only changes are shown', () => {
    const rows = findingRows(diff);
    expect(rows.map((r) => [r.finding.rule, r.status])).toEqual([[MAC_RULE, 'resolved']]);
    const graph = buildDiffGraph(after.topology, diff, { show: 'changes', keep: findingElements(rows) });
    const ids = graph.elements.map((e) => e.data.id);
    for (const id of rows[0].finding.elements) expect(ids).toContain(id);
  });
});

describe('diff marks for added and removed elements', () => {
  const one = syntheticTopology(2, 1);
  const two = syntheticTopology(2, 2);
  const added = elementDiff(one, two);
  const removed = elementDiff(two, one);
  const newPodEth0 = 'host:worker-000/ns:pod-0-1/if:eth0';

  it('paints an added device green with a solid border and a "+" badge', () => {
    const node = headless(two, added).getElementById(newPodEth0);
    expect(node.hasClass('diff-added')).toBe(true);
    expect(node.style('background-color')).toBe(rgb(DIFF_COLOR.added));
    expect(node.style('border-style')).toBe('solid');
    expect(node.style('label')).toBe('+ eth0');
  });

  it('keeps a removed device on the union graph, grey, faded and dashed with a "−" badge', () => {
    const cy = headless(one, removed);
    const node = cy.getElementById(newPodEth0);
    expect(node.nonempty()).toBe(true);
    expect(node.hasClass('diff-removed')).toBe(true);
    expect(node.style('background-color')).toBe(rgb(DIFF_COLOR.removed));
    expect(node.style('border-style')).toBe('dashed');
    expect(parseFloat(node.style('background-opacity'))).toBeLessThan(1);
    expect(node.style('label')).toBe('− eth0');
    // Its namespace, gone too, still holds it.
    expect(node.data('parent')).toBe('host:worker-000/ns:pod-0-1');
    expect(cy.getElementById('host:worker-000/ns:pod-0-1').hasClass('diff-removed')).toBe(true);
  });

  it('marks added and removed edges by colour, width or line style, and a badge label', () => {
    const edgeId = added.edges.added.map((e) => e.id).find((id) => id.startsWith('veth:') && id.includes('pod-0-1'));
    expect(edgeId).toBeDefined();
    const plus = headless(two, added).getElementById(edgeId ?? '');
    expect(plus.style('line-color')).toBe(rgb(DIFF_COLOR.added));
    expect(parseFloat(plus.style('width'))).toBe(5);
    expect(plus.style('label')).toBe('+');
    const minus = headless(one, removed).getElementById(edgeId ?? '');
    expect(minus.style('line-color')).toBe(rgb(DIFF_COLOR.removed));
    expect(minus.style('line-style')).toBe('dotted');
    expect(minus.style('label')).toBe('−');
  });

  it('shows only the changes with their hosts and namespaces when asked', () => {
    const { elements, show } = buildDiffGraph(two, added, { show: 'changes' });
    expect(show).toBe('changes');
    const ids = new Set(elements.map((e) => e.data.id));
    expect(ids.has(newPodEth0)).toBe(true);
    expect(ids.has('host:worker-000/ns:pod-0-1')).toBe(true);
    expect(ids.has('host:worker-000')).toBe(true);
    expect(ids.has('host:worker-000/ns:pod-0-0/if:eth0')).toBe(false);
    expect(ids.has('host:worker-001/ns:pod-1-0')).toBe(false);
  });

  it('shows only the changes by default when the union is too big to draw whole', () => {
    const big = syntheticTopology(30, 4);
    const bigger = syntheticTopology(31, 4);
    const graph = buildDiffGraph(bigger, elementDiff(big, bigger));
    expect(graph.show).toBe('changes');
    const ids = graph.elements.map((e) => e.data.id);
    expect(ids).toContain('host:worker-030/ns:pod-30-3/if:eth0');
    expect(ids.some((id) => id.startsWith('host:worker-015'))).toBe(false);
    expect(graph.elements.length).toBeLessThan(graph.topology.nodes.length / 10);
    expect(buildDiffGraph(two, added).show).toBe('all');
  });
});

describe('diff states are never told by colour alone', () => {
  it('gives each state its own colour, badge and border style', () => {
    const borders = DIFF_STATUSES.map((s) => diffRules().find((r) => 'selector' in r && r.selector === `node.diff-${s}`));
    const styles = borders.map((rule) => (rule && 'style' in rule ? (rule.style as Record<string, unknown>)['border-style'] : undefined));
    expect(new Set(styles).size).toBe(3);
    expect(new Set(DIFF_STATUSES.map((s) => DIFF_BADGE[s])).size).toBe(3);
    expect(new Set(DIFF_STATUSES.map((s) => DIFF_COLOR[s])).size).toBe(3);
  });

  it('reads the state back from element classes for the device list', () => {
    expect(diffStatusOf(['diff', 'diff-removed'])).toBe('removed');
    expect(diffStatusOf(['fault', 'fault-critical'])).toBeUndefined();
  });

  it('cuts long field values and names missing ones', () => {
    expect(formatValue(undefined)).toBe('(none)');
    expect(formatValue(['UP', 'LOWER_UP'])).toBe('UP, LOWER_UP');
    const long = formatValue({ lines: ['x'.repeat(500)] });
    expect(long.length).toBe(MAX_VALUE_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});
