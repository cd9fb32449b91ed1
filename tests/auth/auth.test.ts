import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide, shareCookieName } from '@/lib/auth/access';
import { auditEntry } from '@/lib/auth/audit';
import { AuthConfigError, authConfigFromEnv, describeAuth, isLoopback } from '@/lib/auth/config';
import { crossSiteRefusal } from '@/lib/auth/csrf';
import { identify, identifyKnown, matchToken, SESSION_COOKIE, type Caller } from '@/lib/auth/identity';
import type { KubeReviewer } from '@/lib/auth/kube';
import { RateLimiter } from '@/lib/auth/rate-limit';
import { roleForGroups } from '@/lib/auth/roles';
import { signSession, signShare, verifySession, verifyShare } from '@/lib/auth/signed';
import { listenAddress } from '@/lib/auth/startup';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const SECRET = 'test-signing-secret';
const ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';

const tokenEnv = {
  TUNNELSCOPE_AUTH: 'token',
  TUNNELSCOPE_HOST: '0.0.0.0',
  TUNNELSCOPE_TOKENS: `alice:sre,oncall:${sha('alice-secret')} bob::${sha('bob-secret')} carol:leads:${sha('carol-secret')}`,
  TUNNELSCOPE_COLLECTOR_GROUPS: 'sre',
  TUNNELSCOPE_ADMIN_GROUPS: 'leads',
};

function context(env: Record<string, string>, extra: { kube?: KubeReviewer; now?: number } = {}) {
  return { config: authConfigFromEnv(env), secret: async () => SECRET, kube: extra.kube && (() => extra.kube as KubeReviewer), now: extra.now };
}

describe('auth configuration', () => {
  it('defaults to mode none on 127.0.0.1 and refuses none on any other address', () => {
    expect(authConfigFromEnv({}).mode).toBe('none');
    expect(() => authConfigFromEnv({ TUNNELSCOPE_HOST: '0.0.0.0' })).toThrow(AuthConfigError);
    expect(() => authConfigFromEnv({ TUNNELSCOPE_HOST: '10.1.2.3' })).toThrow(/loopback/);
    expect(authConfigFromEnv({ TUNNELSCOPE_HOST: '::1' }).mode).toBe('none');
    expect(isLoopback('127.0.0.53')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });

  it('takes tokens only as SHA-256 digests and says so without echoing the entry', () => {
    expect(() => authConfigFromEnv({ ...tokenEnv, TUNNELSCOPE_TOKENS: 'alice:sre:plain-token-value' })).toThrow(/sha256/);
    try {
      authConfigFromEnv({ ...tokenEnv, TUNNELSCOPE_TOKENS: 'alice:sre:plain-token-value' });
    } catch (error) {
      expect(String(error)).not.toContain('plain-token-value');
    }
    expect(() => authConfigFromEnv({ TUNNELSCOPE_AUTH: 'token', TUNNELSCOPE_HOST: '0.0.0.0' })).toThrow(/TUNNELSCOPE_TOKENS/);
    expect(() => authConfigFromEnv({ TUNNELSCOPE_AUTH: 'proxy', TUNNELSCOPE_HOST: '0.0.0.0' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => authConfigFromEnv({ TUNNELSCOPE_AUTH: 'oidc' })).toThrow(/not one of/);
  });

  it('prints the mode at startup without any digest', () => {
    const line = describeAuth(authConfigFromEnv(tokenEnv));
    expect(line).toContain('tunnelscope auth: token');
    expect(line).toContain('3 people');
    expect(line).toContain('collector=sre');
    expect(line).not.toContain(sha('alice-secret'));
    expect(describeAuth(authConfigFromEnv({ TUNNELSCOPE_READ_ONLY: 'true' }))).toContain('read-only');
  });

  it('reads the listen address from -H, --hostname= or HOSTNAME, and every interface otherwise', () => {
    expect(listenAddress(['node', 'next', 'start', '-p', '3000', '-H', '127.0.0.1'], {})).toBe('127.0.0.1');
    expect(listenAddress(['node', 'next', 'start', '--hostname=::1'], {})).toBe('::1');
    expect(listenAddress(['node', 'server.js'], { HOSTNAME: '10.0.0.5' })).toBe('10.0.0.5');
    expect(listenAddress(['node', 'next', 'start'], {})).toBe('0.0.0.0');
  });
});

describe('roles', () => {
  it('gives the highest role any group maps to, and viewer to everyone signed in by default', () => {
    const groups = authConfigFromEnv(tokenEnv).roleGroups;
    expect(roleForGroups(['oncall', 'sre'], groups)).toBe('collector');
    expect(roleForGroups(['leads'], groups)).toBe('admin');
    expect(roleForGroups([], groups)).toBe('viewer');
    expect(roleForGroups(['sre'], { viewer: [], collector: [], admin: [] })).toBeNull();
  });
});

describe('identify', () => {
  it('knows a token by its digest and names the token user with the role of their groups', async () => {
    const ctx = context(tokenEnv);
    const alice = await identify(new Headers({ authorization: 'Bearer alice-secret' }), ctx);
    expect(alice).toMatchObject({ user: 'alice', groups: ['sre', 'oncall'], role: 'collector', via: 'token' });
    expect(await identify(new Headers({ authorization: 'Bearer carol-secret' }), ctx)).toMatchObject({ user: 'carol', role: 'admin' });
    expect(await identify(new Headers({ authorization: 'Bearer wrong' }), ctx)).toBeNull();
    expect(await identify(new Headers(), ctx)).toBeNull();
    expect(matchToken('bob-secret', ctx.config)?.user).toBe('bob');
  });

  it('believes proxy headers only from a configured proxy address, as the peer hook records it', async () => {
    const ctx = context({ TUNNELSCOPE_AUTH: 'proxy', TUNNELSCOPE_HOST: '0.0.0.0', TUNNELSCOPE_TRUSTED_PROXIES: '10.0.0.7', TUNNELSCOPE_COLLECTOR_GROUPS: 'netops' });
    const headers = { 'x-forwarded-user': 'u-123', 'x-forwarded-email': 'dana@example.com', 'x-forwarded-preferred-username': 'dana', 'x-forwarded-groups': 'netops,people' };
    const trusted = await identify(new Headers({ ...headers, 'x-tunnelscope-peer': '::ffff:10.0.0.7' }), ctx);
    expect(trusted).toMatchObject({ user: 'dana', email: 'dana@example.com', groups: ['netops', 'people'], role: 'collector', via: 'proxy', address: '10.0.0.7' });
    expect(await identify(new Headers({ ...headers, 'x-tunnelscope-peer': '10.0.0.8' }), ctx)).toBeNull();
    expect(await identify(new Headers(headers), ctx)).toBeNull();
  });

  it('accepts a signed session cookie of the same mode and refuses a tampered or expired one', async () => {
    const ctx = context(tokenEnv);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const session = signSession(SECRET, { user: 'alice', groups: ['sre'], role: 'collector', mode: 'token', exp });
    expect(await identify(new Headers({ cookie: `other=1; ${SESSION_COOKIE}=${session}` }), ctx)).toMatchObject({ user: 'alice', role: 'collector' });
    const [body, mac] = session.split('.');
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString().replace('collector', 'admin')).toString('base64url');
    expect(await identify(new Headers({ cookie: `${SESSION_COOKIE}=${forged}.${mac}` }), ctx)).toBeNull();
    expect(await identify(new Headers({ cookie: `${SESSION_COOKIE}=${session}` }), { ...ctx, now: (exp + 1) * 1000 })).toBeNull();
    const removed = signSession(SECRET, { user: 'mallory', groups: ['leads'], role: 'admin', mode: 'token', exp });
    expect(await identify(new Headers({ cookie: `${SESSION_COOKIE}=${removed}` }), ctx)).toBeNull();
  });

  it('asks the cluster once per token for a while and takes the higher of RBAC and group mapping', async () => {
    let reviews = 0;
    const kube: KubeReviewer = {
      async review(token) {
        reviews += 1;
        return token === 'kube-token' ? { user: 'erin@corp', groups: ['system:authenticated'] } : null;
      },
      async role() {
        return 'collector';
      },
    };
    const ctx = context({ TUNNELSCOPE_AUTH: 'kubernetes', TUNNELSCOPE_HOST: '0.0.0.0' }, { kube });
    const headers = new Headers({ authorization: 'Bearer kube-token' });
    expect(await identify(headers, ctx)).toMatchObject({ user: 'erin@corp', role: 'collector', via: 'kubernetes' });
    expect(await identify(headers, ctx)).toMatchObject({ user: 'erin@corp' });
    expect(reviews).toBe(1);
    expect(await identify(new Headers({ authorization: 'Bearer other' }), ctx)).toBeNull();
  });
  it('knows the caller without waiting exactly when nothing is left to read, and then as identify does', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const session = signSession(SECRET, { user: 'alice', groups: ['sre'], role: 'collector', mode: 'token', exp });
    const removed = signSession(SECRET, { user: 'mallory', groups: ['leads'], role: 'admin', mode: 'token', exp });
    const peer = { 'x-tunnelscope-peer': '::ffff:10.0.0.9' };
    const requests: Record<string, string>[] = [
      {},
      { ...peer, authorization: 'Bearer alice-secret' },
      { authorization: 'Bearer wrong' },
      { ...peer, cookie: `other=1; ${SESSION_COOKIE}=${session}` },
      { cookie: `${SESSION_COOKIE}=${removed}` },
      { cookie: `${SESSION_COOKIE}=${session}x` },
    ];
    for (const [env, expiredToo] of [
      [tokenEnv, true],
      [{ TUNNELSCOPE_AUTH: 'none' }, false],
      [{ TUNNELSCOPE_AUTH: 'proxy', TUNNELSCOPE_HOST: '0.0.0.0', TUNNELSCOPE_TRUSTED_PROXIES: '10.0.0.9' }, false],
    ] as const) {
      const ctx = context(env);
      for (const raw of [...requests, { ...peer, 'x-forwarded-user': 'dana' }]) {
        const headers = new Headers(raw);
        const session = headers.get('cookie')?.includes(SESSION_COOKIE) === true && headers.get('authorization') === null && env.TUNNELSCOPE_AUTH === 'token';
        // A session needs the signing key: without it only identify can say.
        expect(identifyKnown(headers, { config: ctx.config, secret: undefined })).toEqual(session ? undefined : await identify(headers, ctx));
        expect(identifyKnown(headers, { config: ctx.config, secret: SECRET })).toEqual(await identify(headers, ctx));
        if (expiredToo) expect(identifyKnown(headers, { config: ctx.config, secret: SECRET, now: (exp + 1) * 1000 })).toEqual(await identify(headers, { ...ctx, now: (exp + 1) * 1000 }));
      }
    }
    expect(identifyKnown(new Headers({ cookie: `${SESSION_COOKIE}=${session}` }), { config: authConfigFromEnv(tokenEnv), secret: SECRET })).toMatchObject({ user: 'alice', role: 'collector' });
    expect(identifyKnown(new Headers({ cookie: `${SESSION_COOKIE}=${session}` }), { config: authConfigFromEnv(tokenEnv), secret: SECRET, now: (exp + 1) * 1000 })).toBeNull();
  });

  it('knows a Kubernetes caller without waiting only while the review is held', async () => {
    const kube: KubeReviewer = {
      async review(token) {
        return token === 'kube-held' ? { user: 'fay@corp', groups: [] } : null;
      },
      async role() {
        return 'viewer';
      },
    };
    const ctx = context({ TUNNELSCOPE_AUTH: 'kubernetes', TUNNELSCOPE_HOST: '0.0.0.0' }, { kube });
    const headers = new Headers({ authorization: 'Bearer kube-held' });
    expect(identifyKnown(headers, { config: ctx.config, secret: SECRET })).toBeUndefined();
    const reviewed = await identify(headers, ctx);
    expect(identifyKnown(headers, { config: ctx.config, secret: SECRET })).toEqual(reviewed);
    expect(identifyKnown(headers, { config: ctx.config, secret: SECRET, now: Date.now() + 31_000 })).toBeUndefined();
  });
});

describe('access decisions', () => {
  const config = authConfigFromEnv(tokenEnv);
  const viewer: Caller = { user: 'bob', groups: [], role: 'viewer', via: 'token' };
  const collector: Caller = { user: 'alice', groups: ['sre'], role: 'collector', via: 'token' };

  it('answers 401 without a caller, 403 for a role too low, and lets a higher role do what a lower may', () => {
    const headers = new Headers();
    expect(decide(null, 'viewer', {}, { config, headers })).toMatchObject({ ok: false, status: 401 });
    expect(decide(viewer, 'collector', {}, { config, headers })).toMatchObject({ ok: false, status: 403, code: 'forbidden' });
    expect(decide(collector, 'viewer', {}, { config, headers })).toMatchObject({ ok: true });
  });

  it('refuses collection to everyone on a read-only server, admins included', () => {
    const readOnly = authConfigFromEnv({ ...tokenEnv, TUNNELSCOPE_READ_ONLY: 'true' });
    const admin: Caller = { user: 'carol', groups: ['leads'], role: 'admin', via: 'token' };
    expect(decide(admin, 'collector', { collects: true }, { config: readOnly, headers: new Headers() })).toMatchObject({ ok: false, status: 403, code: 'read_only' });
    expect(decide(admin, 'collector', {}, { config: readOnly, headers: new Headers() })).toMatchObject({ ok: true });
  });

  it('opens one snapshot, and no other, to the holder of its share link until it expires', () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = signShare(SECRET, { snapshot: ID, by: 'alice', exp });
    const other = 'BBBBBBBBBBBBBBBBBBBBBBBB';
    const opened = decide(null, 'viewer', { snapshot: ID, share: token }, { config, headers: new Headers(), secret: SECRET });
    expect(opened).toMatchObject({ ok: true, caller: { via: 'share', role: 'viewer' }, share: { by: 'alice' } });
    const viaCookie = decide(null, 'viewer', { snapshot: ID }, { config, headers: new Headers({ cookie: `${shareCookieName(ID)}=${token}` }), secret: SECRET });
    expect(viaCookie.ok).toBe(true);
    expect(decide(null, 'viewer', { snapshot: other, share: token }, { config, headers: new Headers(), secret: SECRET }).ok).toBe(false);
    expect(decide(null, 'collector', { snapshot: ID, share: token }, { config, headers: new Headers(), secret: SECRET }).ok).toBe(false);
    expect(decide(null, 'viewer', { snapshot: ID, share: token }, { config, headers: new Headers(), secret: 'another-server', now: Date.now() }).ok).toBe(false);
    expect(verifyShare(SECRET, token, ID, (exp + 1) * 1000)).toBeNull();
    expect(signShare(SECRET, { snapshot: ID, by: 'alice', exp })).not.toBe(token);
    expect(verifySession(SECRET, token)).toBeNull();
  });

  it('refuses a share link changed in any character, even one that decodes to the same signature bytes', () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = signShare(SECRET, { snapshot: ID, by: 'alice', exp });
    expect(verifyShare(SECRET, token, ID)).not.toBeNull();
    // A SHA-256 signature is 43 base64url characters: the last one holds 4 bits and 2 spare ones.
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(token.slice(-43, -1) + sameBits, 'base64url')).toEqual(Buffer.from(token.slice(-43), 'base64url'));
    expect(verifyShare(SECRET, token.slice(0, -1) + sameBits, ID)).toBeNull();
  });
});

describe('cross-site requests', () => {
  it('refuses state changes another site starts and lets same-origin pages and non-browser clients through', () => {
    expect(crossSiteRefusal('POST', new Headers({ 'sec-fetch-site': 'cross-site' }))).toMatch(/cross-site/);
    expect(crossSiteRefusal('DELETE', new Headers({ 'sec-fetch-site': 'same-site' }))).not.toBeNull();
    expect(crossSiteRefusal('POST', new Headers({ 'sec-fetch-site': 'same-origin' }))).toBeNull();
    expect(crossSiteRefusal('POST', new Headers({ origin: 'https://evil.example', host: 'ts.example' }))).toMatch(/evil/);
    expect(crossSiteRefusal('POST', new Headers({ origin: 'https://ts.example', host: 'ts.example' }))).toBeNull();
    expect(crossSiteRefusal('POST', new Headers())).toBeNull();
    expect(crossSiteRefusal('GET', new Headers({ 'sec-fetch-site': 'cross-site' }))).toBeNull();
  });
});

describe('collection rate limit', () => {
  it('gives each person their own budget per minute and refills it with time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, { now: () => now });
    const alice = [limiter.take('alice'), limiter.take('alice'), limiter.take('alice')];
    expect(alice.map((a) => a.ok)).toEqual([true, true, false]);
    expect(limiter.take('bob').ok).toBe(true);
    expect(alice[2]).toEqual({ ok: false, retryAfterSeconds: 30 });
    now = 30_000;
    expect(limiter.take('alice').ok).toBe(true);
  });
});

describe('audit entries', () => {
  it('name the person, how they came in, and the share link used, and hold no token', () => {
    const exp = Math.floor(Date.parse('2026-12-07T00:00:00Z') / 1000);
    const caller: Caller = { user: 'dana', email: 'dana@example.com', groups: ['netops'], role: 'collector', via: 'proxy', address: '10.0.0.9' };
    expect(auditEntry(caller, 'collect', { target: 'lab', hosts: ['worker-1'] })).toEqual({
      actor: 'dana',
      mode: 'proxy',
      action: 'collect',
      target: 'lab',
      hosts: ['worker-1'],
      address: '10.0.0.9',
      detail: { email: 'dana@example.com', role: 'collector' },
    });
    const shareCaller: Caller = { user: 'share-link', groups: [], role: 'viewer', via: 'share' };
    const entry = auditEntry(shareCaller, 'share.view', { target: ID, share: { kind: 'share', snapshot: ID, by: 'alice', exp, nonce: 'n'.repeat(22) } });
    expect(entry.detail).toEqual({ role: 'viewer', sharedBy: 'alice', shareExpires: '2026-12-07T00:00:00.000Z' });
    expect(JSON.stringify(entry)).not.toContain('n'.repeat(22));
  });
});
