import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshot } from '@/lib/serve/snapshots';
import { createStore } from '@/lib/store';
import { backends, type Backend } from './backends';

const ROOT = path.resolve(__dirname, '..', '..');
const WRITER = path.join(__dirname, 'fixtures', 'writer.ts');

/** Starts the writer, waits until it has committed `atLeast` snapshots, then SIGKILLs it mid-loop. */
function runAndKill(config: object, atLeast: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, JSON.stringify(config)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const committed = out.split('\n').filter(Boolean);
      if (!killed && committed.length >= atLeast) {
        killed = true;
        // A short random delay lands the kill at a varying point of the next transaction.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 5));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${err}`));
      else resolve(out.split('\n').filter((line) => /^[A-Za-z0-9_-]{22,}$/.test(line)));
    });
  });
}

describe.each(backends.map((make) => make()))('a writer killed mid-write on $name', (backend: Backend) => {
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  it('leaves only complete, readable snapshots and keeps every committed one', async () => {
    const config = backend.fresh();
    const committed = await runAndKill(config, 3);
    expect(committed.length).toBeGreaterThanOrEqual(3);
    const store = await createStore(config);
    try {
      const listed = (await store.list({ limit: 200 })).items;
      const ids = listed.map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(committed));
      // At most the transaction in flight may have committed without being printed.
      expect(listed.length - committed.length).toBeLessThanOrEqual(1);
      for (const meta of listed) {
        expect(meta.hosts).toHaveLength(200);
        const snapshot = await store.get(meta.id);
        expect(snapshot?.bundle.hosts).toHaveLength(200);
        expect(snapshot?.topology.nodes.length).toBeGreaterThan(0);
        expect((await store.list({ host: 'victim-199', limit: 200 })).items.map((m) => m.id)).toContain(meta.id);
      }
      const again = await store.getBundle(ids[0]);
      if (!again) throw new Error('a listed snapshot has no bundle');
      const next = await createSnapshot(store, { bundle: again, title: 'after the crash' });
      expect((await store.list({ limit: 200 })).items[0].id).toBe(next.id);
    } finally {
      await store.close();
    }
  });
});
