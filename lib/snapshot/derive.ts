/**
 * Everything a snapshot holds besides its id and time, derived from a capture: the redacted bundle, its analysis,
 * metadata and the overview level. Pure and synchronous, so that it can run on an analysis thread
 * (lib/analysis-job.ts) as well as in the process that stores it.
 */
import { analyze, type Analysis } from '@/lib/analyze';
import { redactBundle } from '@/lib/capture/redact';
import type { CaptureBundle } from '@/lib/capture/types';
import { checkDevicesPerHost, maxDevicesPerHost } from './device-limit';
import { metaFor } from './meta';
import { storedOverview, type DerivedSnapshot } from './subview';
import type { SnapshotMeta, SnapshotView } from './types';

export type AnalyzeBundle = (bundle: CaptureBundle) => Analysis;

/** Throws SnapshotLimitError when a host holds more devices than `maxDevices`: nothing of such a capture is stored. */
export function deriveSnapshot(input: { bundle: CaptureBundle; title?: string }, analyzeBundle: AnalyzeBundle = analyze, maxDevices = maxDevicesPerHost()): DerivedSnapshot {
  // Whatever path a bundle took here (an upload, a file, a script), no secret is stored with it.
  const bundle = redactBundle(input.bundle);
  const analysis = analyzeBundle(bundle);
  checkDevicesPerHost(analysis.topology.hosts, maxDevices);
  const { id: _id, createdAt: _createdAt, ...meta } = metaFor('', '', bundle, analysis, input.title);
  return { meta, bundle, topology: analysis.topology, findings: analysis.findings, overview: storedOverview(analysis.topology, analysis.findings) };
}

/** A stored snapshot seen through the current parsers and rules; its metadata stays as it was stored. */
export function rediagnosedView(meta: SnapshotMeta, bundle: CaptureBundle, analyzeBundle: AnalyzeBundle = analyze): SnapshotView {
  const analysis = analyzeBundle(bundle);
  return { meta, topology: analysis.topology, findings: analysis.findings, rulesVersion: analysis.rulesVersion, rediagnosed: true };
}
