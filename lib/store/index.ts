import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { storeConfigFromEnv, type StoreConfig } from './config';
import { migrate } from './migrations';
import type { Database } from './schema';
import { SqlSnapshotStore, type StoreOptions } from './sql-store';

export type { StoreOptions } from './sql-store';
import type { SnapshotListQuery, SnapshotStore } from './types';
import type { AuditEntryInput, AuditQuery } from './audit';

export type { StoreConfig, RetentionPolicy } from './config';
export { storeConfigFromEnv } from './config';
export { InvalidCursorError } from './cursor';
export { isSnapshotId, newSnapshotId } from './ids';

function openSqlite(file: string): Kysely<Database> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A connection that the server closes (PostgreSQL restarting) reports an error event, idle in the pool or held
  // between two statements of a transaction; unheard, the event would end the process. The statement that was
  // running fails (answered as 503), and the pool opens a new connection for the next request.
  const closed = (error: Error) => console.error('tunnelscope: a database connection was closed:', error.message);
  pool.on('error', closed);
  pool.on('connect', (client) => client.on('error', closed));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Opens the database, creating it and applying pending migrations on first use. */
export async function createStore(config: StoreConfig, options: StoreOptions = {}): Promise<SnapshotStore> {
  const db = config.kind === 'postgres' ? openPostgres(config.url) : openSqlite(config.file);
  try {
    await migrate(db, config.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqlSnapshotStore(db, config.retention, options);
}

/** Opens on first use, so that callers get a store synchronously while migrations run once in the background. */
class LazyStore implements SnapshotStore {
  private opening: Promise<SnapshotStore> | undefined;

  constructor(private readonly open: () => Promise<SnapshotStore>) {}

  private store(): Promise<SnapshotStore> {
    if (!this.opening) {
      const opening = this.open();
      this.opening = opening;
      // A failed open (database down) is retried by the next call instead of being cached forever.
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  async createPrepared(prepared: Parameters<SnapshotStore['createPrepared']>[0]) {
    return (await this.store()).createPrepared(prepared);
  }
  async get(id: string) {
    return (await this.store()).get(id);
  }
  async getView(id: string) {
    return (await this.store()).getView(id);
  }
  async getOverview(id: string) {
    return (await this.store()).getOverview(id);
  }
  async getCapture(id: string) {
    return (await this.store()).getCapture(id);
  }
  async getBundle(id: string) {
    return (await this.store()).getBundle(id);
  }
  async list(query: SnapshotListQuery) {
    return (await this.store()).list(query);
  }
  async delete(id: string) {
    return (await this.store()).delete(id);
  }
  async recordAudit(entry: AuditEntryInput) {
    return (await this.store()).recordAudit(entry);
  }
  async listAudit(query: AuditQuery) {
    return (await this.store()).listAudit(query);
  }
  async serverSecret(name: string) {
    return (await this.store()).serverSecret(name);
  }
  async close() {
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await (await opening).close();
  }
}

/** One store per process; kept on globalThis so that module reloads in development reuse it. */
const holder = globalThis as typeof globalThis & { __tunnelscopeStore?: SnapshotStore };

/** The process-wide store: PostgreSQL when DATABASE_URL is set, otherwise SQLite in the data directory. */
export function getStore(): SnapshotStore {
  holder.__tunnelscopeStore ??= new LazyStore(() => createStore(storeConfigFromEnv()));
  return holder.__tunnelscopeStore;
}

/** Closes the process-wide store; the next getStore() opens it again from the environment. */
export async function closeStore(): Promise<void> {
  const current = holder.__tunnelscopeStore;
  holder.__tunnelscopeStore = undefined;
  if (current) await current.close();
}
