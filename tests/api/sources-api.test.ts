import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sources from '@/app/api/sources/route';
import type { SourceInfo } from '@/lib/capture/source-kinds';
import { BASE } from './api';

describe('GET /api/sources', () => {
  // A server without any kubeconfig: no KUBECONFIG, an empty home, not in a cluster.
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
  let home: string;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tssources-'));
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
    process.env.HOME = home;
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists every source this server captures from, with what the dashboard offers for each, uncached', async () => {
    const response = await sources.GET(new Request(`${BASE}/api/sources`));
    expect([response.status, response.headers.get('cache-control')]).toEqual([200, 'no-store']);
    const body = (await response.json()) as { sources: SourceInfo[] };
    expect(body.sources.map((s) => `${s.kind} live:${s.live} recapture:${s.recapture}`)).toEqual([
      'lab live:true recapture:true',
      'local live:true recapture:true',
      'sample live:false recapture:false',
      'kube live:true recapture:false',
    ]);
    expect(body.sources.find((s) => s.kind === 'sample')?.available).toBe(true);
  });

  it('says a cluster cannot be reached on a server without a kubeconfig, and why, without naming any file', async () => {
    const body = (await (await sources.GET(new Request(`${BASE}/api/sources`))).json()) as { sources: SourceInfo[] };
    const kube = body.sources.find((s) => s.kind === 'kube');
    expect(kube).toMatchObject({ available: false, reason: expect.stringMatching(/no kubeconfig/) });
    expect(kube?.reason).not.toContain(home);
  });
});
