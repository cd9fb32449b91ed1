import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { diffViews, findingKey } from '@/lib/diff/diff';
import type { Finding } from '@/lib/diagnose/types';
import { mdCode, mdCodeBlock, mdText } from '@/lib/export/markdown';
import { renderReport } from '@/lib/export/report';
import { renderTopologySvg } from '@/lib/export/svg';
import type { SnapshotView } from '@/lib/snapshot/types';
import { makeBundle } from '../store/bundles';
import { parseXml } from './xml-check';

function view(hosts: string[], findings: Finding[] = []): SnapshotView {
  const { topology, rulesVersion } = analyze(makeBundle({ hosts }));
  return {
    meta: {
      id: 'AAAAAAAAAAAAAAAAAAAAAAAA',
      title: 'test',
      createdAt: '2025-01-01T00:00:00.000Z',
      source: { kind: 'synthetic' },
      hosts,
      partialHosts: [],
      counts: { critical: findings.length, warning: 0, info: 0 },
      rulesVersion,
    },
    // As the store returns it: plain JSON, the way every view reaches the diff.
    topology: JSON.parse(JSON.stringify(topology)) as SnapshotView['topology'],
    findings,
  };
}

const finding = (over: Partial<Finding> = {}): Finding => ({
  rule: 'mtu-mismatch',
  severity: 'warning',
  title: 'MTU differs',
  explanation: 'why',
  evidence: [],
  elements: ['host:w1/if:veth-b', 'host:w1/if:veth-a'],
  ...over,
});

describe('snapshot diff', () => {
  it('keys a finding by its rule and the sorted set of its elements', () => {
    expect(findingKey(finding())).toBe(findingKey(finding({ elements: ['host:w1/if:veth-a', 'host:w1/if:veth-b'] })));
    expect(findingKey(finding())).not.toBe(findingKey(finding({ rule: 'other' })));
  });

  it('reports a changed device with the dotted names of the fields that changed', () => {
    const a = view(['w1']);
    const b = view(['w1']);
    const node = b.topology.nodes.find((n) => n.id === 'host:w1/if:veth-a');
    if (!node?.iface) throw new Error('fixture lost veth-a');
    node.iface = { ...node.iface, mac: '02:00:00:00:00:99' };
    node.marks = ['down'];
    const d = diffViews(a, b);
    expect(d.nodes.changed.map((c) => [c.id, c.fields])).toEqual([['host:w1/if:veth-a', ['iface.mac', 'marks']]]);
    expect(d.nodes.added).toEqual([]);
    expect(d.nodes.removed).toEqual([]);
  });

  it('reports a finding whose severity changed as changed, not as removed and added', () => {
    const d = diffViews(view(['w1'], [finding()]), view(['w1'], [finding({ severity: 'critical' })]));
    expect(d.findings.changed.map((c) => c.fields)).toEqual([['severity']]);
    expect(d.summary.findings).toEqual({ added: 0, removed: 0, changed: 1 });
  });

  it('ignores traffic counters and quoted output lines but reports a changed MAC as iface.mac', () => {
    const before = view(['w1']);
    const withIface = (v: SnapshotView, edit: (n: SnapshotView['topology']['nodes'][number]) => void): SnapshotView => {
      const copy = structuredClone(v);
      const node = copy.topology.nodes.find((n) => n.iface !== undefined);
      if (!node) throw new Error('the test bundle has no interface');
      edit(node);
      return copy;
    };
    const counters = withIface(before, (n) => {
      n.iface = { ...n.iface!, stats: { rxPackets: 123456 }, source: { command: 'ip -j link', lines: ['{"changed":true}'] } };
    });
    expect(diffViews(before, counters).nodes.changed).toEqual([]);
    const mac = withIface(before, (n) => {
      n.iface = { ...n.iface!, mac: '02:00:00:00:00:99' };
    });
    expect(diffViews(before, mac).nodes.changed.map((c) => c.fields)).toEqual([['iface.mac']]);
  });

  it('finds no difference between a snapshot and itself', () => {
    const v = view(['w1', 'w2'], [finding()]);
    const d = diffViews(v, v);
    expect(d.summary).toEqual({
      nodes: { added: 0, removed: 0, changed: 0 },
      edges: { added: 0, removed: 0, changed: 0 },
      findings: { added: 0, removed: 0, changed: 0 },
    });
  });
});

describe('markdown escaping', () => {
  it('turns HTML and link syntax in names into plain text', () => {
    expect(mdText('<b>[x](javascript:1)</b>')).toBe('&lt;b&gt;\\[x\\]\\(javascript:1\\)&lt;/b&gt;');
  });

  it('fences code longer than any backtick run inside it', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCodeBlock(['```', 'rm -rf /'])).toBe('````\n```\nrm -rf /\n````');
  });
});

describe('report.md', () => {
  it('says when findings were re-diagnosed and which rules the stored snapshot had', () => {
    const v = { ...view(['w1']), rulesVersion: '2.0.0', rediagnosed: true };
    v.meta.rulesVersion = '1.0.0';
    const md = renderReport(v);
    expect(md).toContain('- Rules: `2.0.0`, re-diagnosed with the current rules (stored with `1.0.0`)');
  });

  it('says plainly when there are no findings and marks partial hosts', () => {
    const v = view(['w1', 'w2']);
    v.meta.partialHosts = ['w2'];
    const md = renderReport(v);
    expect(md).toContain('No findings: the rules found nothing wrong in this capture.');
    expect(md).toContain('- w2 (capture partial or failed');
    expect(md).not.toContain('- w1 (');
  });

  it('orders findings critical first, then warning, then info', () => {
    const md = renderReport(view(['w1'], [finding({ severity: 'info', title: 'I' }), finding({ severity: 'critical', title: 'C' }), finding({ title: 'W' })]));
    expect(md.indexOf('### Critical')).toBeLessThan(md.indexOf('### Warning'));
    expect(md.indexOf('### Warning')).toBeLessThan(md.indexOf('### Info'));
    expect(md).toContain('#### 1. C');
    expect(md).toContain('#### 3. I');
  });
});

describe('graph.svg', () => {
  it('draws the same bytes for the same view', () => {
    const v = view(['w1', 'w2'], [finding()]);
    expect(renderTopologySvg(v.topology, v.findings)).toBe(renderTopologySvg(v.topology, v.findings));
  });

  it('puts each host in its own column, left to right in topology order', () => {
    const v = view(['w1', 'w2']);
    const hosts = parseXml(renderTopologySvg(v.topology, v.findings)).filter((e) => e.name === 'rect' && e.attributes.rx === '8');
    expect(hosts.map((r) => Number(r.attributes.x))).toEqual([24, 364]);
  });

  it('says there is nothing to draw for a host that is not in the snapshot', () => {
    const v = view(['w1']);
    const texts = parseXml(renderTopologySvg(v.topology, v.findings, { host: 'nope' })).filter((e) => e.name === 'text');
    expect(texts.map((t) => t.text)).toContain('Nothing to draw for this view.');
  });
});
