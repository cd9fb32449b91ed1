/**
 * The database's disk fills up (a 1 MiB tmpfs holds the SQLite store, as root): the upload that does not fit is
 * answered with a clear 507, and every snapshot stored before still reads back whole.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeStore } from '@/lib/store';
import type { SnapshotMeta, SnapshotPage } from '@/lib/snapshot/types';
import { makeBundle } from '../store/bundles';
import { getView, list, postJson, useDatabase, type ErrorBody } from './api';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h20-full-'));

beforeAll(async () => {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'h20-full', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs: ${mounted.stderr}`);
  process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE = '0';
  await useDatabase({ kind: 'sqlite', file: path.join(dir, 'tunnelscope.db') });
});

afterAll(async () => {
  delete process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE;
  await closeStore();
  spawnSync('umount', [dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('answers 507 storage_full with a message for the operator, and keeps every snapshot stored before', async () => {
    const stored: SnapshotMeta[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const response = await postJson({ bundle: makeBundle({ hosts: [`full-${i}`, `full-${i}-b`, `full-${i}-c`] }) });
      if (response.status === 201) stored.push(((await response.json()) as { snapshot: SnapshotMeta }).snapshot);
      else refused = response;
    }
    expect(stored.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(507);
    const body = (await refused?.json()) as ErrorBody;
    expect(body.error.code).toBe('storage_full');
    expect(body.error.message).toMatch(/disk is full.*nothing was stored.*intact/);
    for (const meta of stored) expect((await getView(meta.id)).status).toBe(200);
    const listed = (await (await list('?limit=100')).json()) as SnapshotPage;
    expect(listed.items.length).toBe(Math.min(stored.length, 100));
  });
});
