import type { CaptureBundle } from '@/lib/capture/types';
import type { SnapshotOverview } from '@/lib/snapshot/subview';
import type { Snapshot, SnapshotMeta, SnapshotPage, SnapshotView } from '@/lib/snapshot/types';
import type { SnapshotsTable } from './schema';
import type { AuditEntry, AuditEntryInput, AuditQuery } from './audit';

/**
 * A derived snapshot packed for storage, ready but for its id and time. Packing costs time in proportion to the
 * snapshot, so it runs where the derivation ran: on an analysis thread for uploads (lib/analysis-job.ts).
 */
export interface PreparedSnapshot {
  meta: Omit<SnapshotMeta, 'id' | 'createdAt'>;
  encoding: string;
  blobs: Pick<SnapshotsTable, 'bundle' | 'topology' | 'findings' | 'overview'>;
}

/** The stored capture and its metadata: what re-diagnosing a snapshot reads (lib/serve/snapshots.ts). */
export interface StoredCapture {
  meta: SnapshotMeta;
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

/**
 * Snapshots are immutable: there is no update path, only retention and an admin's delete. The store persists and
 * loads what was derived elsewhere; deriving and re-diagnosing are lib/serve/snapshots.ts.
 */
export interface SnapshotStore {
  /** Stores a snapshot derived and packed elsewhere (sql-store.ts packSnapshot), e.g. on an analysis thread. */
  createPrepared(prepared: PreparedSnapshot): Promise<SnapshotMeta>;
  get(id: string): Promise<Snapshot | null>;
  /** Topology and findings as stored, under the rules of their time. */
  getView(id: string): Promise<SnapshotView | null>;
  /** The overview level alone (lib/snapshot/subview.ts): read without unpacking topology and findings. */
  getOverview(id: string): Promise<SnapshotOverview | null>;
  getCapture(id: string): Promise<StoredCapture | null>;
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
