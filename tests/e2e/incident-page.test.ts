/**
 * The incident page at the sizes people open it at: wide, tablet and phone, light and dark. The path view of the
 * most severe finding opens first, its labels do not overlap, the fix is on screen at phone size with nothing
 * scrolling sideways, and axe-core (injected from node_modules/axe-core) finds no serious accessibility violation.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterBundle } from './cluster-bundle';
import type { CaptureBundle } from '@/lib/capture/types';
import { POLL, createSnapshot, graphReady, screenshot } from './browser';
import { closeSession, LAB_SAMPLE, openSession, SCREENS, type RunningApp } from './server';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SIZES = SCREENS;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  what: string;
}

let app: RunningApp;
let browser: Browser;
let incidentId: string;

beforeAll(async () => {
  ({ app, browser } = await openSession());
  const lab = JSON.parse(fs.readFileSync(LAB_SAMPLE, 'utf8')) as CaptureBundle;
  incidentId = (await createSnapshot(app.url, lab, "the lab's peer-pod incident")).id;
}, 600_000);

afterAll(() => closeSession({ app, browser }));

async function open(url: string, size: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: size.width, height: size.height }, colorScheme });
  await page.goto(url);
  return page;
}

async function pathReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-path-view][data-ready="true"] [data-hop]', { timeout: 30_000 });
}

/** Boxes of the path view's labels (hops and band names) that overlap one another. */
async function overlaps(page: Page): Promise<string[]> {
  const boxes: Box[] = await page.$$eval('[data-path-view] [data-hop], [data-path-view] [data-band-label]', (nodes) =>
    nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, what: n.getAttribute('data-hop') ?? n.textContent ?? '' };
    }),
  );
  const out: string[] = [];
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const overlap = a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
      if (overlap) out.push(`${a.what} × ${b.what}`);
    }
  }
  return out;
}

async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated by the browser's debugging protocol, as the page's own CSP does not apply to it: a kept page allows its
  // scripts by their hashes and has no nonce for a script tag to borrow.
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(' ')}`);
}

function hops(page: Page): Promise<string[]> {
  return page.$$eval('[data-path-view] [data-hop]', (nodes) => nodes.map((n) => n.getAttribute('data-hop') ?? ''));
}

describe('the incident page at every size', () => {
  for (const size of SIZES) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${size.name} ${size.width}×${size.height}, ${scheme}: opens on the path of the most severe finding, readable and accessible`, async () => {
        const page = await open(`${app.url}/s/${incidentId}`, size, scheme);
        try {
          await pathReady(page);
          expect(await hops(page)).toEqual(['ovn-k8s-mp0', 'br-int', expect.any(String), 'eth0', 'vxlan1', 'underlay', 'vxlan0']);
          const broken = page.locator('[data-path-view] [data-broken="true"]');
          await expect.poll(() => broken.getAttribute('data-hop'), POLL).toBe('vxlan0');
          expect(await broken.innerText()).toContain('MAC');
          // Wherever the path's bands wrap below its box, the box opens scrolled so that the broken hop is seen whole.
          const brokenSeen = () =>
            broken.evaluate((hop) => {
              const seen = hop.closest('[data-path-view]')?.parentElement?.getBoundingClientRect();
              const box = hop.getBoundingClientRect();
              return seen !== undefined && box.top >= seen.top && box.bottom <= seen.bottom + 1 && box.bottom <= window.innerHeight;
            });
          if (size.name !== 'phone') await expect.poll(brokenSeen, POLL).toBe(true);
          if (size.name === 'wide' && scheme === 'light') {
            // A box that shrinks after the path is drawn (the panels around it settling) still shows the broken hop.
            await broken.evaluate((hop) => {
              const box = hop.closest('[data-path-view]')?.parentElement;
              if (box) box.style.maxHeight = `${Math.max(hop.getBoundingClientRect().bottom - box.getBoundingClientRect().top - 24, 40)}px`;
            });
            await expect.poll(brokenSeen, POLL).toBe(true);
          }
          await screenshot(page, `incident-${size.name}-${scheme}`);
          // The most severe finding is open, fix first.
          await page.waitForSelector('[data-testid="fix-commands"]');
          expect(await overlaps(page)).toEqual([]);
          if (size.name === 'phone') {
            // The fix's first block (the commands for the pod VM) and its copy button; the kubectl block follows.
            const fix = await page.locator('[data-testid="copy-fix"]').first().boundingBox();
            const commands = await page.locator('[data-testid="fix-commands"]').first().boundingBox();
            expect(fix && commands).toBeTruthy();
            expect(commands!.y + commands!.height).toBeLessThanOrEqual(size.height);
            expect(fix!.y + fix!.height).toBeLessThanOrEqual(size.height);
            expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
          }
          expect(await seriousViolations(page)).toEqual([]);
          // The device graph: beside the path on wide screens, behind its tab on a phone.
          if (size.name === 'phone') await page.click('[data-testid="tab-graph"]');
          await graphReady(page);
          if (size.name === 'phone') {
            expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
            await screenshot(page, `incident-${size.name}-${scheme}-graph`);
          }
        } finally {
          await page.close();
        }
      }, 120_000);
    }
  }

  it('the path is part of the link: the finding opened and reloaded gives the same path', async () => {
    const page = await open(`${app.url}/s/${incidentId}`, SIZES[0]);
    try {
      await pathReady(page);
      await page.locator('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('path') ?? '', POLL).toMatch(/^peerpod-podvm-mac-mismatch@/);
      const link = page.url();
      await page.goto('about:blank');
      await page.goto(link);
      await pathReady(page);
      await expect.poll(() => page.locator('[data-path-view] [data-broken="true"]').getAttribute('data-hop'), POLL).toBe('vxlan0');
      // A hop selects its device in the inspector.
      await page.locator('[data-path-view] [data-hop="vxlan0"] button').click();
      await expect.poll(() => page.locator('[data-testid="inspector"]').getAttribute('data-id'), POLL).toMatch(/\/if:vxlan0$/);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a selected pod and a trace each open their path', async () => {
    const page = await open(`${app.url}/s/${incidentId}`, SIZES[0]);
    try {
      await pathReady(page);
      const pod = page.locator('[data-testid="device-item"][data-id^="pod:"]').first();
      const podId = await pod.getAttribute('data-id');
      await pod.click();
      await expect.poll(() => new URL(page.url()).searchParams.get('path'), POLL).toBe(podId);
      await expect.poll(() => page.locator('[data-path-view] [data-broken="true"]').getAttribute('data-hop'), POLL).toBe('vxlan0');
      // A trace from the worker host to the pod IP: the path view follows it.
      const host = page.locator('[data-testid="device-item"][data-id^="host:"]').first();
      const hostId = (await host.getAttribute('data-id')) ?? '';
      await host.click();
      await page.fill('[data-testid="trace-to"]', '10.132.2.46');
      await page.click('[data-testid="trace-submit"]');
      await expect.poll(() => new URL(page.url()).searchParams.get('path'), POLL).toBe(`${hostId}>10.132.2.46`);
      await expect.poll(() => page.locator('[data-path-view] h2').innerText(), POLL).toContain(`${hostId} → 10.132.2.46`);
      expect(await hops(page)).toContain('vxlan0');
    } finally {
      await page.close();
    }
  }, 120_000);

  it("the README's picture: the incident's path view whole, with the finding and the graph beside it", async () => {
    const page = await open(`${app.url}/s/${incidentId}`, { width: 1440, height: 1250 });
    try {
      await pathReady(page);
      await graphReady(page);
      // The path view is drawn whole at this height: nothing of it is scrolled out of its box.
      const clipped = await page.$eval('[data-path-view]', (view) => {
        const box = view.parentElement!;
        return box.scrollHeight - box.clientHeight;
      });
      expect(clipped).toBeLessThanOrEqual(0);
      await screenshot(page, 'readme-incident');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('pretty-prints JSON evidence with the named values marked, and toggles to the raw output', async () => {
    const page = await open(`${app.url}/s/${incidentId}`, SIZES[0]);
    try {
      await page.waitForSelector('[data-testid="finding-detail"] [data-testid="evidence"][data-json="true"]');
      const pretty = await page.locator('[data-testid="evidence"][data-json="true"]').first().innerText();
      expect(pretty.split('\n').length).toBeGreaterThan(3);
      expect(await page.locator('[data-testid="evidence"][data-json="true"] mark').count()).toBeGreaterThan(0);
      await page.locator('[data-testid="evidence-raw"]').first().click();
      const raw = await page.locator('[data-testid="evidence"]').first().innerText();
      expect(raw.trim().split('\n')).toHaveLength(1);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the embed at 800×450 shows the path of the fault', async () => {
    const page = await open(`${app.url}/embed/${incidentId}`, { width: 800, height: 450 });
    try {
      await pathReady(page);
      await expect.poll(() => page.locator('[data-path-view] [data-broken="true"]').getAttribute('data-hop'), POLL).toBe('vxlan0');
      expect(await overlaps(page)).toEqual([]);
      // The broken hop's name is on screen without scrolling.
      const name = await page.locator('[data-path-view] [data-broken="true"] [data-hop-label]').boundingBox();
      expect(name && name.y + name.height).toBeLessThanOrEqual(450);
      expect(await page.locator('[data-testid="findings"]').count()).toBe(0);
      await screenshot(page, 'incident-embed-800x450');
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('a 500-host snapshot', () => {
  let bigId: string;

  beforeAll(async () => {
    bigId = (await createSnapshot(app.url, clusterBundle(250), '500 hosts')).id;
  }, 600_000);

  for (const size of SIZES) {
    it(`${size.name}: the page reports ready with the path of a fault, readable and accessible`, async () => {
      const page = await open(`${app.url}/s/${bigId}`, size);
      try {
        await pathReady(page);
        expect(await page.locator('[data-path-view] [data-broken="true"]').count()).toBe(1);
        expect(await overlaps(page)).toEqual([]);
        if (size.name === 'phone') {
          expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
          await page.click('[data-testid="tab-graph"]');
        }
        await graphReady(page);
        await screenshot(page, `big-${size.name}`);
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await page.close();
      }
    }, 180_000);
  }
});
