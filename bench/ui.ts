/**
 * Dashboard figures in headless Chromium: navigation → interactive page (the path view of the worst finding and
 * the graph both ready) for snapshots of 50 and BENCH_HOSTS (500) hosts, and the JavaScript the page ships (gzip).
 * Anything that keeps a figure from being taken throws: the bench fails instead of printing a partial result.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { CHROMIUM, CHROMIUM_ARGS } from '@/tests/e2e/browser';
import { ensureBuild, freePort } from '@/tests/e2e/server';
import { syntheticBundle } from './synthetic';

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('the dashboard exited during start-up');
    try {
      const response = await fetch(`${url}/api/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the dashboard did not start within 30 s');
}

/** The page is interactive when the path view and the graph both say they are ready. */
const READY = ['[data-path-view][data-ready="true"]', '[data-testid="topology-canvas"][data-ready="true"]'];

export async function uiBench(bigHosts = 500): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`dashboard: ${CHROMIUM} is not installed (install chromium, or set BENCH_SKIP_UI=1)`);
  const sizes = [...new Set([Math.min(50, bigHosts), bigHosts])];
  const nextBin = path.join('node_modules', 'next', 'dist', 'bin', 'next');
  await ensureBuild();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bench-'));
  process.env.TUNNELSCOPE_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  const base = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!base.ok) throw new Error(base.error);

  const [{ createStore }, { createSnapshot }] = await Promise.all([import('@/lib/store'), import('@/lib/serve/snapshots')]);
  const store = await createStore({ kind: 'sqlite', file: path.join(dataDir, 'tunnelscope.db') });
  const ids: Record<number, string> = {};
  for (const hosts of sizes) {
    const meta = await createSnapshot(store, { bundle: syntheticBundle(base.bundle, hosts, 4), title: `bench ${hosts} hosts` });
    ids[hosts] = meta.id;
  }
  await store.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    env: { ...process.env, TUNNELSCOPE_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    await waitForServer(url, server);
    console.log('dashboard (headless Chromium)');
    for (const hosts of sizes) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      let scriptBytes = 0;
      const scripts: Promise<void>[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() !== 'script') return;
        scripts.push(
          response.body().then(
            (body) => {
              scriptBytes += gzipSync(body).length;
            },
            () => undefined,
          ),
        );
      });
      const start = Date.now();
      await page.goto(`${url}/s/${ids[hosts]}`);
      const [pathMs, graphMs] = await Promise.all(READY.map((selector) => page.waitForSelector(selector, { timeout: 120_000 }).then(() => Date.now() - start)));
      const ms = Math.max(pathMs ?? 0, graphMs ?? 0);
      await Promise.all(scripts);
      console.log(
        `  ${String(hosts).padStart(3)} hosts: time to interactive ${ms} ms (path view ${pathMs} ms, graph ${graphMs} ms; target < 2000 ms for 500); JS ${(scriptBytes / 1024).toFixed(0)} KB gzip (target < 400 KB)`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
