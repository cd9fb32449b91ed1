import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { isRecordedKind } from '@/lib/capture/source-kinds';
import type { CaptureBundle } from '@/lib/capture/types';
import type { Finding } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';
import { DEFAULT_ENCODING, packJson, unpackJson } from './codec';
import type { RetentionPolicy } from './config';
import { decodeCursor, encodeCursor } from './cursor';
import { newSnapshotId } from './ids';
import type { AuditLogTable, Database, SnapshotsTable } from './schema';
import { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE, type AuditEntry, type AuditEntryInput, type AuditQuery } from './audit';
import { overviewOf, type DerivedSnapshot, type SnapshotOverview, type StoredOverview } from '@/lib/snapshot/subview';
import type { Snapshot, SnapshotMeta, SnapshotPage, SnapshotView } from '@/lib/snapshot/types';
import type { PreparedSnapshot, SnapshotListQuery, SnapshotStore, StoredCapture } from './types';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const META_COLUMNS = ['id', 'title', 'created_at', 'source_kind', 'source_detail', 'cluster', 'hosts', 'partial_hosts', 'critical_count', 'warning_count', 'info_count', 'rules_version'] as const;

type MetaRow = Pick<SnapshotsTable, (typeof META_COLUMNS)[number]>;
type DB = Kysely<Database>;

function stringList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function rowToMeta(row: MetaRow): SnapshotMeta {
  const kind = isRecordedKind(row.source_kind) ? row.source_kind : 'upload';
  const meta: SnapshotMeta = {
    id: row.id,
    title: row.title,
    createdAt: row.created_at,
    source: row.source_detail === null ? { kind } : { kind, detail: row.source_detail },
    hosts: stringList(row.hosts),
    partialHosts: stringList(row.partial_hosts),
    counts: { critical: Number(row.critical_count), warning: Number(row.warning_count), info: Number(row.info_count) },
    rulesVersion: row.rules_version,
  };
  if (row.cluster !== null) meta.cluster = row.cluster;
  return meta;
}

function rowToAudit(row: AuditLogTable): AuditEntry {
  const entry: AuditEntry = { id: row.id, at: row.at, actor: row.actor, mode: row.mode, action: row.action, hosts: stringList(row.hosts) };
  if (row.target !== null) entry.target = row.target;
  if (row.address !== null) entry.address = row.address;
  if (row.detail !== null) entry.detail = JSON.parse(row.detail) as AuditEntry['detail'];
  return entry;
}

/**
 * The blobs were written by this module from typed values, so reading them back trusts their shape;
 * bundles entering from outside are validated before they are derived and packed.
 */
async function unpack<T>(blob: Uint8Array, encoding: string): Promise<T> {
  return (await unpackJson(blob, encoding)) as T;
}

export async function packSnapshot(derived: DerivedSnapshot): Promise<PreparedSnapshot> {
  const [bundle, topology, findings, overview] = await Promise.all([packJson(derived.bundle), packJson(derived.topology), packJson(derived.findings), packJson(derived.overview)]);
  return { meta: derived.meta, encoding: DEFAULT_ENCODING, blobs: { bundle, topology, findings, overview } };
}

export interface StoreOptions {
  /** Clock for created_at and retention; defaults to the system clock. */
  now?: () => Date;
}

export class SqlSnapshotStore implements SnapshotStore {
  private readonly now: () => Date;

  constructor(
    private readonly db: DB,
    private readonly retention: RetentionPolicy | undefined,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Stores what packSnapshot made (on this thread or on another): an id and a time, one transaction. */
  async createPrepared(prepared: PreparedSnapshot): Promise<SnapshotMeta> {
    const meta: SnapshotMeta = { id: newSnapshotId(), ...prepared.meta, createdAt: this.now().toISOString() };
    const row: SnapshotsTable = {
      id: meta.id,
      title: meta.title,
      created_at: meta.createdAt,
      source_kind: meta.source.kind,
      source_detail: meta.source.detail ?? null,
      cluster: meta.cluster ?? null,
      hosts: JSON.stringify(meta.hosts),
      partial_hosts: JSON.stringify(meta.partialHosts),
      critical_count: meta.counts.critical,
      warning_count: meta.counts.warning,
      info_count: meta.counts.info,
      rules_version: meta.rulesVersion,
      encoding: prepared.encoding,
      ...prepared.blobs,
    };
    // SQLite rolls a transaction back by itself when its disk fills up (SQLITE_FULL, often at COMMIT); Kysely's
    // transaction() would then lose that error to its own failing ROLLBACK. So the transaction is run by hand and
    // the write's error is the one thrown.
    await this.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        // Write first, then read for retention: in SQLite WAL a read-then-write transaction cannot wait for the lock.
        await conn.insertInto('snapshots').values(row).execute();
        if (meta.hosts.length > 0) {
          await conn
            .insertInto('snapshot_hosts')
            .values(meta.hosts.map((host) => ({ snapshot_id: meta.id, host })))
            .execute();
        }
        await this.applyRetention(conn, meta.id);
        await sql`commit`.execute(conn);
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
    return meta;
  }

  async get(id: string): Promise<Snapshot | null> {
    const row = await this.db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const [bundle, topology, findings] = await Promise.all([
      unpack<CaptureBundle>(row.bundle, row.encoding),
      unpack<Topology>(row.topology, row.encoding),
      unpack<Finding[]>(row.findings, row.encoding),
    ]);
    return { meta: rowToMeta(row), topology, findings, bundle, rulesVersion: row.rules_version, rediagnosed: false };
  }

  async getCapture(id: string): Promise<StoredCapture | null> {
    const row = await this.db
      .selectFrom('snapshots')
      .select([...META_COLUMNS, 'bundle', 'encoding'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { meta: rowToMeta(row), bundle: await unpack<CaptureBundle>(row.bundle, row.encoding) } : null;
  }

  async getView(id: string): Promise<SnapshotView | null> {
    const row = await this.db
      .selectFrom('snapshots')
      .select([...META_COLUMNS, 'topology', 'findings', 'encoding'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const [topology, findings] = await Promise.all([unpack<Topology>(row.topology, row.encoding), unpack<Finding[]>(row.findings, row.encoding)]);
    return { meta: rowToMeta(row), topology, findings, rulesVersion: row.rules_version, rediagnosed: false };
  }

  async getOverview(id: string): Promise<SnapshotOverview | null> {
    const row = await this.db
      .selectFrom('snapshots')
      .select([...META_COLUMNS, 'overview', 'encoding'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    if (row.overview === null) {
      const view = await this.getView(id);
      return view && overviewOf(view);
    }
    const stored = await unpack<StoredOverview>(row.overview, row.encoding);
    return { meta: rowToMeta(row), rulesVersion: row.rules_version, rediagnosed: false, ...stored };
  }

  async getBundle(id: string): Promise<CaptureBundle | null> {
    const row = await this.db.selectFrom('snapshots').select(['bundle', 'encoding']).where('id', '=', id).executeTakeFirst();
    return row ? unpack<CaptureBundle>(row.bundle, row.encoding) : null;
  }

  async list(query: SnapshotListQuery): Promise<SnapshotPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    let q: SelectQueryBuilder<Database, 'snapshots', MetaRow> = this.db.selectFrom('snapshots').select([...META_COLUMNS]);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      q = q.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
    }
    if (query.cluster !== undefined) q = q.where('cluster', '=', query.cluster);
    if (query.host !== undefined) {
      const host = query.host;
      q = q.where((eb) => eb.exists(eb.selectFrom('snapshot_hosts').select('snapshot_hosts.host').whereRef('snapshot_hosts.snapshot_id', '=', 'snapshots.id').where('snapshot_hosts.host', '=', host)));
    }
    if (query.hasFaults === true) q = q.where((eb) => eb.or([eb('critical_count', '>', 0), eb('warning_count', '>', 0)]));
    if (query.hasFaults === false) q = q.where('critical_count', '=', 0).where('warning_count', '=', 0);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(rowToMeta);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) } : { items };
  }

  async delete(id: string): Promise<SnapshotMeta | null> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('snapshot_hosts').where('snapshot_id', '=', id).execute();
      const row = await trx
        .deleteFrom('snapshots')
        .where('id', '=', id)
        .returning([...META_COLUMNS])
        .executeTakeFirst();
      return row ? rowToMeta(row) : null;
    });
  }

  async recordAudit(input: AuditEntryInput): Promise<AuditEntry> {
    const entry: AuditEntry = { id: newSnapshotId(), at: this.now().toISOString(), actor: input.actor, mode: input.mode, action: input.action, hosts: input.hosts ?? [] };
    if (input.target !== undefined) entry.target = input.target;
    if (input.address !== undefined) entry.address = input.address;
    if (input.detail !== undefined) entry.detail = input.detail;
    await this.db
      .insertInto('audit_log')
      .values({
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        mode: entry.mode,
        action: entry.action,
        target: entry.target ?? null,
        hosts: JSON.stringify(entry.hosts),
        address: entry.address ?? null,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })
      .execute();
    return entry;
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_AUDIT_PAGE), 1), MAX_AUDIT_PAGE);
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.before !== undefined) {
      const { at, id } = query.before;
      q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
    }
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(rowToAudit);
  }

  async serverSecret(name: string): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  private async applyRetention(trx: Kysely<Database>, keepId: string): Promise<void> {
    const policy = this.retention;
    if (!policy) return;
    if (policy.maxAgeDays !== undefined) {
      const cutoff = new Date(this.now().getTime() - policy.maxAgeDays * 86_400_000).toISOString();
      await this.deleteWhere(trx, (q) => q.where('created_at', '<', cutoff).where('id', '!=', keepId));
    }
    if (policy.maxCount !== undefined) {
      const oldestKept = await trx
        .selectFrom('snapshots')
        .select(['created_at', 'id'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(policy.maxCount - 1)
        .limit(1)
        .executeTakeFirst();
      if (!oldestKept) return;
      await this.deleteWhere(trx, (q) =>
        q.where((eb) => eb.or([eb('created_at', '<', oldestKept.created_at), eb.and([eb('created_at', '=', oldestKept.created_at), eb('id', '<', oldestKept.id)])])).where('id', '!=', keepId),
      );
    }
  }

  /** Retention removes snapshots here; an admin's delete() removes one. */
  private async deleteWhere(trx: Kysely<Database>, filter: (q: SelectQueryBuilder<Database, 'snapshots', { id: string }>) => SelectQueryBuilder<Database, 'snapshots', { id: string }>): Promise<void> {
    const doomed = (await filter(trx.selectFrom('snapshots').select('id')).execute()).map((r) => r.id);
    for (let i = 0; i < doomed.length; i += 500) {
      const chunk = doomed.slice(i, i + 500);
      await trx.deleteFrom('snapshot_hosts').where('snapshot_id', 'in', chunk).execute();
      await trx.deleteFrom('snapshots').where('id', 'in', chunk).execute();
    }
  }
}
