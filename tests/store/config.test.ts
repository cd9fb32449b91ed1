import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSnapshot } from '@/lib/serve/snapshots';
import { createStore, storeConfigFromEnv } from '@/lib/store';
import { migrations } from '@/lib/store/migrations';
import { makeBundle } from './bundles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsst-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('storage settings from the environment', () => {
  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://u@db/ts', TUNNELSCOPE_DATA_DIR: '/x' })).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db/ts',
      retention: undefined,
    });
  });

  it('uses tunnelscope.db in ./data by default and in TUNNELSCOPE_DATA_DIR when set', () => {
    expect(storeConfigFromEnv({})).toMatchObject({ kind: 'sqlite', file: path.resolve('data', 'tunnelscope.db') });
    expect(storeConfigFromEnv({ TUNNELSCOPE_DATA_DIR: '/srv/ts', DATABASE_URL: ' ' })).toMatchObject({
      kind: 'sqlite',
      file: '/srv/ts/tunnelscope.db',
    });
  });

  it('reads retention limits and rejects ones that are not positive numbers', () => {
    expect(storeConfigFromEnv({ TUNNELSCOPE_RETENTION_DAYS: '30', TUNNELSCOPE_RETENTION_MAX: '1000' }).retention).toEqual({
      maxAgeDays: 30,
      maxCount: 1000,
    });
    expect(() => storeConfigFromEnv({ TUNNELSCOPE_RETENTION_DAYS: 'forever' })).toThrow(/TUNNELSCOPE_RETENTION_DAYS/);
    expect(() => storeConfigFromEnv({ TUNNELSCOPE_RETENTION_MAX: '2.5' })).toThrow(/TUNNELSCOPE_RETENTION_MAX/);
    expect(() => storeConfigFromEnv({ TUNNELSCOPE_RETENTION_MAX: '0' })).toThrow(/greater than 0/);
  });
});

describe('opening a SQLite store', () => {
  it('creates the data directory on first start and writes in WAL mode', async () => {
    const file = path.join(tmp, 'nested', 'dir', 'tunnelscope.db');
    const store = await createStore({ kind: 'sqlite', file });
    await createSnapshot(store, { bundle: makeBundle() });
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('select version from schema_migrations order by version').all();
      expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
    } finally {
      db.close();
    }
  });

  it('applies each migration once however often the store is reopened', async () => {
    const file = path.join(tmp, 'reopen.db');
    for (let i = 0; i < 3; i += 1) await (await createStore({ kind: 'sqlite', file })).close();
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      expect(db.prepare('select count(*) as n from schema_migrations').get()).toEqual({ n: migrations.length });
    } finally {
      db.close();
    }
  });

  it('keeps the bundle compressed on disk', async () => {
    const file = path.join(tmp, 'compressed.db');
    const store = await createStore({ kind: 'sqlite', file });
    const bundle = makeBundle({ hosts: ['c1', 'c2', 'c3', 'c4'] });
    const meta = await createSnapshot(store, { bundle });
    await store.close();
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      const row = db.prepare('select bundle, encoding from snapshots where id = ?').get(meta.id) as { bundle: Buffer; encoding: string };
      expect(row.encoding).toBe('gzip');
      expect(row.bundle.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(row.bundle.length).toBeLessThan(JSON.stringify(bundle).length / 3);
    } finally {
      db.close();
    }
  });
});
