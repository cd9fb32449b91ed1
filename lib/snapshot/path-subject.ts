/**
 * How a link names a path view's subject, and which finding a page opens on: small enough for the browser, which
 * leaves the tracing to the server (lib/snapshot/path.ts).
 */
import type { Finding, Severity } from '@/lib/diagnose/types';

/** A finding in a link: its rule and first element (`?path=peerpod-podvm-mac-mismatch@host:…/if:vxlan0`). */
export function findingSubject(finding: Pick<Finding, 'rule' | 'elements'>): string {
  return `${finding.rule}@${finding.elements[0] ?? ''}`;
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Findings, most severe first (stable within a severity): the page and the report open on the first. */
export function mostSevere<F extends Pick<Finding, 'severity'>>(findings: readonly F[]): F[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
