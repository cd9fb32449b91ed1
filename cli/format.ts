/** Human-readable terminal output for topologies, findings and traces. */
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { Topology, TopoNode } from '@/lib/topology/types';
import type { TraceResult } from '@/lib/diagnose/trace';
import { fixBlocks } from '@/lib/view/fix-steps';

const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info'];

function describeNode(node: TopoNode): string {
  const iface = node.iface;
  if (!iface) return `${node.kind} ${node.label}`;
  const parts = [iface.name, `(${iface.kind})`];
  if (iface.mac) parts.push(iface.mac);
  if (iface.mtu !== undefined) parts.push(`mtu ${iface.mtu}`);
  parts.push(iface.up ? (iface.lowerUp ? 'up' : 'up, no carrier') : 'down');
  const addrs = iface.addresses.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
  if (addrs.length) parts.push(addrs.join(' '));
  if (iface.vxlan) {
    const v = iface.vxlan;
    parts.push(`vni ${v.vni ?? '?'} remote ${v.remote ?? v.group ?? '-'} port ${v.port ?? '?'}`);
  }
  if (node.marks.length) parts.push(`[${node.marks.join(', ')}]`);
  return parts.join(' ');
}

function segmentLine(node: TopoNode, topology: Topology): string {
  const hosts = topology.edges.filter((e) => e.kind === 'underlay' && (e.source === node.id || e.target === node.id)).length;
  return `segment ${node.label} (${hosts} host${hosts === 1 ? '' : 's'})${node.marks.length ? ` [${node.marks.join(', ')}]` : ''}`;
}

export function formatTopology(topology: Topology): string {
  const children = new Map<string | undefined, TopoNode[]>();
  for (const node of topology.nodes) {
    const list = children.get(node.parent) ?? [];
    list.push(node);
    children.set(node.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const node of children.get(parent) ?? []) {
      const indent = '  '.repeat(depth);
      const head =
        node.kind === 'interface' ? describeNode(node) : node.kind === 'segment' ? segmentLine(node, topology) : `${node.kind} ${node.label}${node.marks.length ? ` [${node.marks.join(', ')}]` : ''}`;
      lines.push(`${indent}${head}`);
      walk(node.id, depth + 1);
    }
  };
  walk(undefined, 0);
  if (topology.edges.length) {
    lines.push('', 'links:');
    for (const edge of topology.edges) {
      const arrow = edge.directed ? '->' : '--';
      const marks = edge.marks.length ? ` [${edge.marks.join(', ')}]` : '';
      lines.push(`  ${edge.kind}: ${edge.source} ${arrow} ${edge.target}${edge.label ? ` (${edge.label})` : ''}${marks}`);
    }
  }
  return lines.join('\n');
}

export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'No findings: every rule passed.';
  const lines: string[] = [];
  for (const severity of SEVERITY_ORDER) {
    const group = findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    lines.push(`${severity.toUpperCase()} (${group.length})`);
    for (const finding of group) {
      lines.push(`  [${finding.rule}] ${finding.title}`);
      for (const line of finding.explanation.split('\n')) lines.push(`    ${line}`);
      for (const ev of finding.evidence) {
        lines.push(`    evidence: ${ev.host}${ev.netns ? ` netns ${ev.netns}` : ''} $ ${ev.command}`);
        for (const l of ev.lines) lines.push(`      ${l}`);
      }
      if (finding.fix?.length) {
        lines.push('    fix:');
        for (const block of fixBlocks(finding)) {
          if (block.where !== undefined) lines.push(`      ${block.where}:`);
          for (const cmd of block.lines) lines.push(`${block.where === undefined ? '      ' : '        '}${cmd}`);
        }
      }
      lines.push(`    elements: ${finding.elements.join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

export function formatTrace(trace: TraceResult, finding?: Finding): string {
  const lines = [`trace ${trace.from} -> ${trace.to}: ${trace.ok ? 'reachable' : 'BROKEN'}`];
  trace.hops.forEach((hop, i) => {
    const mark = hop.ok ? '  ' : '✗ ';
    lines.push(`${mark}${String(i + 1).padStart(2)}. ${hop.action}  [${hop.element}]${hop.why ? ` — ${hop.why}` : ''}`);
  });
  if (!trace.ok && trace.reason) lines.push(`breaks at hop ${(trace.brokenAt ?? 0) + 1}: ${trace.reason}`);
  if (finding) {
    lines.push(`explained by [${finding.rule}] ${finding.title}`);
    for (const block of fixBlocks(finding)) {
      if (block.where !== undefined) lines.push(`  fix, ${block.where}:`);
      for (const cmd of block.lines) lines.push(`  fix: ${cmd}`);
    }
  }
  return lines.join('\n');
}
