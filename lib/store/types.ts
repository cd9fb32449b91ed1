import type { CaptureBundle, CaptureSource } from '@/lib/capture/types';
import type { Finding, Severity } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';
import type { SnapshotOverview } from '@/lib/graph/subview';
import type { PreparedSnapshot } from './sql-store';
import type { AuditEntry, AuditEntryInput, AuditQuery } from './audit';

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

export interface SnapshotViewOptions {
  /** Re-run analyze() on the stored bundle with the current parsers and rules instead of reading the stored result. */
  rediagnose?: boolean;
}

export interface Snapshot extends SnapshotView {
  bundle: CaptureBundle;
}

export interface SnapshotListQuery {
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  host?: string;
  cluster?: string;
  hasFaults?: boolean;
}

export interface SnapshotPage {
  items: SnapshotMeta[];
  nextCursor?: string;
}

/** Snapshots are immutable: there is no update path, only retention and an admin's delete. */
export interface SnapshotStore {
  create(input: { bundle: CaptureBundle; title?: string }): Promise<SnapshotMeta>;
  /** Stores a snapshot prepared elsewhere (sql-store.ts prepareSnapshot), e.g. on an analysis thread. */
  createPrepared(prepared: PreparedSnapshot): Promise<SnapshotMeta>;
  get(id: string): Promise<Snapshot | null>;
  getView(id: string, options?: SnapshotViewOptions): Promise<SnapshotView | null>;
  /** The overview level alone (subview.ts): read without unpacking topology and findings. */
  getOverview(id: string, options?: SnapshotViewOptions): Promise<SnapshotOverview | null>;
  getBundle(id: string): Promise<CaptureBundle | null>;
  list(query: SnapshotListQuery): Promise<SnapshotPage>;
  /** Removes one snapshot (an admin's decision) and answers what it was; null when there was none. */
  delete(id: string): Promise<SnapshotMeta | null>;
  recordAudit(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** A random secret of the server's own, made on first use and the same for every process sharing the database. */
  serverSecret(name: string): Promise<string>;
  close(): Promise<void>;
}
