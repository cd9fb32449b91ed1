import type { Finding } from '@/lib/diagnose/types';

/** Findings that name this element id. */
export function findingsFor<F extends Pick<Finding, 'elements'>>(findings: F[], id: string): F[] {
  return findings.filter((f) => f.elements.includes(id));
}
