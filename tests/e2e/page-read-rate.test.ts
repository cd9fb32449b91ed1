/**
 * A person opening an incident link and the dashboard, and reloading them a few times, stays well under the default
 * read rate (issue 20): every request the pages make themselves (documents, their API reads, prefetches, assets) is
 * counted from Chromium's side, none is answered 429, and the ones the limit counts are a small part of the budget.
 * The server runs with the default limit, unlike the other end-to-end servers, and the test ends by showing the
 * limit was on: a client that loops on the same address is refused within the budget.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { countedPath, DEFAULT_READS_PER_MINUTE } from '@/lib/serve/read-limit';
import { createSnapshot, graphReady, launchChromium } from './browser';
import { LAB_SAMPLE, startApp, VIEWPORT, type RunningApp } from './server';

const RELOADS = 3;
/** Each page opened, reloaded RELOADS times, then the click from the dashboard into the incident. */
const PAGE_LOADS = 2 * (1 + RELOADS) + 1;

let app: RunningApp;
let browser: Browser;
let incident = '';

beforeAll(async () => {
  app = await startApp({ env: { TUNNELSCOPE_READ_RATE_PER_MINUTE: String(DEFAULT_READS_PER_MINUTE) } });
  browser = await launchChromium();
  const lab = JSON.parse(fs.readFileSync(LAB_SAMPLE, 'utf8')) as CaptureBundle;
  incident = `/s/${(await createSnapshot(app.url, lab, 'read rate of a page load')).id}`;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Seen {
  method: string;
  path: string;
  status: number;
}

/** Every response the page received, by method, path and status, as the browser saw them. */
function record(page: Page): Seen[] {
  const seen: Seen[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === app.url) seen.push({ method: response.request().method(), path: url.pathname, status: response.status() });
  });
  return seen;
}

/** What the read limit counts, by its own rule: reads other than the hashed build assets and the icons. */
function counted(seen: readonly Seen[]): Seen[] {
  return seen.filter((s) => countedPath(s.method, s.path));
}

describe('a normal page load under the default read rate', () => {
  it('opens the incident link and the dashboard, reloads each, and no request of theirs is refused', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const seen = record(page);

    await page.goto(`${app.url}${incident}`, { waitUntil: 'networkidle' });
    await graphReady(page);
    for (let i = 0; i < RELOADS; i++) {
      await page.reload({ waitUntil: 'networkidle' });
      await graphReady(page);
    }
    await page.goto(app.url, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-testid="snapshot-link"]');
    for (let i = 0; i < RELOADS; i++) {
      await page.reload({ waitUntil: 'networkidle' });
      await page.waitForSelector('[data-testid="snapshot-link"]');
    }
    // From the dashboard into the incident, as someone clicks through: the app's own navigation and its reads.
    await page.click('[data-testid="snapshot-link"]');
    await page.waitForURL(`${app.url}${incident}`);
    await graphReady(page);
    await page.close();

    const reads = counted(seen);
    const refused = seen.filter((s) => s.status === 429);
    const byPath = new Map<string, number>();
    for (const read of reads) byPath.set(read.path, (byPath.get(read.path) ?? 0) + 1);
    console.log(`${PAGE_LOADS} page loads: ${seen.length} requests, ${reads.length} counted by the read limit of ${DEFAULT_READS_PER_MINUTE} a minute:`, Object.fromEntries(byPath));
    expect(refused).toEqual([]);
    expect(reads.filter((s) => s.path === incident).length).toBeGreaterThanOrEqual(1 + RELOADS);
    expect(reads.some((s) => s.path.startsWith('/api/'))).toBe(true);
    expect(seen.length).toBeGreaterThan(reads.length);
    // A quarter of one minute's budget for all of them together: a person could do this a few times a minute.
    expect(reads.length).toBeLessThan(DEFAULT_READS_PER_MINUTE / 4);
  }, 180_000);

  it('had the limit on: the same address looping on the incident link is refused once its budget is spent', async () => {
    const started = performance.now();
    let admitted = 0;
    let last = 200;
    while (last === 200 && admitted < 2 * DEFAULT_READS_PER_MINUTE) {
      const response = await fetch(`${app.url}${incident}`);
      await response.arrayBuffer();
      last = response.status;
      if (last === 200) admitted++;
    }
    // The bucket refills while the loop runs, one read every 60/DEFAULT_READS_PER_MINUTE s.
    const refilled = ((performance.now() - started) / 60_000) * DEFAULT_READS_PER_MINUTE;
    expect(last).toBe(429);
    expect(admitted).toBeLessThanOrEqual(DEFAULT_READS_PER_MINUTE + Math.ceil(refilled));
  }, 120_000);
});
