import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuild, freePort } from './server';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';

const CLI = path.resolve('bin/tunnelscope.mjs');

async function answer(url: string, deadline: number): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe('the command line outside the checkout', () => {
  it('stores a snapshot of the bundled sample in ./data of its directory, serves it from there and takes snapshots sent to it', async () => {
    await ensureBuild();
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'tunnelscope-serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '' };
    for (const name of ['TUNNELSCOPE_DATA_DIR', 'TUNNELSCOPE_HOME', 'TSX_TSCONFIG_PATH', 'TUNNELSCOPE_PUBLIC_URL']) delete env[name];
    const stored = spawnSync(CLI, ['snapshot', '--source', 'sample'], { cwd: elsewhere, env, encoding: 'utf8' });
    expect([stored.status, stored.stderr]).toEqual([0, '']);
    const id = /\/s\/([A-Za-z0-9_-]+)/.exec(stored.stdout)?.[1];
    expect(id).toBeDefined();

    const port = await freePort();
    const server = spawn(CLI, ['serve', '--port', String(port)], { cwd: elsewhere, env, stdio: 'ignore', detached: true });
    try {
      const response = await answer(`http://localhost:${port}/api/snapshots/${id}`, Date.now() + 60_000);
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain('peerpod-podvm-mac-mismatch');

      // The command the dashboard offers for a host: a snapshot sent to this server, answered with its link.
      const sent = spawnSync(CLI, ['snapshot', path.resolve(SAMPLE_BUNDLE_PATH), '--server', `http://localhost:${port}`], { cwd: elsewhere, env, encoding: 'utf8' });
      expect([sent.status, sent.stderr]).toEqual([0, '']);
      const link = sent.stdout.trim();
      expect(link).toMatch(new RegExp(`^http://localhost:${port}/s/[A-Za-z0-9_-]{20,}$`));
      expect(link).not.toContain(`/s/${id}`);
      expect((await fetch(link.replace('/s/', '/api/snapshots/'))).status).toBe(200);
    } finally {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
      await new Promise((r) => server.once('exit', r));
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 240_000);
});
