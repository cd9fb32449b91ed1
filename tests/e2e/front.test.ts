/**
 * `tunnelscope serve` sends a snapshot's page, embed and answers from the front's cache (lib/serve/front.ts). Against
 * the built server in token mode: refusals are the app's own, a page's render has a fresh nonce that its CSP names
 * and a kept page the hashes of its scripts instead, both run in Chromium, every answer says nosniff, the embed keeps
 * its framing rule, API answers are revalidated by ETag, and after a restart over the same store the same links,
 * ETags and share links hold.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { incidentBundle } from '../helpers/incident-sample';
import { graphReady, launchChromium } from './browser';
import { inlineScriptHashes } from '../serve/front-helpers';
import { startApp, VIEWPORT, type RunningApp } from './server';

const TOKENS = { viewer: 'front-viewer-token', collector: 'front-collector-token' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const EMBED_ORIGIN = 'https://runbooks.example';
const ENV = {
  TUNNELSCOPE_AUTH: 'token',
  TUNNELSCOPE_TOKENS: `vera:staff:${sha(TOKENS.viewer)} cole:sre:${sha(TOKENS.collector)}`,
  TUNNELSCOPE_VIEWER_GROUPS: 'staff',
  TUNNELSCOPE_COLLECTOR_GROUPS: 'sre',
  TUNNELSCOPE_EMBED_ORIGINS: EMBED_ORIGIN,
};
const viewer = { authorization: `Bearer ${TOKENS.viewer}` };
const collector = { authorization: `Bearer ${TOKENS.collector}` };

function nonceOf(response: Response): string {
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
  if (!nonce) throw new Error('no nonce in the CSP');
  return nonce;
}

/** The headers a cached answer must repeat as the app sent them (those set per response left out). */
function stableHeaders(response: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (!['date', 'content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'vary'].includes(name)) kept[name] = value.replace(/'nonce-[^']+'/, "'nonce-N'");
  }
  return kept;
}

describe('the front server of tunnelscope serve', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-front-'));
  let app: RunningApp;
  let browser: Browser | undefined;
  let id = '';
  let shareUrl = '';

  beforeAll(async () => {
    app = await startApp({ env: ENV, dataDir });
    const created = await fetch(`${app.url}/api/snapshots`, {
      method: 'POST',
      headers: { ...collector, 'content-type': 'application/json' },
      body: JSON.stringify({ bundle: incidentBundle(), title: 'front' }),
    });
    expect(created.status).toBe(201);
    id = ((await created.json()) as { snapshot: { id: string } }).snapshot.id;
    const shared = await fetch(`${app.url}/api/snapshots/${id}/share`, { method: 'POST', headers: { ...collector, 'content-type': 'application/json' }, body: '{"days":1}' });
    expect(shared.status).toBe(201);
    shareUrl = ((await shared.json()) as { url: string }).url;
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives the render its own nonce, and every later viewer the same page by the hashes of its scripts', async () => {
    const responses = [];
    for (let i = 0; i < 3; i += 1) responses.push(await fetch(`${app.url}/s/${id}`, { headers: viewer }));
    const htmls = await Promise.all(responses.map((response) => response.text()));
    for (const response of responses) expect(response.status).toBe(200);
    const nonce = nonceOf(responses[0]);
    const attributes = [...htmls[0].matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
    expect(attributes.length).toBeGreaterThan(0);
    expect(new Set(attributes)).toEqual(new Set([nonce]));

    const policy = responses[1].headers.get('content-security-policy') ?? '';
    expect(policy).not.toMatch(/'nonce-|'strict-dynamic'/);
    expect(new Set(policy.match(/'sha256-[^']+'/g))).toEqual(inlineScriptHashes(htmls[1]));
    expect(inlineScriptHashes(htmls[1]).size).toBeGreaterThan(1);
    expect(htmls[1]).not.toContain(nonce);
    expect(htmls[1]).not.toContain('nonce=');
    expect(htmls[2]).toBe(htmls[1]);
    expect(stableHeaders(responses[2])).toEqual(stableHeaders(responses[1]));
    const { 'content-security-policy': rendered, ...rest } = stableHeaders(responses[0]);
    expect(rendered).toBe(policy.replace(/script-src 'self'( '[^']+')*;/, "script-src 'self' 'nonce-N' 'strict-dynamic';"));
    expect(stableHeaders(responses[1])).toMatchObject(rest);
    expect(responses[2].headers.get('x-frame-options')).toBe('DENY');
    expect(responses[2].headers.get('referrer-policy')).toBe('same-origin');
  });

  it("says nosniff on every kind of answer, so that the kept pages' 'self' runs only what is served as JavaScript", async () => {
    const page = await (await fetch(`${app.url}/s/${id}`, { headers: viewer })).text();
    const chunk = /<script src="([^"]+)"/.exec(page)?.[1];
    expect(chunk).toMatch(/^\/_next\/static\//);
    const paths = [`/s/${id}`, `/api/snapshots/${id}`, `/api/snapshots/${id}/report.md`, `/api/snapshots/${id}/graph.svg`, chunk, '/icon.svg', '/no-such-page', `/s/${id}`];
    for (const urlPath of paths) {
      const response = await fetch(`${app.url}${urlPath}`, { headers: urlPath === paths[6] ? {} : viewer });
      await response.arrayBuffer();
      expect(response.headers.get('x-content-type-options'), urlPath).toBe('nosniff');
    }
  });

  it('answers a refused request as the app does, whether or not the answer is held', async () => {
    for (let i = 0; i < 2; i += 1) {
      const anonymous = await fetch(`${app.url}/s/${id}`);
      expect(anonymous.status).toBe(401);
      const api = await fetch(`${app.url}/api/snapshots/${id}`, { headers: { authorization: 'Bearer wrong' } });
      expect(api.status).toBe(401);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      const badShare = await fetch(`${app.url}/embed/${id}?share=forged`);
      expect(badShare.status).toBe(401);
    }
  });

  it('keeps the embed framable only from the configured origins', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${app.url}/embed/${id}`, { headers: viewer });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain(`frame-ancestors ${EMBED_ORIGIN}`);
      expect(response.headers.get('x-frame-options')).toBeNull();
      await response.arrayBuffer();
    }
  });

  it('answers 304 to the ETag it holds, and the same bytes compressed as asked', async () => {
    const url = `${app.url}/api/snapshots/${id}?level=overview`;
    const first = await fetch(url, { headers: viewer });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const body = await first.text();
    const again = await fetch(url, { headers: { ...viewer, 'accept-encoding': 'br' } });
    expect(again.headers.get('content-encoding')).toBe('br');
    expect(await again.text()).toBe(body);
    const revalidated = await fetch(url, { headers: { ...viewer, 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
  });

  it('serves the render and then the kept page and embed, which Chromium runs with no CSP violation, through a share link', async () => {
    browser = await launchChromium();
    const embedUrl = `${shareUrl.replace(`/s/${id}`, `/embed/${id}`)}&tab=graph`;
    for (const [url, i] of [shareUrl, shareUrl, embedUrl, embedUrl].map((u, n) => [u, n] as const)) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
      });
      await page.exposeFunction('reportViolation', (text: string) => refused.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const response = await page.goto(`${app.url}${url}`);
      // The first load of each renders (its nonce), the second is the kept answer (the hashes).
      expect(response?.headers()['content-security-policy']).toMatch(i % 2 === 0 ? /'nonce-/ : /script-src 'self' 'sha256-/);
      await graphReady(page).catch((error: unknown) => {
        throw new Error(`${url} (load ${i + 1}) did not draw its graph; CSP said: ${refused.join(' | ')}`, { cause: error });
      });
      expect(refused).toEqual([]);
      await context.close();
    }
  });

  it('after a restart over the same store: the same ETag is still current and the share link still opens', async () => {
    // The overview, not report.md: the report holds the server's own link, whose port changes with the restart.
    const overview = (base: string) => `${base}/api/snapshots/${id}?level=overview`;
    const before = await fetch(overview(app.url), { headers: viewer });
    const etag = before.headers.get('etag') ?? '';
    const body = await before.text();
    await app.stop();
    app = await startApp({ env: ENV, dataDir });
    const revalidated = await fetch(overview(app.url), { headers: { ...viewer, 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    for (let i = 0; i < 2; i += 1) {
      const again = await fetch(overview(app.url), { headers: viewer });
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe(body);
      expect((await fetch(`${app.url}${shareUrl}`)).status).toBe(200);
    }
  }, 120_000);
});
