/** Real Chromium for the end-to-end tests, and the snapshot uploads they start from. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CaptureBundle } from '@/lib/capture/types';
import type { SnapshotMeta } from '@/lib/snapshot/types';

export const CHROMIUM = process.env.TUNNELSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, offline, nothing fetched in the background: the only traffic is the page under test. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// From import.meta.url, not __dirname: the bench (tsx, ES modules) imports this file too.
const SHOTS = fileURLToPath(new URL('../../test-results/e2e', import.meta.url));

/** Where a test keeps a file for a person reviewing the run (screenshots, downloads). */
export function artifactPath(name: string): string {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}

/** Screenshots for a person reviewing a run; no test compares pixels. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`) });
}

/** How long a read of the page is retried until it shows what the test expects: React renders after each action. */
export const POLL = { timeout: 10_000, interval: 50 };

/** The canvas sets data-ready once the layout has run, and data-level to what it drew (overview, host, full). */
export async function graphReady(page: Page, level?: string): Promise<void> {
  const drawn = level ? `[data-level="${level}"]` : '';
  await page.waitForSelector(`[data-testid="topology-canvas"]${drawn}[data-ready="true"]`, { timeout: 30_000 });
}

/** POST /api/snapshots with a bundle; fails the test unless the server answers 201 with the new snapshot. */
export async function createSnapshot(baseUrl: string, bundle: CaptureBundle, title: string): Promise<SnapshotMeta> {
  const response = await fetch(`${baseUrl}/api/snapshots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bundle, title }),
  });
  const body = (await response.json()) as { snapshot?: SnapshotMeta; error?: unknown };
  if (response.status !== 201 || !body.snapshot) throw new Error(`POST /api/snapshots answered ${response.status}: ${JSON.stringify(body.error ?? body)}`);
  return body.snapshot;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}
