/**
 * A snapshot stored under older rules, re-checked with this server's rules from its page. The snapshots are
 * written straight into the e2e server's database by a second connection whose analysis finds nothing and
 * names rules 0.0.1, as a server of an older release would have stored them.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { CaptureBundle } from '@/lib/capture/types';
import { RULES_VERSION } from '@/lib/diagnose';
import { createSnapshot } from '@/lib/serve/snapshots';
import { createStore, storeConfigFromEnv } from '@/lib/store';
import { MAC_RULE, incidentBundle } from '../helpers/incident-sample';
import { graphReady, screenshot, POLL } from './browser';
import { clusterBundle, pairAddress } from './cluster-bundle';
import { POD_IP, WORKER } from './peerpod-bundle';
import { closeSession, openSession, type RunningApp } from './server';

const OLD_RULES = '0.0.1';
const MAC_FINDING = `[data-testid="finding"][data-rule="${MAC_RULE}"]`;

let app: RunningApp;
let browser: Browser;
let page: Page;

/** Stores bundles as a release with no rules would have: no findings, rules 0.0.1. */
async function storeUnderOldRules(bundles: { bundle: CaptureBundle; title: string }[]): Promise<string[]> {
  const store = await createStore(storeConfigFromEnv({ TUNNELSCOPE_DATA_DIR: app.dataDir }));
  const oldRules = { analyze: (bundle: CaptureBundle) => ({ ...analyze(bundle), findings: [], rulesVersion: OLD_RULES }) };
  try {
    const ids: string[] = [];
    for (const input of bundles) ids.push((await createSnapshot(store, input, oldRules)).id);
    return ids;
  } finally {
    await store.close();
  }
}

function rulesParam(): string | null {
  return new URL(page.url()).searchParams.get('rules');
}

async function rulesNote(): Promise<string> {
  return page.locator('[data-testid="rules-version"]').innerText();
}

/** The heading as written (its text is upper-cased by style only). */
async function findingsHeading(): Promise<string> {
  return ((await page.getByRole('region', { name: 'Findings' }).getByRole('heading').first().textContent()) ?? '').trim();
}

// A server given by TUNNELSCOPE_E2E_URL has a database this test cannot write to.
describe.skipIf(process.env.TUNNELSCOPE_E2E_URL)('re-checking a stored snapshot with the current rules', () => {
  let incidentId: string;
  let clusterId: string;

  beforeAll(async () => {
    ({ app, browser, page } = await openSession());
    [incidentId, clusterId] = await storeUnderOldRules([
      { bundle: incidentBundle(), title: 'nginx-priv unreachable, stored under rules 0.0.1' },
      { bundle: clusterBundle(3), title: 'three peer-pod pairs, stored under rules 0.0.1' },
    ]);
  }, 600_000);

  afterAll(() => closeSession({ app, browser }));

  describe('a two-host capture drawn whole', () => {
    it('shows the stored findings (none) and offers the re-check, since the server runs other rules', async () => {
      await page.goto(`${app.url}/s/${incidentId}`);
      await graphReady(page);
      await expect.poll(() => findingsHeading(), POLL).toBe('Findings (0)');
      await expect.poll(() => page.locator(MAC_FINDING).count(), POLL).toBe(0);
      await expect.poll(() => rulesNote(), POLL).toBe(`rules ${OLD_RULES}`);
      await expect.poll(() => page.locator('[data-testid="rules-recheck"]').innerText(), POLL).toBe('Re-check with current rules');
    });

    it('the re-check shows the peer-pod MAC mismatch, names both rules versions and puts rules=current in the URL', async () => {
      await page.click('[data-testid="rules-recheck"]');
      await page.waitForURL(() => rulesParam() === 'current');
      await page.locator(MAC_FINDING).waitFor();
      await graphReady(page);
      await expect.poll(() => rulesNote(), POLL).toBe(`rules ${RULES_VERSION} (re-checked; stored ${OLD_RULES})`);
      await expect.poll(() => page.locator('[data-testid="rules-recheck"]').innerText(), POLL).toBe('Show stored findings');
      // The graph paints the re-checked fault too, not only the list.
      const faulty = await page.locator('[data-testid="device-item"]').evaluateAll((items) => items.filter((b) => (b.getAttribute('aria-label') ?? '').includes('fault: ')).length);
      expect(faulty).toBeGreaterThan(0);
      await screenshot(page, '20-rules-rechecked');
    });

    it('a reload of the link shows the re-checked findings again', async () => {
      await page.reload();
      await page.locator(MAC_FINDING).waitFor();
      expect(rulesParam()).toBe('current');
      await expect.poll(() => rulesNote(), POLL).toBe(`rules ${RULES_VERSION} (re-checked; stored ${OLD_RULES})`);
    });

    it('opening the finding shows its evidence from the re-checked capture', async () => {
      await page.click(MAC_FINDING);
      const detail = await page.locator('[data-testid="finding-detail"]').innerText();
      expect(detail).toContain('7e:e5:f7:e6:f5:1a');
      expect(rulesParam()).toBe('current');
    });

    it('toggling back shows the stored findings, and back and forward move between the two', async () => {
      await page.click('[data-testid="rules-recheck"]');
      await page.waitForURL(() => rulesParam() === null);
      await expect.poll(findingsHeading, POLL).toBe('Findings (0)');
      await expect.poll(() => rulesNote(), POLL).toBe(`rules ${OLD_RULES}`);
      await page.goBack();
      await page.waitForURL(() => rulesParam() === 'current');
      await page.locator(MAC_FINDING).waitFor();
      await page.goForward();
      await page.waitForURL(() => rulesParam() === null);
      await expect.poll(findingsHeading, POLL).toBe('Findings (0)');
    });
  });

  describe('a cluster read level by level', () => {
    /** Every read of this snapshot the page makes, by path and query. */
    const reads: URL[] = [];
    const record = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith(`/api/snapshots/${clusterId}`) || url.pathname === `/api/trace/${clusterId}`) reads.push(url);
    };

    beforeAll(() => page.on('request', record));
    afterAll(() => page.off('request', record));

    it('re-checks the overview: one MAC mismatch per pair instead of none', async () => {
      await page.goto(`${app.url}/s/${clusterId}?level=overview`);
      await graphReady(page);
      await expect.poll(() => findingsHeading(), POLL).toBe('Findings (0)');
      await page.click('[data-testid="rules-recheck"]');
      await page.waitForURL(() => rulesParam() === 'current');
      await expect.poll(() => page.locator(MAC_FINDING).count(), POLL).toBe(3);
      // The re-checked level is drawn anew; wait for that drawing rather than read the canvas mid-layout.
      await page.waitForSelector('[data-testid="topology-canvas"][data-level="overview"][data-ready="true"]', { timeout: 30_000 });
    });

    it('keeps the current rules through a host drill-down, a server-side search and a trace', async () => {
      const host = `${WORKER}-2`;
      reads.length = 0;
      await page.selectOption('[data-testid="host-select"]', host);
      await page.waitForSelector('[data-testid="topology-canvas"][data-level="host"][data-ready="true"]');
      expect(rulesParam()).toBe('current');

      await page.fill('[data-testid="search-input"]', pairAddress(POD_IP, 2));
      await page.press('[data-testid="search-input"]', 'Enter');
      const hit = page.locator(`[data-testid="search-hit"][data-id^="host:${host}/"]`).first();
      await hit.waitFor();
      await hit.click();

      const traced = page.waitForResponse((response) => response.url().includes(`/api/trace/${clusterId}?`));
      await page.fill('[data-testid="trace-to"]', pairAddress('10.132.2.1', 2));
      await page.click('[data-testid="trace-submit"]');
      expect((await traced).status()).toBe(200);

      const kinds = reads.map((url) => (url.pathname.startsWith('/api/trace/') ? 'trace' : url.pathname.endsWith('/search') ? 'search' : url.searchParams.has('host') ? 'host' : 'other'));
      expect(kinds).toEqual(expect.arrayContaining(['host', 'search', 'trace']));
      expect(reads.filter((url) => url.searchParams.get('rules') !== 'current').map((url) => url.pathname + url.search)).toEqual([]);
    });

    it('the host level holds the re-checked finding with its evidence', async () => {
      await page.locator(MAC_FINDING).first().click();
      await page.locator('[data-testid="finding-detail"]').waitFor();
      expect(rulesParam()).toBe('current');
      await screenshot(page, '21-rules-rechecked-host');
    });
  });
});
