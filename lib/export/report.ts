/** A snapshot's findings as Markdown for a ticket or runbook: what is wrong, the evidence, and the fix. */
import type { Finding, Severity } from '@/lib/diagnose/types';
import { findingPath, pathText } from '@/lib/snapshot/path';
import type { Topology } from '@/lib/topology/types';
import type { SnapshotView } from '@/lib/snapshot/types';
import { fixBlocks } from '@/lib/view/fix-steps';
import { mdCode, mdCodeBlock, mdParagraphs, mdText } from './markdown';

export interface ReportOptions {
  /** Absolute link back to the snapshot page, e.g. https://tunnelscope.example/s/<id>. */
  link?: string;
}

const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info'];
const SEVERITY_HEADING: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function header(view: SnapshotView, options: ReportOptions): string[] {
  const { meta } = view;
  const shown = view.rulesVersion ?? meta.rulesVersion;
  const source = meta.source.detail ? `${meta.source.kind} (${meta.source.detail})` : meta.source.kind;
  const rules = view.rediagnosed ? `${mdCode(shown)}, re-diagnosed with the current rules (stored with ${mdCode(meta.rulesVersion)})` : mdCode(shown);
  const lines = [`# ${mdText(meta.title)}`, '', `- Snapshot: ${mdCode(meta.id)}`, `- Created: ${mdText(meta.createdAt)}`, `- Source: ${mdText(source)}`];
  if (meta.cluster) lines.push(`- Cluster: ${mdText(meta.cluster)}`);
  lines.push(`- Rules: ${rules}`);
  if (options.link) lines.push(`- Link: <${encodeURI(options.link).replace(/[<>]/g, '')}>`);
  return lines;
}

function hostSection(view: SnapshotView): string[] {
  const partial = new Set(view.meta.partialHosts);
  const lines = ['', `## Hosts (${view.meta.hosts.length})`, ''];
  if (view.meta.hosts.length === 0) return [...lines, 'The capture contains no hosts.'];
  for (const host of view.meta.hosts) {
    lines.push(`- ${mdText(host)}${partial.has(host) ? ' (capture partial or failed: some outputs are missing)' : ''}`);
  }
  return lines;
}

/** Findings drawn with their path: each is a few traces, and a ticket reads the first ones. */
const PATHS_DRAWN = 10;

function findingSection(finding: Finding, n: number, topology: Topology | undefined): string[] {
  const lines = ['', `#### ${n}. ${mdText(finding.title)}`, '', `Rule ${mdCode(finding.rule)}`, '', mdParagraphs(finding.explanation)];
  const path = topology === undefined ? undefined : findingPath(topology, finding);
  if (path !== undefined) lines.push('', 'Packet path (✖ where it breaks, ⇄ a tc redirect):', '', mdCodeBlock(pathText(path).split('\n')));
  if (finding.elements.length > 0) {
    lines.push('', `Elements: ${finding.elements.map(mdCode).join(', ')}`);
  }
  for (const evidence of finding.evidence) {
    const where = evidence.netns === null ? `on ${mdText(evidence.host)}` : `on ${mdText(evidence.host)} in netns ${mdText(evidence.netns)}`;
    lines.push('', `Evidence: ${mdCode(evidence.command)} ${where}`, '', mdCodeBlock(evidence.lines));
  }
  if (finding.fix && finding.fix.length > 0) {
    lines.push('', 'Fix (review, then run by hand):');
    for (const block of fixBlocks(finding)) {
      if (block.where !== undefined) lines.push('', `${mdText(capitalised(block.where))}:`);
      lines.push('', mdCodeBlock(block.lines, 'sh'));
    }
  }
  return lines;
}

function findingsSection(findings: Finding[], topology: Topology): string[] {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const summary = SEVERITY_ORDER.map((s) => `${count(s)} ${s}`).join(', ');
  const lines = ['', `## Findings (${plural(findings.length, 'finding')}: ${summary})`];
  if (findings.length === 0) return [...lines, '', 'No findings: the rules found nothing wrong in this capture.'];
  let n = 0;
  for (const severity of SEVERITY_ORDER) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', `### ${SEVERITY_HEADING[severity]}`);
    for (const finding of group) {
      n += 1;
      lines.push(...findingSection(finding, n, n <= PATHS_DRAWN ? topology : undefined));
    }
  }
  return lines;
}

export function renderReport(view: SnapshotView, options: ReportOptions = {}): string {
  return [...header(view, options), ...findingsSection(view.findings, view.topology), ...hostSection(view), ''].join('\n');
}
