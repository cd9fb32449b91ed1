/** The two databases every store and API contract test runs against. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreConfig, RetentionPolicy } from '@/lib/store';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Prepares the database server (if any); call in beforeAll. */
  start(): Promise<void>;
  /** A config pointing at a fresh, empty database. */
  fresh(retention?: RetentionPolicy): StoreConfig;
  /** Removes every database and temp directory; call in afterAll. */
  stop(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async start() {},
    fresh(retention) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsst-sqlite-'));
      dirs.push(dir);
      return { kind: 'sqlite', file: path.join(dir, 'tunnelscope.db'), retention };
    },
    async stop() {
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): Backend {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  return {
    name: 'postgres',
    async start() {
      cluster = await startPostgres();
    },
    fresh(retention) {
      if (!cluster) throw new Error('postgres backend not started');
      n += 1;
      return { kind: 'postgres', url: cluster.createDatabase(`tsst_${process.pid}_${n}`), retention };
    },
    async stop() {
      await cluster?.stop();
      cluster = undefined;
    },
  };
}

export const backends: Array<() => Backend> = [sqliteBackend, postgresBackend];
