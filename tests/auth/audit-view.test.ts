import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditView } from '@/lib/auth/audit';
import type { Caller } from '@/lib/auth/identity';
import { closeStore, getStore } from '@/lib/store';

describe('views on the audit log', () => {
  let dir: string;
  beforeAll(async () => {
    await closeStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsaudit-'));
    process.env.TUNNELSCOPE_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    await closeStore();
    delete process.env.TUNNELSCOPE_DATA_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records one view per person and snapshot within ten minutes, however often the page renders', async () => {
    const ann: Caller = { user: 'ann', groups: [], role: 'viewer', via: 'token', address: '10.0.0.1' };
    const bob: Caller = { ...ann, user: 'bob' };
    const t0 = Date.parse('2026-12-06T10:00:00Z');
    expect(await auditView(ann, 'snapshot.view', { target: 'snap-a' }, t0)).toBe(true);
    expect(await auditView(ann, 'snapshot.view', { target: 'snap-a' }, t0 + 60_000)).toBe(false);
    expect(await auditView(bob, 'snapshot.view', { target: 'snap-a' }, t0 + 60_000)).toBe(true);
    expect(await auditView(ann, 'snapshot.view', { target: 'snap-b' }, t0 + 60_000)).toBe(true);
    expect(await auditView(ann, 'snapshot.view', { target: 'snap-a' }, t0 + 11 * 60_000)).toBe(true);
    const entries = await getStore().listAudit({ action: 'snapshot.view' });
    expect(entries.map((e) => `${e.actor} ${e.target}`).sort()).toEqual(['ann snap-a', 'ann snap-a', 'ann snap-b', 'bob snap-a']);
  });
});
