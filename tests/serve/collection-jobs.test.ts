/**
 * Collections as jobs: the registry with hosts collected through the shared loop (one host waits until cancelled),
 * and the routes called as Next.js calls them, in token mode with a viewer, two collectors and an admin.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as collections from '@/app/api/collections/route';
import * as collection from '@/app/api/collections/[id]/route';
import * as events from '@/app/api/collections/[id]/events/route';
import { applyEvent } from '@/components/useCollection';
import { resetAuth } from '@/lib/auth/server';
import type { HostCapture } from '@/lib/capture/types';
import { CollectionJobs, type CollectionJob } from '@/lib/serve/collection-jobs';
import type { JobEvent, JobStatus } from '@/lib/sources/collection-progress';
import { collectDiscovered, type Discovery, type SourceHost } from '@/lib/sources/source';
import { closeStore } from '@/lib/store';
import { BASE, getView } from '../api/api';

function host(name: string, collect: SourceHost['collect']): SourceHost {
  return { name, role: 'worker', collect };
}

const captured = (name: string): HostCapture => ({ name, role: 'worker', collectedAt: new Date().toISOString(), status: 'complete', namespaces: [] });

/** Collects until the signal says stop, as a runner does, and then throws what the kube runner throws. */
const hangs: SourceHost['collect'] = (signal) =>
  new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
  });

function discovery(hosts: SourceHost[]): Discovery {
  return { source: { kind: 'synthetic' }, createdAt: new Date().toISOString(), hosts, concurrency: 2 };
}

/** Resolves with the events so far once one of them passes `until`. */
function eventsUntil(job: CollectionJob, until: (event: JobEvent) => boolean): Promise<JobEvent[]> {
  return new Promise((resolve) => {
    const seen: JobEvent[] = [];
    let done = false;
    const stop = job.subscribe(0, (event) => {
      seen.push(event);
      if (!done && until(event)) {
        done = true;
        queueMicrotask(() => stop());
        resolve([...seen]);
      }
    });
  });
}

const line = (e: JobEvent) =>
  e.type === 'host'
    ? `${e.host.name} ${e.host.state}${e.host.reason ? ` (${e.host.reason})` : ''} ${e.finished}/${e.total}`
    : e.type === 'phase'
      ? `${e.phase}${e.cancelled ? ' cancelled' : ''}`
      : e.type === 'hosts'
        ? `hosts ${e.hosts.map((h) => `${h.name}:${h.state}`).join(',')}`
        : `end${e.cancelled ? ' cancelled' : ''}`;

describe('the job registry', () => {
  it('reports hosts queued, then each running and finished in order, and a cancel that stops the hanging host', async () => {
    const jobs = new CollectionJobs({ maxJobs: 4, keepMs: 60_000 });
    let stored = false;
    const job = jobs.start('alice', 'sample', async (control) => {
      const found = discovery([host('node-a', async () => captured('node-a')), host('node-b', hangs), host('node-c', async () => captured('node-c'))]);
      control.discovered(found.hosts);
      const bundle = await collectDiscovered(found, { signal: control.signal, onProgress: control.progress });
      control.storing();
      stored = true;
      return { snapshot: { id: 'stored', url: '/s/stored', partialHosts: bundle.hosts.filter((h) => h.status !== 'complete').map((h) => h.name) } };
    });
    const waiting = await eventsUntil(job, (e) => e.type === 'host' && e.finished === 2);
    expect(waiting.map(line)).toEqual(['hosts node-a:queued,node-b:queued,node-c:queued', 'node-a running 0/3', 'node-b running 0/3', 'node-a done 1/3', 'node-c running 1/3', 'node-c done 2/3']);
    expect(job.status()).toMatchObject({ phase: 'collecting', finished: 2, total: 3, cancelled: false });
    expect(job.status().hosts.map((h) => h.state)).toEqual(['done', 'running', 'done']);
    expect(stored).toBe(false);

    const ending = eventsUntil(job, (e) => e.type === 'end');
    job.cancel();
    const all = await ending;
    expect(all.slice(waiting.length).map(line)).toEqual(['collecting cancelled', 'node-b failed (cancelled) 3/3', 'storing cancelled', 'end cancelled']);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    const status = job.status();
    expect(status).toMatchObject({ phase: 'ended', cancelled: true, finished: 3, snapshot: { id: 'stored', partialHosts: ['node-b'] } });
    // The dashboard, applying the stream's events to the status it was answered with at the start, ends where polling would.
    const { snapshot: _stored, ...started } = status;
    const first: JobStatus = { ...started, phase: 'discovering', cancelled: false, hosts: [], finished: 0, total: 0, seq: 0 };
    expect(all.reduce(applyEvent, first)).toEqual(status);
    // A subscriber that comes after the end (a reconnect) gets what it missed and nothing more.
    expect((await eventsUntil(job, (e) => e.type === 'end')).map((e) => e.seq)).toEqual(all.map((e) => e.seq));
  });

  it('shows a job only to whoever started it and to admins, and ends a failing job with its error', async () => {
    const jobs = new CollectionJobs({ maxJobs: 4, keepMs: 60_000 });
    const job = jobs.start('alice', 'kube', async () => {
      throw new Error('boom');
    });
    await eventsUntil(job, (e) => e.type === 'end');
    expect(jobs.get(job.id, { user: 'bob', admin: false })).toBeUndefined();
    expect(jobs.get(job.id, { user: 'alice', admin: false })).toBe(job);
    expect(jobs.get(job.id, { user: 'ada', admin: true })).toBe(job);
    // What the caller reads is generic; the unexpected error itself is for the server's log.
    expect(job.status().error).toEqual({ status: 500, code: 'internal', message: expect.stringMatching(/log/) });
    expect(job.id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const many = new CollectionJobs({ maxJobs: 50, keepMs: 60_000 });
    expect(new Set(Array.from({ length: 50 }, () => many.start('alice', 'sample', async () => ({})).id)).size).toBe(50);
  });

  it('keeps a bounded number of jobs: running ones refuse a new one, ended ones make room and expire', async () => {
    const jobs = new CollectionJobs({ maxJobs: 2, keepMs: 60_000 });
    const release: Array<() => void> = [];
    const pending = () => jobs.start('alice', 'sample', () => new Promise((resolve) => release.push(() => resolve({}))));
    const first = pending();
    pending();
    expect(() => pending()).toThrow(/2 collections are running/);
    const ended = eventsUntil(first, (e) => e.type === 'end');
    release[0]();
    await ended;
    const third = pending();
    expect(jobs.size).toBe(2);
    expect(jobs.get(first.id, { user: 'alice', admin: false })).toBeUndefined();
    expect(jobs.get(third.id, { user: 'alice', admin: false })).toBe(third);

    const brief = new CollectionJobs({ maxJobs: 2, keepMs: 0 });
    const gone = brief.start('alice', 'sample', async () => ({}));
    await eventsUntil(gone, (e) => e.type === 'end');
    expect(brief.get(gone.id, { user: 'alice', admin: false })).toBeUndefined();
  });
});

const TOKENS = { viewer: 'victor-token', alice: 'alice-token', bob: 'bob-token', admin: 'ada-token' } as const;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the collection routes', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    await closeStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsjobs-'));
    Object.assign(process.env, {
      TUNNELSCOPE_DATA_DIR: dir,
      TUNNELSCOPE_AUTH: 'token',
      TUNNELSCOPE_TOKENS: `victor:staff:${sha(TOKENS.viewer)} alice:sre:${sha(TOKENS.alice)} bob:sre:${sha(TOKENS.bob)} ada:leads:${sha(TOKENS.admin)}`,
      TUNNELSCOPE_VIEWER_GROUPS: 'staff',
      TUNNELSCOPE_COLLECTOR_GROUPS: 'sre',
      TUNNELSCOPE_ADMIN_GROUPS: 'leads',
    });
    delete process.env.DATABASE_URL;
    resetAuth();
  });
  afterAll(async () => {
    await closeStore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    resetAuth();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const as = (who: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[who]}` });
  const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
  const start = (who: keyof typeof TOKENS, body: unknown) =>
    collections.POST(new Request(`${BASE}/api/collections`, { method: 'POST', headers: { ...as(who), 'content-type': 'application/json' }, body: JSON.stringify(body) }));

  /** The whole event stream, read as a browser's EventSource reads it. */
  async function stream(id: string, who: keyof typeof TOKENS, lastEventId?: number): Promise<JobEvent[]> {
    const response = await events.GET(new Request(`${BASE}/api/collections/${id}/events`, { headers: { ...as(who), ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) } }), ctx(id));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    const blocks = text.split('\n\n').filter((b) => b.startsWith('id: '));
    return blocks.map((b) => {
      const [idLine, dataLine] = b.split('\n');
      const event = JSON.parse(dataLine.slice('data: '.length)) as JobEvent;
      expect(idLine).toBe(`id: ${event.seq}`);
      return event;
    });
  }

  it('takes SSH choices that name a Secret and a ConfigMap only, and says which field is wrong', async () => {
    const refusal = async (who: keyof typeof TOKENS, podVmSsh: unknown, podVms = true) => {
      const response = await start(who, { source: 'kube', kube: { podVms, podVmSsh } });
      return [response.status, ((await response.json()) as { error: { message: string } }).error.message.replace(/^Send \{ "source", "title"\?, "kube"\? \}: /, '')];
    };
    const secret = "names a Secret as NAMESPACE/NAME: lowercase letters, digits and '-' (the name may also hold '.')";
    expect(await refusal('alice', { keySecret: '/root/.ssh/id_ed25519' })).toEqual([400, `kube.podVmSsh.keySecret ${secret}`]);
    expect(await refusal('alice', { keySecret: 'Tunnelscope/pod-vm-ssh' })).toEqual([400, `kube.podVmSsh.keySecret ${secret}`]);
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh/extra' })).toEqual([400, `kube.podVmSsh.keySecret ${secret}`]);
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh', knownHostsConfigMap: '../known_hosts' })).toEqual([
      400,
      "kube.podVmSsh.knownHostsConfigMap names a ConfigMap as NAMESPACE/NAME: lowercase letters, digits and '-' (the name may also hold '.')",
    ]);
    // A key, a key file or a known_hosts file is never taken from a request.
    for (const field of ['privateKey', 'keyFile', 'knownHostsFile', 'port']) {
      expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh', [field]: field === 'port' ? 22 : '-----BEGIN OPENSSH PRIVATE KEY-----' })).toEqual([
        400,
        `kube.podVmSsh Unrecognized key(s) in object: '${field}'`,
      ]);
    }
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh', user: 'root;reboot' })).toEqual([
      400,
      "kube.podVmSsh.user is a login name: lowercase letters, digits, '_' and '-', at most 32",
    ]);
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh', skipHostKeyCheck: false })).toEqual([400, 'kube.podVmSsh.skipHostKeyCheck is true or left out']);
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh', knownHostsConfigMap: 'tunnelscope/known-hosts', skipHostKeyCheck: true })).toEqual([
      400,
      'kube.podVmSsh.skipHostKeyCheck cannot be given with a known_hosts ConfigMap',
    ]);
    expect(await refusal('alice', { keySecret: 'tunnelscope/pod-vm-ssh' }, false)).toEqual([400, 'kube.podVmSsh needs podVms: true']);
    expect((await refusal('viewer', { keySecret: 'tunnelscope/pod-vm-ssh' }))[0]).toBe(403);
  });

  it('starts a collection at once, streams its hosts to the end, and stores the snapshot the end names', async () => {
    const response = await start('alice', { source: 'sample', title: 'as a job' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { job: JobStatus; url: string; events: string };
    expect(body.url).toBe(`/api/collections/${body.job.id}`);
    expect(body.events).toBe(`${body.url}/events`);
    const seen = await stream(body.job.id, 'alice');
    expect(seen[0].type).toBe('hosts');
    const hosts = seen[0].type === 'hosts' ? seen[0].hosts.map((h) => h.name) : [];
    expect(hosts.length).toBeGreaterThan(1);
    const finished = seen.flatMap((e) => (e.type === 'host' && e.host.state !== 'running' ? [e.host.name] : []));
    expect([...finished].sort()).toEqual([...hosts].sort());
    expect(seen.slice(-2).map(line)).toEqual(['storing', 'end']);
    const end = seen[seen.length - 1];
    if (end.type !== 'end' || !end.snapshot) throw new Error(`no snapshot at the end: ${JSON.stringify(end)}`);
    expect((await getView(end.snapshot.id, '', as('viewer'))).status).toBe(200);
    // Reconnecting with the last id it saw, a client gets nothing twice; the status says the same as the stream.
    expect(await stream(body.job.id, 'alice', end.seq)).toEqual([]);
    expect((await stream(body.job.id, 'alice', end.seq - 1)).map((e) => e.seq)).toEqual([end.seq]);
    const status = (await (await collection.GET(new Request(`${BASE}${body.url}`, { headers: as('alice') }), ctx(body.job.id))).json()) as JobStatus;
    expect(status).toMatchObject({ phase: 'ended', cancelled: false, finished: hosts.length, total: hosts.length, snapshot: end.snapshot, seq: end.seq });
  });

  it('refuses a viewer, hides a job from another collector, and lets an admin read and cancel it', async () => {
    const refused = await start('viewer', { source: 'sample' });
    expect(refused.status).toBe(403);
    expect((await start('alice', { source: 'mars' })).status).toBe(400);
    const { job } = (await (await start('alice', { source: 'sample' })).json()) as { job: JobStatus };
    const read = (who: keyof typeof TOKENS) => collection.GET(new Request(`${BASE}/api/collections/${job.id}`, { headers: as(who) }), ctx(job.id));
    expect((await read('bob')).status).toBe(404);
    expect((await read('viewer')).status).toBe(403);
    const bobCancel = await collection.DELETE(new Request(`${BASE}/api/collections/${job.id}`, { method: 'DELETE', headers: as('bob') }), ctx(job.id));
    expect(bobCancel.status).toBe(404);
    const bobStream = await events.GET(new Request(`${BASE}/api/collections/${job.id}/events`, { headers: as('bob') }), ctx(job.id));
    expect(bobStream.status).toBe(404);
    expect((await stream(job.id, 'admin')).at(-1)?.type).toBe('end');
    expect((await read('admin')).status).toBe(200);
    const cancel = await collection.DELETE(new Request(`${BASE}/api/collections/${job.id}`, { method: 'DELETE', headers: as('admin') }), ctx(job.id));
    expect(cancel.status).toBe(202);
  });

  it("lists each collector's own jobs, newest first, and every job to an admin", async () => {
    const started = async (who: keyof typeof TOKENS) => ((await (await start(who, { source: 'sample' })).json()) as { job: JobStatus }).job.id;
    const first = await started('alice');
    const second = await started('alice');
    const bobs = await started('bob');
    const list = async (who: keyof typeof TOKENS) => {
      const response = await collections.GET(new Request(`${BASE}/api/collections`, { headers: as(who) }));
      return { status: response.status, ids: response.ok ? ((await response.json()) as { jobs: (JobStatus & { url: string })[] }).jobs.map((j) => j.id) : [] };
    };
    const alice = await list('alice');
    expect(alice.ids).not.toContain(bobs);
    expect(alice.ids.indexOf(second)).toBeLessThan(alice.ids.indexOf(first));
    expect(alice.ids.indexOf(second)).toBeGreaterThanOrEqual(0);
    expect((await list('bob')).ids).toEqual([bobs]);
    expect((await list('admin')).ids).toEqual(expect.arrayContaining([first, second, bobs]));
    expect((await list('viewer')).status).toBe(403);
  });
});
