/**
 * Builds the app once (`next build`, skipped when .next is newer than every source file) and starts it as operators
 * do, `tunnelscope serve` (Next.js behind the front server that sends kept snapshot answers), on a free port with a
 * throwaway data directory, and opens Chromium on it.
 */
import type { Browser, Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './browser';

// From import.meta.url, not __dirname: the bench (tsx, ES modules) imports this file too.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the app when its sources are newer than the build, through the script that serialises builds of one
 * checkout. Asynchronous on purpose: a build takes minutes, and a test worker whose event loop is blocked that long
 * misses Vitest's own messages (an "onTaskUpdate" timeout).
 */
export async function ensureBuild(): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'build-app.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (status !== 0) throw new Error(`next build failed:\n${printed}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningApp {
  url: string;
  dataDir: string;
  /** The server's process id; none for a server this run did not start (TUNNELSCOPE_E2E_URL). */
  pid?: number;
  /** What the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Settings on top of the test's environment (auth modes, read-only). */
  env?: Record<string, string>;
  /** A data directory of the test's own, kept when the server stops (a restart over the same store). */
  dataDir?: string;
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tunnelscope serve exited (${child.exitCode}):\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`tunnelscope serve did not answer on ${url}:\n${log()}`);
}

/** TUNNELSCOPE_E2E_URL points the tests at an already running server (e.g. `next dev`) instead. */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const external = process.env.TUNNELSCOPE_E2E_URL;
  if (external) return { url: external.replace(/\/$/, ''), dataDir: '', output: () => '', stop: async () => {} };
  await ensureBuild();
  const port = await freePort();
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-e2e-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tunnelscope.mjs'), 'serve', '-p', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    // The tests are many readers from one address; tests/e2e/read-limit.test.ts sets the read limit it checks.
    env: { ...process.env, TUNNELSCOPE_DATA_DIR: dataDir, NODE_ENV: 'production', DATABASE_URL: '', NEXT_TELEMETRY_DISABLED: '1', TUNNELSCOPE_READ_RATE_PER_MINUTE: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, () => output);
  return {
    url,
    dataDir,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (options.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The page size every end-to-end test and screenshot uses. */
export const VIEWPORT = { width: 1440, height: 900 };

/** The screens the incident page is judged on: a desk, a tablet, a phone. */
export const SCREENS = [
  { name: 'wide', ...VIEWPORT },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** The lab's default snapshot, as `npm run demo` serves it without root. */
export const LAB_SAMPLE = new URL('../../public/samples/peerpod-incident.bundle.json', import.meta.url);

export interface Session {
  app: RunningApp;
  browser: Browser;
  /** A page in a fresh browser context, as for someone opening a link for the first time. */
  page: Page;
}

/** The app and Chromium with one page: what a test file opens before its tests and closes after them. */
export async function openSession(): Promise<Session> {
  const app = await startApp();
  try {
    const browser = await launchChromium();
    return { app, browser, page: await browser.newPage({ viewport: VIEWPORT }) };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/** Closes what openSession opened, whichever parts of it were opened. */
export async function closeSession(session: Partial<Session>): Promise<void> {
  await session.browser?.close();
  await session.app?.stop();
}
