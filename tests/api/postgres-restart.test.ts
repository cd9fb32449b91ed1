/**
 * PostgreSQL restarted (as a crash would) while requests are in flight: each of them is answered — with its result
 * or a clean 503 — and once the database is back, reads and writes succeed again without restarting Tunnelscope.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeStore } from '@/lib/store';
import type { SnapshotMeta, SnapshotPage } from '@/lib/snapshot/types';
import { logError } from '@/app/api/_http/errors';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { makeBundle } from '../store/bundles';
import { getHealth, list, postJson, useDatabase, type ErrorBody } from './api';

let cluster: PostgresCluster;

beforeAll(async () => {
  cluster = await startPostgres();
  process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE = '0';
  await useDatabase({ kind: 'postgres', url: cluster.createDatabase('restart_under_load') });
}, 120_000);

afterAll(async () => {
  delete process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE;
  await closeStore();
  await cluster.stop();
});

async function answered(response: Promise<Response>): Promise<number> {
  const r = await response;
  if (r.status >= 400) {
    const body = (await r.json()) as ErrorBody;
    expect(r.status).toBe(503);
    expect(body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/not reachable/) });
  }
  return r.status;
}

describe('PostgreSQL restarted under load', () => {
  it('answers every request cleanly during the restart and recovers by itself', async () => {
    const first = (await (await postJson({ bundle: makeBundle({ hosts: ['pg-before'] }) })).json()) as { snapshot: SnapshotMeta };
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const inFlight: Promise<number>[] = [];
      for (let i = 0; i < 20; i++) inFlight.push(answered(i % 2 ? list('?limit=5') : postJson({ bundle: makeBundle({ hosts: [`pg-load-${i}`] }) })));
      cluster.restart();
      for (let i = 0; i < 10; i++) inFlight.push(answered(list('?limit=5')));
      const statuses = await Promise.all(inFlight);
      expect(statuses.every((s) => s === 200 || s === 201 || s === 503)).toBe(true);
    } finally {
      quiet.mockRestore();
    }
    await expect.poll(async () => (await getHealth()).status, { timeout: 30_000, interval: 200 }).toBe(200);
    expect((await postJson({ bundle: makeBundle({ hosts: ['pg-after'] }) })).status).toBe(201);
    const page = (await (await list('?limit=100')).json()) as SnapshotPage;
    expect(page.items.map((m) => m.id)).toContain(first.snapshot.id);
    expect(page.items.map((m) => m.hosts[0])).toContain('pg-after');
  }, 120_000);
});

describe('logError', () => {
  it('masks the password of a connection string in what it logs', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      logError('ctx', new Error('connect to postgres://tunnel:s3cr3t-pw@db.internal:5432/ts failed'));
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toContain('postgres://tunnel:<redacted>@db.internal');
    expect(lines.join('\n')).not.toContain('s3cr3t-pw');
  });
});
