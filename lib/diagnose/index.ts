/** Diagnosis: run every rule over a topology and order the findings for people. */
import type { Topology } from '@/lib/topology/types';
import type { Diagnosis, Finding, Severity } from './types';
import { RULES } from './rules';

export { RULES } from './rules';
export { UNCOVERED_FAULTS } from './uncovered';

/** Bump when a rule is added or changes what it reports, so stored snapshots can be re-diagnosed. */
export const RULES_VERSION: string = '1.0.0';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.rule.localeCompare(b.rule) ||
    (a.elements[0] ?? '').localeCompare(b.elements[0] ?? '')
  );
}

export function diagnose(topology: Topology): Diagnosis {
  const findings = RULES.flatMap((rule) => rule.run(topology));
  return { rulesVersion: RULES_VERSION, findings: findings.sort(compareFindings) };
}
