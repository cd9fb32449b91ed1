import type { Finding, Severity } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';
import { worseSeverity } from './palette';

/** Worst severity per element id named by any finding. */
export function faultIndex(findings: Finding[]): Map<string, Severity> {
  const index = new Map<string, Severity>();
  for (const finding of findings) {
    for (const id of finding.elements) index.set(id, worseSeverity(index.get(id), finding.severity));
  }
  return index;
}

/** Number of findings that touch each host, for the overview badges. */
export function faultsPerHost(topology: Topology, findings: Finding[]): Map<string, number> {
  const hostOf = new Map<string, string>(topology.nodes.map((n) => [n.id, n.host]));
  const edges = new Map(topology.edges.map((e) => [e.id, e]));
  const counts = new Map<string, number>();
  for (const finding of findings) {
    const hosts = new Set<string>();
    for (const id of finding.elements) {
      const edge = edges.get(id);
      const ends = edge ? [edge.source, edge.target] : [id];
      for (const end of ends) {
        const host = hostOf.get(end);
        if (host) hosts.add(host);
      }
    }
    for (const host of hosts) counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  return counts;
}

/** Findings that name this element id. */
export function findingsFor(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.elements.includes(id));
}
