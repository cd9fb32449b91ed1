/**
 * Access control against the built server: every route and page found in app/ is tried with no credentials and
 * with each role, then the audit log, share links, cross-site refusal and security headers; the proxy mode with
 * a trusted and an untrusted proxy address; mode none refused on a non-loopback address.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RBAC_GROUP } from '@/lib/auth/kube';
import { TestApiServer } from '../cluster/test-apiserver';
import { launchChromium } from './browser';
import { freePort, startApp, type RunningApp } from './server';

const ROOT = path.resolve(__dirname, '../..');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

type Who = 'anonymous' | 'nobody' | 'viewer' | 'collector' | 'admin';
const TOKENS: Record<Exclude<Who, 'anonymous'>, string> = {
  nobody: 'token-of-a-guest-without-role',
  viewer: 'token-of-victor-the-viewer',
  collector: 'token-of-colette-the-collector',
  admin: 'token-of-ada-the-admin',
};
const USERS: Record<Exclude<Who, 'anonymous'>, [string, string]> = {
  nobody: ['guest', 'guests'],
  viewer: ['victor', 'staff'],
  collector: ['colette', 'staff,sre'],
  admin: ['ada', 'leads'],
};
const WHO: Who[] = ['anonymous', 'nobody', 'viewer', 'collector', 'admin'];
const RANK: Record<Who, number> = { anonymous: -2, nobody: -1, viewer: 0, collector: 1, admin: 2 };

const TOKEN_ENV = {
  TUNNELSCOPE_AUTH: 'token',
  TUNNELSCOPE_TOKENS: Object.entries(USERS)
    .map(([who, [user, groups]]) => `${user}:${groups}:${sha(TOKENS[who as keyof typeof TOKENS])}`)
    .join(' '),
  TUNNELSCOPE_VIEWER_GROUPS: 'staff',
  TUNNELSCOPE_COLLECTOR_GROUPS: 'sre',
  TUNNELSCOPE_ADMIN_GROUPS: 'leads',
  TUNNELSCOPE_DEFAULT_SOURCE: 'sample',
};

/** What each route and page needs. A route or page missing here fails the walk, so none is left unchecked. */
type Need = 'public' | 'signed-in' | 'viewer' | 'collector' | 'admin';
const NEEDS: Record<string, Need> = {
  'GET /': 'viewer',
  'GET /diff': 'viewer',
  'GET /live': 'collector',
  'GET /s/[id]': 'viewer',
  'GET /embed/[id]': 'viewer',
  'GET /audit': 'admin',
  'GET /login': 'public',
  'GET /api/healthz': 'public',
  'GET /api/version': 'viewer',
  'GET /api/sources': 'viewer',
  'GET /api/snapshots': 'viewer',
  'POST /api/snapshots': 'collector',
  'GET /api/snapshots/[id]': 'viewer',
  'DELETE /api/snapshots/[id]': 'admin',
  'GET /api/snapshots/[id]/bundle': 'viewer',
  'GET /api/snapshots/[id]/graph.svg': 'viewer',
  'GET /api/snapshots/[id]/path': 'viewer',
  'GET /api/snapshots/[id]/report.md': 'viewer',
  'GET /api/snapshots/[id]/search': 'viewer',
  'POST /api/snapshots/[id]/share': 'collector',
  'GET /api/trace/[id]': 'viewer',
  'GET /api/diff': 'viewer',
  'GET /api/live': 'collector',
  'GET /api/kube/contexts': 'collector',
  'GET /api/collections': 'collector',
  'POST /api/collections': 'collector',
  'GET /api/collections/[id]': 'collector',
  'DELETE /api/collections/[id]': 'collector',
  'GET /api/collections/[id]/events': 'collector',
  'GET /api/audit': 'admin',
  'GET /api/auth/session': 'signed-in',
  'POST /api/auth/session': 'public',
  'DELETE /api/auth/session': 'public',
};

interface Endpoint {
  method: string;
  /** With [id] where a snapshot id goes, as in the app tree. */
  pattern: string;
}

/** Every page.tsx (GET) and every method a route.ts exports, from the app directory itself. */
function appEndpoints(dir = path.join(ROOT, 'app'), segments: string[] = []): Endpoint[] {
  const found: Endpoint[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('_')) continue;
      const routeGroup = /^\(.*\)$/.test(entry.name);
      found.push(...appEndpoints(full, routeGroup ? segments : [...segments, entry.name]));
      continue;
    }
    const pattern = `/${segments.join('/')}`;
    if (entry.name === 'page.tsx') found.push({ method: 'GET', pattern });
    if (entry.name === 'route.ts') {
      const source = fs.readFileSync(full, 'utf8');
      for (const match of source.matchAll(/export (?:async )?function (GET|POST|PUT|PATCH|DELETE)\b/g)) found.push({ method: match[1], pattern });
    }
  }
  return found;
}

function allowed(need: Need, who: Who): boolean {
  if (need === 'public') return true;
  if (need === 'signed-in') return who !== 'anonymous';
  return RANK[who] >= RANK[need];
}

function auth(who: Who): Record<string, string> {
  return who === 'anonymous' ? {} : { authorization: `Bearer ${TOKENS[who]}` };
}

describe('access control in token mode, against the built server', () => {
  let app: RunningApp;
  let snapshotId: string;
  let host: string;
  /** A collection the collector started: the id of the /api/collections/[id] routes (an admin may read it too). */
  let jobId: string;

  async function call(who: Who, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const init: RequestInit = { method, headers: { ...auth(who), ...headers }, redirect: 'manual' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }
    return fetch(`${app.url}${p}`, init);
  }

  async function newSnapshot(title: string): Promise<{ id: string; hosts: string[] }> {
    const response = await call('collector', 'POST', '/api/snapshots', { source: 'sample', title });
    expect(response.status).toBe(201);
    return ((await response.json()) as { snapshot: { id: string; hosts: string[] } }).snapshot;
  }

  beforeAll(async () => {
    app = await startApp({ env: TOKEN_ENV });
    const created = await newSnapshot('access walk');
    snapshotId = created.id;
    host = created.hosts[0];
    const job = await call('collector', 'POST', '/api/collections', { source: 'sample', title: 'access walk job' });
    expect(job.status).toBe(202);
    jobId = ((await job.json()) as { job: { id: string } }).job.id;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('prints the auth mode at startup, and no token or digest', () => {
    expect(app.output()).toContain('tunnelscope auth: token: bearer tokens for 4 people');
    for (const token of Object.values(TOKENS)) {
      expect(app.output()).not.toContain(token);
      expect(app.output()).not.toContain(sha(token));
    }
  });

  it('finds every route and page of the app tree in the table of what each needs', () => {
    const found = appEndpoints().map((e) => `${e.method} ${e.pattern}`);
    expect(found.length).toBeGreaterThanOrEqual(Object.keys(NEEDS).length);
    expect(found.filter((key) => !(key in NEEDS))).toEqual([]);
    expect(Object.keys(NEEDS).filter((key) => !found.includes(key))).toEqual([]);
  });

  it('answers every route and page with 401 without credentials, 403 below the role it needs, and serves it from that role up', async () => {
    const results: string[] = [];
    for (const endpoint of appEndpoints()) {
      const need = NEEDS[`${endpoint.method} ${endpoint.pattern}`];
      for (const who of WHO) {
        // A delete that is allowed removes its snapshot: each attempt gets its own.
        const isJob = endpoint.pattern.startsWith('/api/collections/');
        const id = isJob ? jobId : endpoint.method === 'DELETE' && endpoint.pattern.includes('[id]') ? (await newSnapshot(`to delete by ${who}`)).id : snapshotId;
        const p = endpoint.pattern.replace('[id]', id);
        const query: Record<string, string> = {
          '/api/diff': `?a=${id}&b=${id}`,
          [`/api/trace/${id}`]: `?from=${encodeURIComponent(host)}&to=10.0.0.1`,
          [`/api/snapshots/${id}/search`]: '?q=eth0',
          '/api/live': '?source=sample',
        };
        const body = endpoint.method === 'POST' ? (p === '/api/snapshots' || p === '/api/collections' ? { source: 'sample' } : p === '/api/auth/session' ? { token: TOKENS.viewer } : {}) : undefined;
        const response = await call(who, endpoint.method, `${p}${query[p] ?? ''}`, body);
        const expected = allowed(need, who) ? 'ok' : who === 'anonymous' ? 401 : 403;
        // This server has no kubeconfig: past the access check, the contexts route says so with 409.
        const served = response.status < 400 || (p === '/api/kube/contexts' && response.status === 409);
        const got = served ? 'ok' : response.status;
        results.push(`${endpoint.method} ${endpoint.pattern} as ${who}: ${got === expected ? 'as expected' : `got ${response.status}, expected ${expected}`}`);
        await response.arrayBuffer();
      }
    }
    expect(results.filter((r) => !r.endsWith('as expected'))).toEqual([]);
    expect(results.length).toBe(appEndpoints().length * WHO.length);
  });

  it('records each collection with the person, the source and the hosts, and no token', async () => {
    await newSnapshot('audited collection');
    const response = await call('admin', 'GET', '/api/audit?actor=colette&action=collect&limit=5');
    expect(response.status).toBe(200);
    const text = await response.text();
    const { entries } = JSON.parse(text) as { entries: Array<{ actor: string; mode: string; action: string; target: string; hosts: string[]; address: string }> };
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]).toMatchObject({ actor: 'colette', mode: 'token', action: 'collect', target: 'sample', address: '127.0.0.1' });
    expect(entries[0].hosts.length).toBeGreaterThan(1);
    const all = await (await call('admin', 'GET', '/api/audit?limit=1000')).text();
    for (const token of Object.values(TOKENS)) expect(all).not.toContain(token);
    const actions = (JSON.parse(all) as { entries: Array<{ actor: string; action: string }> }).entries.map((e) => `${e.actor} ${e.action}`);
    expect(actions).toContain('colette snapshot.create');
    expect(actions).toContain('ada snapshot.delete');
    expect(actions).toContain('colette live');
    expect(actions).toContain('victor snapshot.view');
  });

  it('refuses a cross-site state change even with valid credentials', async () => {
    const before = (await (await call('viewer', 'GET', '/api/snapshots?limit=200')).json()) as { items: unknown[] };
    const response = await call('admin', 'POST', '/api/snapshots', { source: 'sample' }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/Cross-site/);
    const viaOrigin = await call('admin', 'DELETE', `/api/snapshots/${snapshotId}`, undefined, { origin: 'https://evil.example' });
    expect(viaOrigin.status).toBe(403);
    const after = (await (await call('viewer', 'GET', '/api/snapshots?limit=200')).json()) as { items: unknown[] };
    expect(after.items.length).toBe(before.items.length);
    expect((await call('viewer', 'GET', `/api/snapshots/${snapshotId}?level=overview`)).status).toBe(200);
  });

  it('opens one snapshot through a share link, page and API, and nothing else, and logs who shared it', async () => {
    const other = await newSnapshot('not shared');
    const shared = await call('collector', 'POST', `/api/snapshots/${snapshotId}/share`, { days: 1 });
    expect(shared.status).toBe(201);
    const { url } = (await shared.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^/s/${snapshotId}\\?share=`));
    const page = await fetch(`${app.url}${url}`, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^tunnelscope_share_${snapshotId}=`));
    expect((await fetch(`${app.url}/api/snapshots/${snapshotId}?level=overview`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${app.url}/api/snapshots/${snapshotId}?level=overview`)).status).toBe(401);
    const token = new URL(url, app.url).searchParams.get('share') ?? '';
    expect((await fetch(`${app.url}/s/${other.id}?share=${encodeURIComponent(token)}`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${app.url}/api/snapshots`, { headers: { cookie } })).status).toBe(401);
    const tampered = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(`${app.url}/s/${snapshotId}?share=${encodeURIComponent(tampered)}`, { redirect: 'manual' })).status).toBe(401);
    const log = (await (await call('admin', 'GET', '/api/audit?action=share.view')).json()) as { entries: Array<{ target: string; detail: Record<string, string> }> };
    expect(log.entries[0]).toMatchObject({ target: snapshotId, detail: { sharedBy: 'colette' } });
    expect(JSON.stringify(log)).not.toContain(token);
  });

  it('signs a browser in with a token into a session cookie that works without the token', async () => {
    const response = await call('anonymous', 'POST', '/api/auth/session', { token: TOKENS.admin });
    expect(response.status).toBe(200);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toContain(TOKENS.admin);
    const cookie = setCookie.split(';')[0];
    expect((await fetch(`${app.url}/audit`, { headers: { cookie } })).status).toBe(200);
    const me = (await (await fetch(`${app.url}/api/auth/session`, { headers: { cookie } })).json()) as { user: string; role: string };
    expect(me).toMatchObject({ user: 'ada', role: 'admin' });
    expect((await call('anonymous', 'POST', '/api/auth/session', { token: 'not-a-token' })).status).toBe(401);
    expect((await call('anonymous', 'POST', '/api/auth/session', { token: TOKENS.nobody })).status).toBe(403);
  });

  it('sends the security headers on every page', async () => {
    for (const endpoint of appEndpoints().filter((e) => e.method === 'GET' && !e.pattern.startsWith('/api/'))) {
      const response = await call('admin', 'GET', endpoint.pattern.replace('[id]', snapshotId));
      expect(response.status, endpoint.pattern).toBe(200);
      expect(response.headers.get('x-content-type-options'), endpoint.pattern).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), endpoint.pattern).toBe('same-origin');
      expect(response.headers.get('content-security-policy'), endpoint.pattern).toMatch(/frame-ancestors/);
      await response.arrayBuffer();
    }
  });

  it('shows every page in Chromium with its security headers and without a policy violation, signed in through /login', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const denied = await page.goto(`${app.url}/`);
      expect(denied?.status()).toBe(401);
      await page.fill('#token', TOKENS.admin);
      const [signedIn] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/auth/session') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
      expect(signedIn.status()).toBe(200);
      await page.waitForSelector('#recent');
      for (const endpoint of appEndpoints().filter((e) => e.method === 'GET' && !e.pattern.startsWith('/api/'))) {
        const response = await page.goto(`${app.url}${endpoint.pattern.replace('[id]', snapshotId)}`);
        expect(response?.status(), endpoint.pattern).toBe(200);
        const headers = await response!.allHeaders();
        expect(headers['x-content-type-options'], endpoint.pattern).toBe('nosniff');
        expect(headers['referrer-policy'], endpoint.pattern).toBe('same-origin');
        // A snapshot's page or embed may be the front's kept answer, its scripts allowed by their hashes instead.
        const kept = /^\/(s|embed)\//.test(endpoint.pattern) ? "|(?: 'sha256-[^']+')+" : '';
        expect(headers['content-security-policy'], endpoint.pattern).toMatch(new RegExp(`script-src 'self'(?: 'nonce-[^']+' 'strict-dynamic'${kept});`));
        await page.waitForLoadState('networkidle');
      }
      await page.goto(`${app.url}/s/${snapshotId}`);
      await page.waitForSelector('[data-testid="finding"]');
      expect(await page.locator('h1').first().innerText()).toBeTruthy();
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('access control in proxy mode', () => {
  const person = { 'x-forwarded-user': 'u-4711', 'x-forwarded-email': 'dana@example.com', 'x-forwarded-groups': 'netops,everyone' };
  let trusted: RunningApp;
  let untrusted: RunningApp;

  beforeAll(async () => {
    const common = { TUNNELSCOPE_AUTH: 'proxy', TUNNELSCOPE_COLLECTOR_GROUPS: 'netops', TUNNELSCOPE_DEFAULT_SOURCE: 'sample' };
    [trusted, untrusted] = await Promise.all([startApp({ env: { ...common, TUNNELSCOPE_TRUSTED_PROXIES: '127.0.0.1' } }), startApp({ env: { ...common, TUNNELSCOPE_TRUSTED_PROXIES: '10.99.0.1' } })]);
  });
  afterAll(async () => {
    await trusted?.stop();
    await untrusted?.stop();
  });

  it('takes the person from the headers of a configured proxy and logs their collection by name', async () => {
    const response = await fetch(`${trusted.url}/api/snapshots`, { method: 'POST', headers: { ...person, 'content-type': 'application/json' }, body: JSON.stringify({ source: 'sample' }) });
    expect(response.status).toBe(201);
    const audit = await fetch(`${trusted.url}/api/audit`, { headers: person });
    expect(audit.status).toBe(403);
    expect(trusted.output()).toContain('tunnelscope auth: proxy: user headers from 127.0.0.1');
    const me = (await (await fetch(`${trusted.url}/api/auth/session`, { headers: person })).json()) as { user: string; email: string; role: string };
    expect(me).toMatchObject({ user: 'u-4711', email: 'dana@example.com', role: 'collector' });
  });

  it('ignores the same headers from any other address, even with a forged peer header', async () => {
    const forged = { ...person, 'x-tunnelscope-peer': '10.99.0.1', 'x-forwarded-for': '10.99.0.1' };
    expect((await fetch(`${untrusted.url}/api/snapshots`, { headers: forged })).status).toBe(401);
    expect((await fetch(`${untrusted.url}/`, { headers: forged })).status).toBe(401);
  });
});

describe('access control in Kubernetes mode, against the built server and a test API server', () => {
  let api: TestApiServer;
  let app: RunningApp;
  let dir: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = new TestApiServer({
      tokens: { 'dashboard-sa-token': { user: 'system:serviceaccount:tunnelscope:dashboard' } },
      execPrefix: () => null,
      people: {
        'token-ann': { username: 'ann@corp', groups: ['sre-leads'] },
        'token-sam': { username: 'sam@corp', groups: ['sre'] },
        'token-viktor': { username: 'viktor@corp', groups: [] },
      },
      allows: (person, attributes) => {
        if (attributes.group !== RBAC_GROUP) return false;
        if (person.groups.includes('sre-leads')) return true;
        if (person.groups.includes('sre')) return attributes.verb !== 'delete';
        return person.user === 'viktor@corp' && attributes.verb === 'get';
      },
    });
    await api.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-kubeconfig-'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'test', cluster: 'test', token: 'dashboard-sa-token' }));
    app = await startApp({ env: { TUNNELSCOPE_AUTH: 'kubernetes', TUNNELSCOPE_KUBECONFIG: kubeconfig, TUNNELSCOPE_DEFAULT_SOURCE: 'sample' } });
  });
  afterAll(async () => {
    await app?.stop();
    await api?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets cluster RBAC decide, and logs the collection under the person the cluster names', async () => {
    const collect = (token: string) =>
      fetch(`${app.url}/api/snapshots`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ source: 'sample' }) });
    expect((await collect('token-sam')).status).toBe(201);
    expect((await collect('token-viktor')).status).toBe(403);
    expect((await collect('token-nobody-knows')).status).toBe(401);
    expect((await fetch(`${app.url}/api/snapshots`, { headers: bearer('token-viktor') })).status).toBe(200);
    expect((await fetch(`${app.url}/api/audit`, { headers: bearer('token-sam') })).status).toBe(403);
    const log = (await (await fetch(`${app.url}/api/audit?action=collect`, { headers: bearer('token-ann') })).json()) as { entries: Array<{ actor: string; mode: string }> };
    expect(log.entries.map((e) => `${e.actor} ${e.mode}`)).toEqual(['sam@corp kubernetes']);
    expect(api.requests.some((r) => r.path.endsWith('/tokenreviews'))).toBe(true);
    expect(api.requests.some((r) => r.path.endsWith('/subjectaccessreviews'))).toBe(true);
    expect(app.output()).toContain('tunnelscope auth: kubernetes: TokenReview and SubjectAccessReview');
    expect(app.output()).not.toContain('token-sam');
  });

  it('signs a browser in with a Kubernetes token', async () => {
    const response = await fetch(`${app.url}/api/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'token-ann' }) });
    expect(response.status).toBe(200);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${app.url}/audit`, { headers: { cookie } })).status).toBe(200);
  });
});

describe('mode none', () => {
  it('refuses to start on an address other than loopback', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-none-'));
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '0.0.0.0'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', TUNNELSCOPE_AUTH: '', NEXT_TELEMETRY_DISABLED: '1', TUNNELSCOPE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // The server checks as it starts; a request makes it start if it waits for one.
    const poke = setInterval(() => fetch(`http://127.0.0.1:${port}/api/healthz`).catch(() => undefined), 500);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(poke);
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(output).toMatch(/refusing to start: TUNNELSCOPE_AUTH=none .* listens on 0\.0\.0\.0/);
  });
});
