/**
 * The snapshot model, shared by everything that reads a snapshot: the store keeps it, the graph layer, the views
 * and the exports draw it, the API sends it and the UI receives it as JSON.
 */
import type { CaptureBundle, CaptureSource } from '@/lib/capture/types';
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';

export interface SnapshotMeta {
  /** ≥128 bits of randomness, URL-safe (base64url). */
  id: string;
  title: string;
  createdAt: string;
  source: CaptureSource;
  cluster?: string;
  hosts: string[];
  /** Hosts whose capture is partial or failed. */
  partialHosts: string[];
  counts: Record<Severity, number>;
  /** Version of parsers + rules that derived topology and findings. */
  rulesVersion: string;
}

/** What the dashboard reads: everything derived, without the raw bundle. */
export interface SnapshotView {
  meta: SnapshotMeta;
  topology: Topology;
  findings: Finding[];
  /**
   * Version of parsers + rules that produced `topology` and `findings` in this view. Equals
   * `meta.rulesVersion` (the version stored at creation) unless the view was re-diagnosed.
   */
  rulesVersion?: string;
  /** True when topology and findings were recomputed from the stored bundle with the current rules. */
  rediagnosed?: boolean;
}

export interface Snapshot extends SnapshotView {
  bundle: CaptureBundle;
}

/** One page of the snapshot list, newest first. */
export interface SnapshotPage {
  items: SnapshotMeta[];
  nextCursor?: string;
}
