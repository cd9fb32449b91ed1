/**
 * The computing around the store, which only persists and loads: a capture becomes a snapshot (redaction,
 * analysis, packing) before it is stored, and a stored capture is re-diagnosed after it is loaded. Uploads and
 * collections run prepareSnapshot on an analysis thread (lib/analysis-job.ts) and store its answer; the command
 * line and the benches call createSnapshot.
 */
import type { CaptureBundle } from '@/lib/capture/types';
import { deriveSnapshot, rediagnosedView, type AnalyzeBundle } from '@/lib/snapshot/derive';
import type { SnapshotMeta, SnapshotView } from '@/lib/snapshot/types';
import { packSnapshot } from '@/lib/store/sql-store';
import type { PreparedSnapshot, SnapshotStore } from '@/lib/store/types';

export interface SnapshotInput {
  bundle: CaptureBundle;
  title?: string;
}

export interface AnalysisOptions {
  /** Derives topology and findings; defaults to lib/analyze. */
  analyze?: AnalyzeBundle;
}

export interface SnapshotViewOptions extends AnalysisOptions {
  /** Re-run the analysis on the stored bundle with the current parsers and rules instead of reading the stored result. */
  rediagnose?: boolean;
}

export async function prepareSnapshot(input: SnapshotInput, options: AnalysisOptions = {}): Promise<PreparedSnapshot> {
  return packSnapshot(deriveSnapshot(input, options.analyze));
}

/** Derives, packs and stores on the calling thread; nothing is stored when the analysis fails. */
export async function createSnapshot(store: SnapshotStore, input: SnapshotInput, options: AnalysisOptions = {}): Promise<SnapshotMeta> {
  return store.createPrepared(await prepareSnapshot(input, options));
}

/** The stored view, or with `rediagnose` the stored capture seen through the current rules; null when there is none. */
export async function snapshotView(store: SnapshotStore, id: string, options: SnapshotViewOptions = {}): Promise<SnapshotView | null> {
  if (!options.rediagnose) return store.getView(id);
  const stored = await store.getCapture(id);
  return stored && rediagnosedView(stored.meta, stored.bundle, options.analyze);
}
