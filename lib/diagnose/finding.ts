/** The one way a rule states a finding, so every finding has the same fields in the same order. */
import type { Finding, Severity } from './types';

/** What a rule says about one fault, beside its id and severity. */
export type FindingFacts = Omit<Finding, 'rule' | 'severity'>;

/** A finding of rule `rule`; `fix` and `causedAt` appear only when given, so a finding prints the same however a rule leaves them out. */
export function finding(rule: string, severity: Severity, facts: FindingFacts): Finding {
  const { title, explanation, evidence, elements, fix, causedAt } = facts;
  return { rule, severity, title, explanation, evidence, elements, ...(fix === undefined ? {} : { fix }), ...(causedAt === undefined ? {} : { causedAt }) };
}
