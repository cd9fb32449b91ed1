/** Creating snapshots is the expensive request: one client gets TUNNELSCOPE_RATE_LIMIT_PER_MINUTE of them a minute. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeStore } from '@/lib/store';
import { sqliteBackend } from '../store/backends';
import { makeBundle } from '../store/bundles';
import { postJson, useDatabase, type ErrorBody } from './api';

const backend = sqliteBackend();

beforeAll(async () => {
  process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE = '2';
  await useDatabase(backend.fresh());
});

afterAll(async () => {
  delete process.env.TUNNELSCOPE_RATE_LIMIT_PER_MINUTE;
  await closeStore();
  await backend.stop();
});

describe('POST /api/snapshots per client', () => {
  it('answers 429 with a message saying when to retry and which setting to change, and other clients still get through', async () => {
    const from = (client: string) => postJson({ bundle: makeBundle({ hosts: ['rl-host'] }) }, { 'x-forwarded-for': client });
    expect((await from('10.1.1.1')).status).toBe(201);
    expect((await from('10.1.1.1')).status).toBe(201);
    const refused = await from('10.1.1.1');
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/try again in \d+ s .*TUNNELSCOPE_RATE_LIMIT_PER_MINUTE/);
    expect((await from('10.2.2.2')).status).toBe(201);
  });
});
