import type { Finding, Severity } from '@/lib/diagnose/types';

export { faultIndex } from '@/lib/graph/subview';

/** Findings that name this element id. */
export function findingsFor<F extends Pick<Finding, 'elements'>>(findings: F[], id: string): F[] {
  return findings.filter((f) => f.elements.includes(id));
}

/** Findings per severity, as a snapshot's metadata counts them. */
export function severityCounts(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
