/**
 * Uploads are imported and analysed on an analysis thread within a time and a memory budget (issue 21): past
 * either, that one upload fails with a message naming the budget, and the thread that serves requests stays free.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnalysisError, AnalysisPool, analysisBudget } from '@/lib/analysis-thread';
import { backgroundPriority } from '@/lib/capture/background';
import type { AnalysisAnswer } from '@/lib/analysis-job';
import { closeStore } from '@/lib/store';
import { unpackJson } from '@/lib/store/codec';
import type { Topology } from '@/lib/topology/types';
import { postRaw, useDatabase, type ErrorBody } from './api';

const MANGLED =
  'root@node-a:~# ip -j addr\n' +
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"addr_info":[ "family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},' +
  '{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"mtu":1400,"address":"02:fc:00:00:00:01","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24}]}]\n';

/** A transcript of `hosts` hosts, each with a handful of devices: real work for the analysis, in proportion. */
function manyHosts(hosts: number): string {
  const parts: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const links = Array.from(
      { length: 6 },
      (_, d) =>
        `{"ifindex":${d + 1},"ifname":"eth${d}","flags":["UP","LOWER_UP"],"mtu":1500,"address":"02:00:00:${(i >> 8) & 255}:${i & 255}:${d}","addr_info":[{"family":"inet","local":"10.${(i >> 8) & 255}.${i & 255}.${d + 1}","prefixlen":24}]}`,
    );
    parts.push(`root@host-${i}:~# ip -j addr\n[${links.join(',')}]\n`);
  }
  return parts.join('');
}

function upload(text: string): { kind: 'upload'; bytes: Uint8Array; contentType: string; url: string } {
  return { kind: 'upload', bytes: new TextEncoder().encode(text), contentType: 'text/plain', url: 'http://tunnelscope.test/api/snapshots?name=paste.txt' };
}

/** How late a 10 ms timer fires, at worst, while `work` runs: the serving thread's responsiveness. */
async function worstTimerLag<T>(work: Promise<T>): Promise<{ value: T | AnalysisError; lagMs: number }> {
  let done = false;
  let worst = 0;
  const watching = (async () => {
    while (!done) {
      const start = performance.now();
      await new Promise((r) => setTimeout(r, 10));
      worst = Math.max(worst, performance.now() - start - 10);
    }
  })();
  const value = await work.catch((error: unknown) => (error instanceof AnalysisError ? error : Promise.reject(error)));
  done = true;
  await watching;
  return { value, lagMs: worst };
}

describe('the analysis thread', () => {
  const pools: AnalysisPool[] = [];
  const pool = (budget: Partial<ReturnType<typeof analysisBudget>>): AnalysisPool => {
    const made = new AnalysisPool({ ...analysisBudget({}), ...budget });
    pools.push(made);
    return made;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('prepares a snapshot of the mangled paste of issue 21, with the damage reported on its line', async () => {
    const answer = (await pool({}).run(upload(MANGLED), 'the upload')) as Extract<AnalysisAnswer, { kind: 'prepared' }>;
    expect(answer.kind).toBe('prepared');
    expect(answer.prepared.meta.hosts).toEqual(['node-a']);
    const topology = (await unpackJson(answer.prepared.blobs.topology, answer.prepared.encoding)) as Topology;
    const host = topology.hosts.find((h) => h.name === 'node-a');
    expect(host?.problems).toContainEqual(expect.objectContaining({ command: 'ip -j addr', line: 1, message: expect.stringContaining('unreadable JSON') }));
    expect(host?.namespaces[0].interfaces.map((i) => i.name)).toContain('eth0');
  });

  it('stops an analysis past its time budget with a message naming it, while this thread stays responsive', async () => {
    const { value, lagMs } = await worstTimerLag(pool({ timeoutMs: 300 }).run(upload(manyHosts(3000)), 'the upload'));
    expect(value).toBeInstanceOf(AnalysisError);
    expect(value).toMatchObject({ status: 422, code: 'analysis_too_costly', details: { budget: 'time' } });
    expect((value as AnalysisError).message).toMatch(/^Analysis of the upload took longer than 0\.3 s \(the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS\)/);
    // The analysis held a core for its whole budget; the timers of this thread never waited behind it.
    expect(lagMs).toBeLessThan(250);
  });

  it('stops an analysis past its memory budget with a message naming it', async () => {
    const { value } = await worstTimerLag(pool({ memoryMb: 32, timeoutMs: 120_000 }).run(upload(manyHosts(4500)), 'the upload'));
    expect(value).toBeInstanceOf(AnalysisError);
    expect(value).toMatchObject({ status: 422, code: 'analysis_too_costly', details: { budget: 'memory' } });
    expect((value as AnalysisError).message).toContain('needed more than 32 MiB of memory (the budget, TUNNELSCOPE_ANALYSIS_MEMORY_MB)');
  });

  it('goes on with the next job on a new thread after one was stopped, and refuses work past its queue with 503', async () => {
    const small = pool({ timeoutMs: 300, threads: 1, queue: 2 });
    const stopped = small.run(upload(manyHosts(3000)), 'the upload');
    const next = small.run(upload(MANGLED), 'the upload');
    await expect(small.run(upload(MANGLED), 'the upload')).rejects.toMatchObject({ status: 503 });
    await expect(stopped).rejects.toMatchObject({ code: 'analysis_too_costly' });
    await expect(next).resolves.toMatchObject({ kind: 'prepared' });
  });

  it('refuses past its queue with a Retry-After and a message saying nothing was kept', async () => {
    const small = pool({ threads: 1, queue: 1 });
    const waiting = small.run(upload(MANGLED), 'the upload');
    const refused = await small.run(upload(MANGLED), 'the upload').catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 503, code: 'unavailable', message: expect.stringMatching(/nothing of this request was kept\. Try again in \d+ s\.$/) });
    expect((refused as AnalysisError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await expect(waiting).resolves.toMatchObject({ kind: 'prepared' });
  });

  it.runIf(process.platform === 'linux')('runs analyses at the lowest CPU priority, under SCHED_IDLE when asked, while this thread and the main thread keep theirs', async () => {
    /** nice and scheduling policy (fields 19 and 41 of stat; 5 is SCHED_IDLE) of one thread of this process. */
    const priorityOf = (task: string | number) => {
      const stat = fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { nice: Number(fields[16]), policy: Number(fields[38]) };
    };
    const ownTask = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0];
    const before = { own: priorityOf(ownTask), main: priorityOf(process.pid) };
    const lowered = pool({ threads: 1, priority: backgroundPriority({ TUNNELSCOPE_BACKGROUND_IDLE: '1' }) });
    await lowered.run(upload(MANGLED), 'the upload');
    const tasks = fs.readdirSync('/proc/self/task').map((task) => ({ task, ...priorityOf(task) }));
    expect(tasks.filter((t) => t.nice === 19 && t.policy === 5).length).toBeGreaterThanOrEqual(1);
    expect(priorityOf(ownTask)).toEqual(before.own);
    expect(priorityOf(process.pid)).toEqual(before.main);
  });

  it.runIf(process.platform === 'linux')('leaves the analysis at the server’s priority when background work is not lowered', async () => {
    const niceOf = (task: string) => {
      const stat = fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const tasksBefore = new Set(fs.readdirSync('/proc/self/task'));
    const level = pool({ threads: 1, priority: backgroundPriority({ TUNNELSCOPE_BACKGROUND_NICE: '0', TUNNELSCOPE_BACKGROUND_IDLE: '0' }) });
    await level.run(upload(MANGLED), 'the upload');
    const started = fs.readdirSync('/proc/self/task').filter((t) => !tasksBefore.has(t));
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.map(niceOf)).toEqual(started.map(() => niceOf(fs.readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0])));
  });

  it.runIf(process.platform === 'linux')('analyses all the same when SCHED_IDLE is refused, and says so once', async () => {
    // No chrt to be found: the thread cannot change its policy.
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-no-chrt-'));
    const path0 = process.env.PATH;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      process.env.PATH = emptyDir;
      const refused = pool({ threads: 2, priority: backgroundPriority({ TUNNELSCOPE_BACKGROUND_IDLE: '1' }) });
      const answers = await Promise.all([refused.run(upload(MANGLED), 'the upload'), refused.run(upload(MANGLED), 'the upload')]);
      expect(answers.map((a) => a.kind)).toEqual(['prepared', 'prepared']);
      const said = warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('SCHED_IDLE'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/an analysis thread could not be lowered/);
    } finally {
      process.env.PATH = path0;
      warn.mockRestore();
      fs.rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('answers a bad upload with the importer’s own 4xx, from the thread', async () => {
    await expect(pool({}).run(upload('nothing here\n'), 'the upload')).rejects.toMatchObject({ status: 400, code: 'nothing_recognised' });
  });
});

describe('POST /api/snapshots through the analysis thread', () => {
  let dir = '';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-analysis-'));
    await useDatabase({ kind: 'sqlite', file: path.join(dir, 'tunnelscope.db') });
  });
  afterAll(async () => {
    await closeStore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the mangled paste of issue 21 and names its damage', async () => {
    const response = await postRaw(MANGLED, { 'content-type': 'text/plain' }, '?name=mangled.txt');
    expect(response.status).toBe(201);
    const body = (await response.json()) as { snapshot: { hosts: string[] } };
    expect(body.snapshot.hosts).toEqual(['node-a']);
  });

  it('collects from a source on this thread and analyses what it collected on the analysis thread', async () => {
    const response = await postRaw(JSON.stringify({ source: 'sample', title: 'from the sample' }), { 'content-type': 'application/json' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { snapshot: { title: string; hosts: string[]; source: { kind: string } } };
    expect(body.snapshot.title).toBe('from the sample');
    expect(body.snapshot.hosts.length).toBeGreaterThan(1);
  });

  it('refuses what the importer refuses, with its own status and message', async () => {
    const response = await postRaw('{"bundle": 1}', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_bundle');
  });
});
