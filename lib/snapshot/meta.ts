/** A snapshot's metadata, as the list, the header and the store's index columns read it. */
import type { Analysis } from '@/lib/analyze';
import type { CaptureBundle } from '@/lib/capture/types';
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { SnapshotMeta } from './types';

export const MAX_TITLE_LENGTH = 200;

function defaultTitle(bundle: CaptureBundle, hosts: string[]): string {
  const where = bundle.cluster?.name ?? (hosts.length > 0 ? hosts.join(', ') : 'no hosts');
  return `${bundle.source.kind} capture of ${where}`;
}

function cleanTitle(title: string | undefined, fallback: string): string {
  const trimmed = (title ?? '').replace(/\s+/g, ' ').trim();
  return (trimmed || fallback).slice(0, MAX_TITLE_LENGTH);
}

/** Findings per severity, as a snapshot's metadata counts them. */
export function severityCounts(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export function metaFor(id: string, createdAt: string, bundle: CaptureBundle, analysis: Analysis, title?: string): SnapshotMeta {
  const hosts = [...new Set(bundle.hosts.map((h) => h.name))];
  const partialHosts = [...new Set(bundle.hosts.filter((h) => h.status !== 'complete').map((h) => h.name))];
  const meta: SnapshotMeta = {
    id,
    title: cleanTitle(title, defaultTitle(bundle, hosts)),
    createdAt,
    source: bundle.source.detail === undefined ? { kind: bundle.source.kind } : { kind: bundle.source.kind, detail: bundle.source.detail },
    hosts,
    partialHosts,
    counts: severityCounts(analysis.findings),
    rulesVersion: analysis.rulesVersion,
  };
  if (bundle.cluster?.name) meta.cluster = bundle.cluster.name;
  return meta;
}
