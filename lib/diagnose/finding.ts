/** The one way a rule states a finding, so every finding has the same fields in the same order. */
import { splitFix, type FixEntry } from './fix-host';
import type { Finding, Severity } from './types';

/**
 * What a rule says about one fault, beside its id and severity. Its fix lines run on the host of its first element;
 * an `on(host)` among them says where the lines after it run instead.
 */
export type FindingFacts = Omit<Finding, 'rule' | 'severity' | 'fix' | 'fixOn'> & { fix?: readonly FixEntry[] };

/** A finding of rule `rule`; `fix` and `causedAt` appear only when given, so a finding prints the same however a rule leaves them out. */
export function finding(rule: string, severity: Severity, facts: FindingFacts): Finding {
  const { title, explanation, evidence, elements, fix, causedAt } = facts;
  const split = fix === undefined ? undefined : splitFix(fix);
  return {
    rule,
    severity,
    title,
    explanation,
    evidence,
    elements,
    ...(split === undefined ? {} : { fix: split.fix }),
    ...(split && split.fixOn.length > 0 ? { fixOn: split.fixOn } : {}),
    ...(causedAt === undefined ? {} : { causedAt }),
  };
}
