/** Diagnosis: run every rule over a topology and order the findings for people. */
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';
import { placeFix } from './fix-host';
import type { Diagnosis, Finding, Severity } from './types';
import { RULES } from './rules';

export { RULES } from './rules';
export { UNCOVERED_FAULTS } from './uncovered';

/** Bump when a rule is added or changes what it reports, so stored snapshots can be re-diagnosed. */
export const RULES_VERSION: string = '1.6.0';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rule.localeCompare(b.rule) || (a.elements[0] ?? '').localeCompare(b.elements[0] ?? '');
}

/**
 * Symptom rules report what a root cause does further along: a device without carrier because its peer is
 * down, a default route that is dead because its device is. In this order, a symptom finding whose devices are
 * all already named by an earlier finding is left out, so the root cause stands alone.
 */
const SYMPTOM_RULES = ['link-down-or-no-carrier', 'pod-default-route-broken', 'pod-route-missing'];

function isEdgeId(id: string): boolean {
  return id.includes('|');
}

export function withoutSymptoms(findings: Finding[]): Finding[] {
  // A finding that says where its path breaks is explained by any finding of another rule naming that place.
  const explained = (f: Finding): boolean =>
    f.causedAt !== undefined && findings.some((o) => o !== f && o.rule !== f.rule && o.causedAt === undefined && f.causedAt?.some((id) => o.elements.includes(id)));
  findings = findings.filter((f) => !explained(f)).map(({ causedAt: _causedAt, ...f }) => f);
  const covered = new Set(findings.filter((f) => !SYMPTOM_RULES.includes(f.rule)).flatMap((f) => f.elements));
  const dropped = new Set<Finding>();
  for (const rule of SYMPTOM_RULES) {
    for (const finding of findings.filter((f) => f.rule === rule)) {
      const devices = finding.elements.filter((id) => !isEdgeId(id));
      if (devices.length > 0 && devices.every((id) => covered.has(id))) dropped.add(finding);
      else finding.elements.forEach((id) => covered.add(id));
    }
  }
  return findings.filter((f) => !dropped.has(f));
}

export function diagnose(topology: Topology, cluster?: ClusterContext): Diagnosis {
  const findings = withoutSymptoms(RULES.flatMap((rule) => rule.run(topology, cluster))).map((f) => placeFix(topology, cluster, f));
  return { rulesVersion: RULES_VERSION, findings: findings.sort(compareFindings) };
}
