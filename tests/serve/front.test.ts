import { createHook, executionAsyncId } from 'node:async_hooks';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '@/lib/auth/identity';
import { resetAuth } from '@/lib/auth/server';
import { signSession, signShare } from '@/lib/auth/signed';
import { closeStore, getStore } from '@/lib/store';
import { filledBody, slottedBody, tableCrc32 } from '@/lib/serve/gzip-splice';
import fc from 'fast-check';
import { createFront, type Front } from '@/lib/serve/front';
import { requestUrl, turnSlicer } from '@/lib/serve/front-kept';
import { newSnapshotId } from '@/lib/store/ids';
import { get, inlineScriptHashes, tokenMode, type Answer } from './front-helpers';

const TOKEN = 'front-test-token';
const ID = newSnapshotId();

function decoded(answer: Answer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(answer.body).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(answer.body).toString('utf8');
  return answer.body.toString('utf8');
}

const POLICY_NONCE = /'nonce-([^']+)'/;

/**
 * Stands in for Next.js: a page whose scripts carry the nonce of its CSP (as proxy.ts and the root layout make
 * them), an API answer with an ETag, and the app's refusal for a request without a token.
 */
function fakeNext(renders: { count: number }) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    renders.count += 1;
    if (request.method === 'DELETE') {
      response.writeHead(204).end();
      return;
    }
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthenticated"}}');
      return;
    }
    await new Promise((r) => setImmediate(r));
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (request.url?.startsWith('/api/')) {
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.setHeader('ETag', '"v1"');
      response.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      response.end(JSON.stringify({ hosts: Array.from({ length: 300 }, (_, i) => `host-${i}`) }));
      return;
    }
    const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Security-Policy', `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'; frame-ancestors 'none'`);
    response.setHeader('X-Frame-Options', 'DENY');
    response.write(`<html><head><script nonce="${nonce}">theme()</script><script src="/_next/static/a.js" async="" nonce="${nonce}"></script></head>`);
    // The embed here holds a script whose text the browser ignores (it has a src): it cannot be hashed, so it keeps its nonce.
    const unhashable = request.url?.startsWith('/embed/') ? `<script nonce="${nonce}" src="/b.js">ignored()</script>` : '';
    response.end(`<body>${'<p>shell</p>'.repeat(200)}${unhashable}<script nonce="${nonce}">self.__next_f.push([1,"{\\"nonce\\":\\"${nonce}\\"}"])</script></body></html>`);
  };
}

async function listening(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<[Server, string]> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

describe('the front server', () => {
  let server: Server;
  let base: string;
  let front: Front;
  let dataDir: string;
  const renders = { count: 0 };
  const auth = { authorization: `Bearer ${TOKEN}` };
  const saved = { ...process.env };

  beforeAll(async () => {
    dataDir = tokenMode('tunnelscope-front-', TOKEN);
    front = createFront(fakeNext(renders));
    [server, base] = await listening(front.handle);
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    process.env = saved;
    resetAuth();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    renders.count = 0;
  });

  it('sends the render with its nonce, then the kept page by the hashes of its scripts, the same bytes to everyone', async () => {
    const first = await get(base, `/s/${ID}`, auth);
    expect(first.status).toBe(200);
    const renderNonce = POLICY_NONCE.exec(String(first.headers['content-security-policy']))?.[1] ?? '';
    expect([...decoded(first).matchAll(/nonce="([^"]+)"/g)].map((m) => m[1])).toEqual([renderNonce, renderNonce, renderNonce]);
    const answers = await Promise.all([
      get(base, `/s/${ID}`, auth),
      get(base, `/s/${ID}`, { ...auth, 'accept-encoding': 'gzip' }),
      get(base, `/s/${ID}`, { ...auth, 'accept-encoding': 'gzip' }),
      get(base, `/s/${ID}`, { ...auth, 'accept-encoding': 'gzip, br' }),
    ]);
    expect(renders.count).toBe(1);
    const html = decoded(answers[0]);
    const policy = String(answers[0].headers['content-security-policy']);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toBe(policy);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(decoded(answer)).toBe(html);
    }
    expect(answers[1].body.equals(answers[2].body)).toBe(true);
    expect(answers[3].headers['content-encoding']).toBe('br');
    const scriptSrc = /script-src ([^;]*)/.exec(policy)?.[1].split(' ') ?? [];
    expect(scriptSrc).not.toContain("'strict-dynamic'");
    expect(scriptSrc.some((source) => source.startsWith("'nonce-"))).toBe(false);
    expect(new Set(scriptSrc.filter((source) => source.startsWith("'sha256-")))).toEqual(inlineScriptHashes(html));
    expect(inlineScriptHashes(html).size).toBe(2);
    expect(html).not.toContain(renderNonce);
    expect(html).not.toContain('nonce=');
    const etag = String(answers[0].headers.etag);
    const revalidated = await get(base, `/s/${ID}`, { ...auth, 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('keeps a fresh nonce per response for a page whose scripts cannot be hashed, plain and gzip', async () => {
    const first = await get(base, `/embed/${ID}`, auth);
    expect(first.status).toBe(200);
    const answers = await Promise.all([get(base, `/embed/${ID}`, auth), get(base, `/embed/${ID}`, { ...auth, 'accept-encoding': 'gzip, br' })]);
    expect(renders.count).toBe(1);
    const nonces = new Set<string>();
    for (const answer of [first, ...answers]) {
      expect(answer.status).toBe(200);
      const policyNonce = POLICY_NONCE.exec(String(answer.headers['content-security-policy']))?.[1];
      expect(policyNonce).toBeDefined();
      const html = decoded(answer);
      const inHtml = [...html.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
      expect(inHtml).toEqual([policyNonce, policyNonce, policyNonce, policyNonce]);
      expect(html).toContain(`\\"nonce\\":\\"${policyNonce}\\"`);
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      nonces.add(policyNonce ?? '');
    }
    expect(nonces.size).toBe(3);
    // A page carries its nonce: brotli cannot be spliced, so a browser that takes both gets gzip.
    expect(answers[1].headers['content-encoding']).toBe('gzip');
    expect(decoded(answers[1]).replaceAll([...nonces][2], 'N')).toBe(decoded(answers[0]).replaceAll([...nonces][1], 'N'));
  });

  it('hands a request that fails access to the app, even when the answer is held', async () => {
    await get(base, `/s/${ID}`, auth);
    renders.count = 0;
    const refused = await get(base, `/s/${ID}`);
    expect(refused.status).toBe(401);
    expect(refused.body.toString()).toContain('unauthenticated');
    const wrong = await get(base, `/api/snapshots/${ID}`, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(renders.count).toBe(2);
  });

  it('sends API answers compressed once (br, gzip), and 304 for the held ETag', async () => {
    const [plain, br, gz] = await Promise.all([
      get(base, `/api/snapshots/${ID}?level=overview`, auth),
      get(base, `/api/snapshots/${ID}?level=overview`, { ...auth, 'accept-encoding': 'gzip, deflate, br' }),
      get(base, `/api/snapshots/${ID}?level=overview`, { ...auth, 'accept-encoding': 'gzip, br;q=0' }),
    ]);
    expect(renders.count).toBe(1);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(br)).toBe(decoded(plain));
    expect(decoded(gz)).toBe(decoded(plain));
    expect(br.headers.etag).toBe('"v1"');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const again = await get(base, `/api/snapshots/${ID}?level=overview`, { ...auth, 'if-none-match': '"v1"' });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe('"v1"');
    expect(again.headers['cache-control']).toContain('immutable');
    expect(renders.count).toBe(1);
  });

  it('keeps nothing for navigation requests of Next.js, and forgets a snapshot that is deleted', async () => {
    await get(base, `/embed/${ID}`, { ...auth, rsc: '1' });
    await get(base, `/embed/${ID}`, { ...auth, rsc: '1' });
    expect(renders.count).toBe(2);
    await get(base, `/api/snapshots/${ID}/report.md`, auth);
    await get(base, `/api/snapshots/${ID}/report.md`, auth);
    expect(renders.count).toBe(3);
    expect((await get(base, `/api/snapshots/${ID}`, auth, 'DELETE')).status).toBe(204);
    await get(base, `/api/snapshots/${ID}/report.md`, auth);
    expect(renders.count).toBe(5);
  });
});

describe('kept answers sent in the turn their request is read', () => {
  let server: Server;
  let base: string;
  let dataDir: string;
  const renders = { count: 0 };
  const auth = { authorization: `Bearer ${TOKEN}` };
  const saved = { ...process.env };
  /** The kind of async resource each response was ended in: an Immediate is the front's turn, a PROMISE a wait. */
  const types = new Map<number, string>();
  const hook = createHook({
    init: (id, type) => types.set(id, type),
    destroy: (id) => types.delete(id),
  });
  const endedIn: string[] = [];
  let front: Front;

  /** Next.js stand-in that renders for anyone: the front has decided before it is asked. */
  async function anyone(request: IncomingMessage, response: ServerResponse): Promise<void> {
    renders.count += 1;
    await new Promise((r) => setImmediate(r));
    response.setHeader('Content-Type', request.url?.startsWith('/api/') ? 'application/json' : 'text/html; charset=utf-8');
    response.end(`{"hosts":${JSON.stringify(Array.from({ length: 50 }, (_, i) => `host-${i}`))}}`);
  }

  beforeAll(async () => {
    await closeStore();
    dataDir = tokenMode('tunnelscope-front-now-', TOKEN);
    hook.enable();
    front = createFront(anyone);
    [server, base] = await listening((request, response) => {
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.end = ((...args: unknown[]) => {
        endedIn.push(types.get(executionAsyncId()) ?? 'none');
        return end(...args);
      }) as ServerResponse['end'];
      front.handle(request, response);
    });
  });

  afterAll(async () => {
    hook.disable();
    await new Promise((r) => server.close(r));
    await closeStore();
    process.env = saved;
    resetAuth();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Until the front holds `count` answers: an answer is kept once compressed, after its first response has gone. */
  async function held(count: number): Promise<void> {
    while (front.cache.size < count) await new Promise((r) => setImmediate(r));
  }

  async function sentIn(urlPath: string, headers: Record<string, string> = {}): Promise<string> {
    const answer = await get(base, urlPath, headers);
    expect(answer.status).toBe(200);
    return endedIn[endedIn.length - 1];
  }

  it('for a bearer token, a session cookie and a share link, once the key is read and the view is on record', async () => {
    const id = newSnapshotId();
    // The first request renders; the next takes the held answer at once, a bearer token needing no key.
    await sentIn(`/api/snapshots/${id}`, auth);
    await held(1);
    expect(await sentIn(`/api/snapshots/${id}`, auth)).toBe('Immediate');
    expect(renders.count).toBe(1);

    // The signing key is read by the first request that needs it, which waits for it.
    const secret = await getStore().serverSecret('signing');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const share = signShare(secret, { snapshot: id, by: 'alice', exp });
    await sentIn(`/embed/${id}?share=${share}`);
    await held(2);
    expect(await sentIn(`/embed/${id}?share=${share}`)).toBe('PROMISE');
    // The embed's view through a share link goes on record (waited for) once, then the answer is sent at once.
    expect(await sentIn(`/embed/${id}?share=${share}`)).toBe('Immediate');
    const views = await getStore().listAudit({ action: 'share.view' });
    expect(views.filter((v) => v.target === id)).toHaveLength(1);
    // Another link for the same snapshot is another view on record.
    const second = signShare(secret, { snapshot: id, by: 'bob', exp });
    await sentIn(`/embed/${id}?share=${second}`);
    await held(3);
    expect(await sentIn(`/embed/${id}?share=${second}`)).toBe('PROMISE');
    expect(await sentIn(`/embed/${id}?share=${second}`)).toBe('Immediate');
    expect((await getStore().listAudit({ action: 'share.view' })).filter((v) => v.target === id).map((v) => v.actor)).toHaveLength(2);

    const session = signSession(secret, { user: 'alice', groups: ['viewers'], role: null, mode: 'token', exp });
    await sentIn(`/api/snapshots/${id}?level=overview`, { cookie: `${SESSION_COOKIE}=${session}` });
    await held(4);
    expect(await sentIn(`/api/snapshots/${id}?level=overview`, { cookie: `${SESSION_COOKIE}=${session}` })).toBe('Immediate');
    expect(renders.count).toBe(4);
  });

  it('hands expired, foreign and revoked credentials to the app even when the answer is held', async () => {
    const id = newSnapshotId();
    await sentIn(`/s/${id}`, auth);
    await held(5);
    const secret = await getStore().serverSecret('signing');
    const past = Math.floor(Date.now() / 1000) - 1;
    const future = past + 600;
    renders.count = 0;
    await sentIn(`/s/${id}?share=${signShare(secret, { snapshot: id, by: 'alice', exp: past })}`);
    await sentIn(`/s/${id}?share=${signShare(secret, { snapshot: newSnapshotId(), by: 'alice', exp: future })}`);
    await sentIn(`/s/${id}`, { cookie: `${SESSION_COOKIE}=${signSession(secret, { user: 'alice', groups: ['viewers'], role: null, mode: 'token', exp: past })}` });
    // mallory's token is not (or no longer) configured: her session ends with it.
    await sentIn(`/s/${id}`, { cookie: `${SESSION_COOKIE}=${signSession(secret, { user: 'mallory', groups: ['viewers'], role: null, mode: 'token', exp: future })}` });
    await sentIn(`/s/${id}`, { authorization: 'Bearer not-the-token' });
    expect(renders.count).toBe(5);
  });
});

describe('request URLs split without the URL parser', () => {
  it('read as the URL parser reads them', () => {
    const tail = fc.string({ unit: fc.constantFrom(...'aZ09_-./?=&%+~#: \\\'"<>sembdapi'.split('')), maxLength: 40 });
    const raw = fc.tuple(fc.constantFrom('/', '/s/', '/embed/', '/api/snapshots/'), tail).map(([head, rest]) => head + rest);
    fc.assert(
      fc.property(raw, (value) => {
        const read = (parse: () => { pathname: string; search: string; searchParams: URLSearchParams }) => {
          try {
            const url = parse();
            return [url.pathname, url.search, [...url.searchParams]];
          } catch {
            return 'refused';
          }
        };
        expect(read(() => requestUrl(value))).toEqual(read(() => new URL(value, 'http://front.invalid')));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('turns of the front', () => {
  /** The event-loop turn each of `count` queued items ran in, counted by an immediate that renews itself. */
  async function turnsOf(count: number, newConnection: (i: number) => boolean, openingMs: number): Promise<number[]> {
    const slicer = turnSlicer(4, openingMs);
    const ranIn: number[] = [];
    let turn = 0;
    const tick = (): void => {
      turn += 1;
      if (ranIn.length < count) setImmediate(tick);
    };
    setImmediate(tick);
    await new Promise<void>((resolve) => {
      for (let i = 0; i < count; i++) {
        slicer.run(() => {
          ranIn.push(turn);
          if (ranIn.length === count) resolve();
        }, newConnection(i));
      }
    });
    return ranIn;
  }

  it('answer four requests per turn while connections open, in arrival order', async () => {
    const ranIn = await turnsOf(10, (i) => i === 0, 60_000);
    expect(ranIn.map((t) => t - ranIn[0])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
  });

  it('answer every request of a turn in it when no connection is opening', async () => {
    const ranIn = await turnsOf(50, () => false, 60_000);
    expect(new Set(ranIn).size).toBe(1);
  });
});

describe('slotted bodies', () => {
  const pieces = ['', 'a'.repeat(70_000), '', '<b>', ''].map((s) => Buffer.from(s));

  it('decode to the pieces joined by any value of the slot width, however the pieces fall, plain and gzip', async () => {
    for (const width of [1, 8, 48, 65_535]) {
      const body = await slottedBody(pieces, width);
      for (const fill of ['x', 'N', '+', '\u0000', 'é']) {
        const value = Buffer.alloc(width, fill);
        const expected = Buffer.concat(pieces.flatMap((p, i) => (i === 0 ? [p] : [value, p])));
        // gunzip checks the trailer's CRC-32 and length against what it decoded.
        expect(gunzipSync(filledBody(body, value, 'gzip')).equals(expected)).toBe(true);
        expect(filledBody(body, value, 'plain').equals(expected)).toBe(true);
      }
    }
    await expect(slottedBody(pieces, 65_536)).rejects.toThrow(/one stored block/);
    const random = await slottedBody([Buffer.from('a'), Buffer.from('b')], 48);
    for (let i = 0; i < 200; i++) {
      const value = Buffer.from(crypto.randomUUID()).toString('base64');
      expect(gunzipSync(filledBody(random, Buffer.from(value), 'gzip')).toString()).toBe(`a${value}b`);
    }
  });

  it('refer back across the slots, compress as well as one piece, and refuse a value of another width', async () => {
    const slot = '\u0001';
    const html = Array.from({ length: 40 }, (_, i) => `<script nonce="${slot}">self.__next_f.push([1,"chunk ${i % 7} of the page"])</script>`).join('');
    const textPieces = html.split(slot).map((p) => Buffer.from(p));
    const slotted = await slottedBody(textPieces, 8);
    const body = filledBody(slotted, Buffer.from('N0NCE+/='), 'gzip');
    expect(gunzipSync(body).toString()).toBe(html.replaceAll(slot, 'N0NCE+/='));
    // With a zero byte in a piece nothing may refer back across a slot: each piece is compressed on its own.
    const alone = filledBody(await slottedBody([...textPieces.slice(0, -1), Buffer.from('\u0000')], 8), Buffer.from('N0NCE+/='), 'gzip');
    expect(body.length).toBeLessThan(alone.length / 2);
    expect(() => filledBody(slotted, Buffer.from('short'), 'gzip')).toThrow(/8 bytes/);
  });

  it('sum their bytes with the CRC-32 of Node 20.9 as zlib sums them on later versions', () => {
    const native = (zlib as { crc32?: (data: Buffer, crc: number) => number }).crc32;
    const samples = [Buffer.alloc(0), Buffer.from('123456789'), Buffer.from('é\u0000\uffff'.repeat(999))];
    // The check value of CRC-32 for the ASCII digits 1..9, as the gzip specification's algorithm gives it.
    expect(tableCrc32(samples[1], 0)).toBe(0xcbf43926);
    if (native === undefined) return;
    let chained = 0;
    let nativeChained = 0;
    for (const sample of samples) {
      expect(tableCrc32(sample, 0)).toBe(native(sample, 0));
      chained = tableCrc32(sample, chained);
      nativeChained = sample.length === 0 ? nativeChained : native(sample, nativeChained);
    }
    expect(chained).toBe(nativeChained);
  });
});
