/** Row shapes as the database sees them (kysely's view of the schema created in migrations.ts). */

export interface SnapshotsTable {
  id: string;
  title: string;
  /** ISO 8601 UTC with milliseconds: sorts lexically in time order on both databases. */
  created_at: string;
  source_kind: string;
  source_detail: string | null;
  cluster: string | null;
  /** JSON array of host names. */
  hosts: string;
  /** JSON array of host names whose capture is partial or failed. */
  partial_hosts: string;
  critical_count: number;
  warning_count: number;
  info_count: number;
  rules_version: string;
  encoding: string;
  bundle: Uint8Array;
  topology: Uint8Array;
  findings: Uint8Array;
  /** The overview level (lib/snapshot/subview.ts StoredOverview), packed; null for rows written before migration 2. */
  overview: Uint8Array | null;
}

export interface SnapshotHostsTable {
  snapshot_id: string;
  host: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface AuditLogTable {
  id: string;
  /** ISO 8601 UTC with milliseconds, as created_at. */
  at: string;
  /** The person (user name, or e-mail where that is all the proxy gives), never a service account or a token. */
  actor: string;
  /** The auth mode or the share link the person came through. */
  mode: string;
  action: string;
  /** A snapshot id, a source, or null. */
  target: string | null;
  /** JSON array of the hosts and pods concerned. */
  hosts: string;
  address: string | null;
  /** JSON object with what else the action names (title, role, expiry); never a secret. */
  detail: string | null;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

export interface Database {
  snapshots: SnapshotsTable;
  snapshot_hosts: SnapshotHostsTable;
  schema_migrations: SchemaMigrationsTable;
  audit_log: AuditLogTable;
  server_secrets: ServerSecretsTable;
}

export type Dialect = 'sqlite' | 'postgres';
