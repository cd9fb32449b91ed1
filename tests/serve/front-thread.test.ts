import { rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_HEADER, SESSION_COOKIE } from '@/lib/auth/identity';
import { resetAuth } from '@/lib/auth/server';
import { signSession, signShare } from '@/lib/auth/signed';
import { closeStore, getStore } from '@/lib/store';
import { newSnapshotId } from '@/lib/store/ids';
import { startFrontThread, type FrontThread } from '@/lib/serve/front-thread';
import { freePort } from '@/tests/e2e/server';
import { get, inlineScriptHashes, tokenMode, type Answer } from './front-helpers';

const TOKEN = 'front-thread-token';

/** Requests this thread's HTTP servers were given: the front thread answers in a thread of its own, so only relayed ones count. */
function countRequests(): { readonly count: number; stop(): void } {
  const proto = http.Server.prototype;
  const emit = proto.emit;
  const seen = { count: 0 };
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') seen.count += 1;
    return (emit as (this: http.Server, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
  return {
    get count() {
      return seen.count;
    },
    stop: () => {
      proto.emit = emit;
    },
  };
}

describe('the front thread', () => {
  let thread: FrontThread;
  let base: string;
  let dataDir: string;
  let relayed: ReturnType<typeof countRequests>;
  const renders = { count: 0 };
  /** The peer and forwarded address each request reached the app with. */
  const seenBy: { peer?: string; forwarded?: string }[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };
  const saved = { ...process.env };

  /**
   * Next.js stand-in: the app's refusal of a wrong token (the front has decided everything else), a page with a
   * nonce, an API answer with an ETag, its headers set one by one as Next.js sets them.
   */
  async function app(request: IncomingMessage, response: ServerResponse): Promise<void> {
    renders.count += 1;
    seenBy.push({ peer: request.headers[PEER_HEADER] as string | undefined, forwarded: request.headers['x-forwarded-for'] as string | undefined });
    if (request.method === 'DELETE') {
      response.writeHead(204).end();
      return;
    }
    if (request.headers.authorization !== undefined && request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthenticated"}}');
      return;
    }
    await new Promise((r) => setImmediate(r));
    if (request.url?.startsWith('/api/')) {
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.setHeader('etag', '"v1"');
      response.end(JSON.stringify({ hosts: Array.from({ length: 100 }, (_, i) => `host-${i}`) }));
      return;
    }
    const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('content-security-policy', `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    response.end(`<html><script nonce="${nonce}">go()</script>${'<p>page</p>'.repeat(100)}</html>`);
  }

  beforeAll(async () => {
    await closeStore();
    dataDir = tokenMode('tunnelscope-front-thread-', TOKEN);
    const port = await freePort();
    thread = await startFrontThread(app, { host: '127.0.0.1', port, backlog: 511 });
    base = `http://127.0.0.1:${port}`;
    relayed = countRequests();
  });

  afterAll(async () => {
    relayed.stop();
    await thread.close();
    await closeStore();
    process.env = saved;
    resetAuth();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Asks until the front thread answers without relaying: a kept answer reaches it as a message after its first
   * response has gone. Returns that answer; fails if it never comes.
   */
  async function answeredByThread(urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const before = relayed.count;
      const answer = await get(base, urlPath, headers);
      if (relayed.count === before) return answer;
    }
    throw new Error(`${urlPath} was relayed every time`);
  }

  it('answers kept answers itself, a page by the hashes of its scripts and the same bytes each time, compressed, and 304 for the held ETag', async () => {
    const id = newSnapshotId();
    const rendersBefore = renders.count;
    const rendered = await get(base, `/s/${id}`, auth);
    expect(rendered.status).toBe(200);
    expect(String(rendered.headers['content-security-policy'])).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
    const page = await answeredByThread(`/s/${id}`, { ...auth, 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    const html = gunzipSync(page.body).toString('utf8');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).not.toMatch(/'nonce-|'strict-dynamic'/);
    expect(html).toContain('<script>go()</script>');
    expect(new Set(policy.match(/'sha256-[^']+'/g))).toEqual(inlineScriptHashes(html));
    const again = await answeredByThread(`/s/${id}`, { ...auth, 'accept-encoding': 'gzip' });
    expect(again.body.equals(page.body)).toBe(true);
    expect(again.headers['content-security-policy']).toBe(policy);
    const revalidated = await answeredByThread(`/s/${id}`, { ...auth, 'if-none-match': String(page.headers.etag) });
    expect(revalidated.status).toBe(304);

    expect((await get(base, `/api/snapshots/${id}`, auth)).status).toBe(200);
    const api = await answeredByThread(`/api/snapshots/${id}`, auth);
    expect(JSON.parse(api.body.toString('utf8')).hosts).toHaveLength(100);
    const before = relayed.count;
    const notModified = await get(base, `/api/snapshots/${id}`, { ...auth, 'if-none-match': '"v1"' });
    expect(notModified.status).toBe(304);
    expect(relayed.count).toBe(before);
    expect(renders.count - rendersBefore).toBe(2);
  });

  it('relays misses, navigation requests, other routes and answers it cannot decide at once, with the client address', async () => {
    const id = newSnapshotId();
    const before = { relayed: relayed.count, renders: renders.count };
    await get(base, `/s/${id}`, auth);
    await get(base, `/s/${id}`, { ...auth, rsc: '1' });
    await get(base, '/api/other', { ...auth, [PEER_HEADER]: '203.0.113.9' });
    expect(relayed.count - before.relayed).toBe(3);
    expect(renders.count - before.renders).toBe(3);
    // The peer is the socket's, never what a client claims; X-Forwarded-For is filled as Next.js fills it.
    expect(seenBy.at(-1)).toEqual({ peer: '127.0.0.1', forwarded: '127.0.0.1' });

    // A session needs the signing key, which only a waiting decision reads: relayed until the app's thread has read it.
    await answeredByThread(`/s/${id}`, auth);
    const secret = await getStore().serverSecret('signing');
    const session = signSession(secret, { user: 'alice', groups: ['viewers'], role: null, mode: 'token', exp: Math.floor(Date.now() / 1000) + 600 });
    const waited = relayed.count;
    expect((await get(base, `/api/snapshots/${id}`, { cookie: `${SESSION_COOKIE}=${session}` })).status).toBe(200);
    expect(relayed.count).toBe(waited + 1);
    expect((await answeredByThread(`/api/snapshots/${id}`, { cookie: `${SESSION_COOKIE}=${session}` })).status).toBe(200);
  });

  it('relays expired, foreign and revoked credentials to the app even when the answer is held, and a share view to record', async () => {
    const id = newSnapshotId();
    await get(base, `/s/${id}`, auth);
    await answeredByThread(`/s/${id}`, auth);
    const secret = await getStore().serverSecret('signing');
    const past = Math.floor(Date.now() / 1000) - 1;
    const future = past + 600;
    const refused: { path: string; headers: Record<string, string> }[] = [
      { path: `/s/${id}?share=${signShare(secret, { snapshot: id, by: 'alice', exp: past })}`, headers: {} },
      { path: `/s/${id}?share=${signShare(secret, { snapshot: newSnapshotId(), by: 'alice', exp: future })}`, headers: {} },
      { path: `/s/${id}`, headers: { cookie: `${SESSION_COOKIE}=${signSession(secret, { user: 'alice', groups: ['viewers'], role: null, mode: 'token', exp: past })}` } },
      // mallory's token is not (or no longer) configured: her session ends with it.
      { path: `/s/${id}`, headers: { cookie: `${SESSION_COOKIE}=${signSession(secret, { user: 'mallory', groups: ['viewers'], role: null, mode: 'token', exp: future })}` } },
      { path: `/s/${id}`, headers: { authorization: 'Bearer not-the-token' } },
    ];
    for (const { path: urlPath, headers } of refused) {
      const before = { relayed: relayed.count, renders: renders.count };
      await get(base, urlPath, headers);
      expect([relayed.count - before.relayed, renders.count - before.renders]).toEqual([1, 1]);
    }

    // A valid link's first view goes on record in the app's thread; then the thread knows it and answers itself.
    const share = signShare(secret, { snapshot: id, by: 'alice', exp: future });
    expect((await get(base, `/s/${id}?share=${share}`)).status).toBe(200);
    await get(base, `/s/${id}?share=${share}`);
    expect((await answeredByThread(`/s/${id}?share=${share}`)).status).toBe(200);
    expect((await getStore().listAudit({ action: 'share.view' })).filter((v) => v.target === id)).toHaveLength(1);
  });

  it('forgets a deleted snapshot before the client hears of the deletion', async () => {
    const id = newSnapshotId();
    await get(base, `/api/snapshots/${id}/report.md`, auth);
    await answeredByThread(`/api/snapshots/${id}/report.md`, auth);
    expect((await get(base, `/api/snapshots/${id}`, auth, 'DELETE')).status).toBe(204);
    const before = renders.count;
    await get(base, `/api/snapshots/${id}/report.md`, auth);
    expect(renders.count).toBe(before + 1);
  });

  it('starts a killed thread again with what it knew, and gives up with a message after three deaths within a minute', async () => {
    const id = newSnapshotId();
    await get(base, `/api/snapshots/${id}`, auth);
    await answeredByThread(`/api/snapshots/${id}`, auth);
    const worker = thread.worker;
    expect(worker).toBeDefined();
    const listening = new Promise((resolve) => thread.once('listening', resolve));
    await worker?.terminate();
    await listening;
    // The new thread was given the kept answer: no render, and no relay.
    const before = renders.count;
    expect((await answeredByThread(`/api/snapshots/${id}`, auth)).status).toBe(200);
    expect(renders.count).toBe(before);

    const again = new Promise((resolve) => thread.once('listening', resolve));
    await thread.worker?.terminate();
    await again;
    const failed = new Promise<Error>((resolve) => thread.once('failed', resolve));
    await thread.worker?.terminate();
    expect((await failed).message).toMatch(/front thread stopped 3 times within a minute/);
    await expect(get(base, `/api/snapshots/${id}`, auth)).rejects.toThrow(/ECONNREFUSED/);
  });
});
