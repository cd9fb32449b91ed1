import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { CaptureBundle } from '@/lib/capture/types';
import { renderReport } from '@/lib/export/report';
import { renderTopologySvg } from '@/lib/export/svg';
import { pathForSubject } from '@/lib/snapshot/path';
import type { SnapshotView } from '@/lib/snapshot/types';
import { parseXml } from '@/tests/api/xml-check';

/** The lab's default snapshot, as `npm run demo` serves it without root. */
const LAB = JSON.parse(fs.readFileSync(new URL('../../public/samples/peerpod-incident.bundle.json', import.meta.url), 'utf8')) as CaptureBundle;

function labView(): SnapshotView {
  const { topology, findings, rulesVersion } = analyze(LAB);
  const meta = {
    id: 'lab',
    title: 'lab',
    createdAt: LAB.createdAt,
    source: LAB.source,
    hosts: topology.hosts.map((h) => h.name),
    partialHosts: [],
    rulesVersion,
    counts: { critical: 1, warning: 0, info: 0 },
  };
  return { meta, topology, findings } as unknown as SnapshotView;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

describe('the path view in the exports, on the lab snapshot', () => {
  const view = labView();
  const path = pathForSubject(view.topology, view.findings, undefined)!;

  it('opens on the datapath the incident takes, broken at the pod VM tunnel', () => {
    expect(path.hops.map((h) => h.device)).toEqual(['ovn-k8s-mp0', 'br-int', expect.stringMatching(/^c16c/), 'eth0', 'vxlan1', 'underlay', 'vxlan0']);
    expect(path.hops.filter((h) => h.broken).map((h) => h.device)).toEqual(['vxlan0']);
  });

  it('graph.svg draws the path above the graph, hop boxes in order and none overlapping', () => {
    const svg = renderTopologySvg(view.topology, view.findings, { title: 'lab', path });
    const elements = parseXml(svg);
    const hops = elements.filter((e) => e.name === 'g' && e.attributes['data-hop'] !== undefined).map((e) => e.attributes['data-hop']);
    expect(hops).toEqual(path.hops.map((h) => h.device));
    const rects = elements
      .filter((e) => e.name === 'rect' && e.attributes.width === '150')
      .map((r) => ({ x: Number(r.attributes.x), y: Number(r.attributes.y), w: 150, h: Number(r.attributes.height) }));
    expect(rects).toHaveLength(path.hops.length);
    const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    expect(rects.flatMap((a, i) => rects.slice(i + 1).filter((b) => overlap(a, b)))).toEqual([]);
    expect(svg).toContain('<g class="graph" transform="translate(0 ');
    expect(elements.some((e) => e.name === 'text' && (e.text ?? '').startsWith('✖ vxlan0 on '))).toBe(true);
  });

  it('report.md draws the path of each finding as text', () => {
    const md = renderReport(view);
    expect(md).toContain('Packet path (✖ where it breaks, ⇄ a tc redirect):');
    expect(md).toMatch(/eth0 ⇄ \[tunnel\] vxlan1/);
    expect(md).toMatch(/✖ \[tunnel\] vxlan0 .*— Pod VM vxlan0 has MAC/);
  });
});
