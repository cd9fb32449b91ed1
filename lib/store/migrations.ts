import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Dialect } from './schema';

export interface Migration {
  version: number;
  name: string;
  up(trx: Transaction<Database>, dialect: Dialect): Promise<void>;
}

/** Append only: a released migration never changes, a new one gets the next version. */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'snapshots',
    async up(trx, dialect) {
      const blob = dialect === 'postgres' ? 'bytea' : 'blob';
      await trx.schema
        .createTable('snapshots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('source_detail', 'text')
        .addColumn('cluster', 'text')
        .addColumn('hosts', 'text', (c) => c.notNull())
        .addColumn('partial_hosts', 'text', (c) => c.notNull())
        .addColumn('critical_count', 'integer', (c) => c.notNull())
        .addColumn('warning_count', 'integer', (c) => c.notNull())
        .addColumn('info_count', 'integer', (c) => c.notNull())
        .addColumn('rules_version', 'text', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('bundle', blob, (c) => c.notNull())
        .addColumn('topology', blob, (c) => c.notNull())
        .addColumn('findings', blob, (c) => c.notNull())
        .execute();
      await trx.schema.createIndex('snapshots_created_idx').on('snapshots').columns(['created_at desc', 'id desc']).execute();
      await trx.schema.createIndex('snapshots_cluster_idx').on('snapshots').columns(['cluster', 'created_at']).execute();
      await trx.schema
        .createTable('snapshot_hosts')
        .addColumn('snapshot_id', 'text', (c) => c.notNull().references('snapshots.id').onDelete('cascade'))
        .addColumn('host', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('snapshot_hosts_pk', ['snapshot_id', 'host'])
        .execute();
      await trx.schema.createIndex('snapshot_hosts_host_idx').on('snapshot_hosts').columns(['host', 'snapshot_id']).execute();
    },
  },
  {
    version: 2,
    name: 'snapshot overview',
    async up(trx, dialect) {
      // Null for snapshots stored before it existed: their overview is cut from topology and findings on read.
      await trx.schema
        .alterTable('snapshots')
        .addColumn('overview', dialect === 'postgres' ? 'bytea' : 'blob')
        .execute();
    },
  },
  {
    version: 3,
    name: 'audit log and server secrets',
    async up(trx) {
      await trx.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('hosts', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('detail', 'text')
        .execute();
      await trx.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at desc', 'id desc']).execute();
      await trx.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor', 'at']).execute();
      // Secrets the server makes for itself (the key that signs sessions and share links), shared by replicas.
      await trx.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
];

/** Applies pending migrations in one transaction; safe when several processes open the store at once. */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      // Serialises concurrent openers; released at commit. The key is arbitrary but fixed.
      await sql`select pg_advisory_xact_lock(7318005)`.execute(trx);
    }
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const applied = await trx.selectFrom('schema_migrations').select('version').execute();
    const done = new Set(applied.map((row) => Number(row.version)));
    let count = 0;
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await migration.up(trx, dialect);
      await trx.insertInto('schema_migrations').values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() }).execute();
      count += 1;
    }
    return count;
  });
}

export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return row?.v == null ? 0 : Number(row.v);
}
