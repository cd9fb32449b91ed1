/**
 * Snapshot creation under load (issue 20): 20 uploads and collections at once while viewers keep loading an
 * incident link through `tunnelscope serve`. Every creation is stored whole and listed, no viewer request fails,
 * and the viewers' p99 before and during is printed (the timing target itself is the bench's, run on a quiet
 * machine: `npm run bench`). The work of the creations runs below the threads that serve: the analysis threads
 * at nice 19 under SCHED_IDLE, a collection's processes at nice 19, while the main thread and the thread that
 * answered the viewers keep their priority.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentBundle } from '../helpers/incident-sample';
import { until } from '../helpers/until';
import { createSnapshot } from './browser';
import { createAtOnce, SCHED_IDLE, statFields, storedWhole, threadsOf, type ThreadState } from './creation-load';
import { startApp, type RunningApp } from './server';

const VIEWERS = 20;
const CREATIONS = 20;

let app: RunningApp;
let link = '';

beforeAll(async () => {
  app = await startApp({ env: { TUNNELSCOPE_RATE_LIMIT_PER_MINUTE: '0', TUNNELSCOPE_BACKGROUND_IDLE: '1' } });
  link = `${app.url}/s/${(await createSnapshot(app.url, incidentBundle(), 'read while others create')).id}`;
}, 600_000);

afterAll(async () => {
  await app?.stop();
});

interface Viewing {
  latencies: number[];
  failures: string[];
}

/** VIEWERS clients loading the link one request after another until `done` says stop. */
async function view(done: () => boolean): Promise<Viewing> {
  const seen: Viewing = { latencies: [], failures: [] };
  await Promise.all(
    Array.from({ length: VIEWERS }, async () => {
      while (!done()) {
        const start = performance.now();
        try {
          const response = await fetch(link, { headers: { 'accept-encoding': 'gzip' } });
          await response.arrayBuffer();
          if (response.status === 200) seen.latencies.push(performance.now() - start);
          else seen.failures.push(`status ${response.status}`);
        } catch (error) {
          seen.failures.push(String(error));
        }
      }
    }),
  );
  return seen;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
}

/** The priority of a thread: its nice and its scheduling policy. */
function priority(thread: ThreadState | undefined): { nice: number; policy: number } | undefined {
  return thread && { nice: thread.nice, policy: thread.policy };
}

/** Of the server's threads, the one that used the most CPU since `before`: while viewers load, the one serving them. */
function busiestSince(pid: number, before: ThreadState[]): ThreadState {
  const then = new Map(before.map((t) => [t.tid, t.cpuMs]));
  return threadsOf(pid).sort((a, b) => b.cpuMs - (then.get(b.tid) ?? 0) - (a.cpuMs - (then.get(a.tid) ?? 0)))[0];
}

/** A process the server started in a session of its own (a collection's), with its nice and its autogroup's. */
function collectionChild(serverPid: number): { nice: number; autogroup: string | undefined } | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(`/proc/${entry}/stat`);
      // After the command name: state, ppid, pgrp, session.
      if (Number(fields[1]) !== serverPid || Number(fields[3]) !== Number(entry)) continue;
      let autogroup: string | undefined;
      try {
        autogroup = readFileSync(`/proc/${entry}/autogroup`, 'utf8').trim();
      } catch {
        // A kernel without autogroup.
      }
      return { nice: Number(fields[16]), autogroup };
    } catch {
      // Ended while /proc was read.
    }
  }
  return undefined;
}

const onLinux = process.platform === 'linux' && !process.env.TUNNELSCOPE_E2E_URL;

describe('snapshot creation while viewers load a link', () => {
  it('stores all 20 whole and lists them, and no viewer request fails', async () => {
    let requests = 0;
    const pid = app.pid ?? 0;
    const atStart = onLinux ? threadsOf(pid) : [];
    const quiet = await view(() => requests++ >= 400);
    const serving = onLinux ? busiestSince(pid, atStart) : undefined;
    let finished = false;
    const [creations, busy] = await Promise.all([createAtOnce(app.url, CREATIONS).finally(() => (finished = true)), view(() => finished)]);
    expect(creations.map((c) => c.status)).toEqual(Array.from({ length: CREATIONS }, () => 201));
    expect(new Set(creations.map((c) => c.id)).size).toBe(CREATIONS);
    expect(await storedWhole(app.url, creations)).toEqual([]);
    expect([...quiet.failures, ...busy.failures]).toEqual([]);
    expect(busy.latencies.length).toBeGreaterThan(0);
    if (onLinux) {
      const threads = threadsOf(pid);
      const main = threads.find((t) => t.tid === pid);
      expect(priority(main)).toEqual(priority(atStart.find((t) => t.tid === pid)));
      expect(serving?.tid).not.toBe(pid);
      expect(priority(threads.find((t) => t.tid === serving?.tid))).toEqual(priority(atStart.find((t) => t.tid === serving?.tid)));
      expect(threads.filter((t) => t.nice === 19 && t.policy === SCHED_IDLE && t.tid !== serving?.tid && t.tid !== pid).length).toBeGreaterThanOrEqual(1);
    }
    console.log(
      `viewers (${VIEWERS} clients): p99 ${p99(quiet.latencies).toFixed(0)} ms over ${quiet.latencies.length} requests before, ` +
        `${p99(busy.latencies).toFixed(0)} ms over ${busy.latencies.length} during ${CREATIONS} creations (machine shared; the target is the bench's)`,
    );
  }, 300_000);

  it.runIf(onLinux)(
    'runs the processes of a collection on this machine at nice 19, with their autogroup',
    async () => {
      const pid = app.pid ?? 0;
      let answered = false;
      const creation = fetch(`${app.url}/api/snapshots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'local', title: 'collected below the readers' }),
      }).finally(() => (answered = true));
      let child: ReturnType<typeof collectionChild>;
      // The server lowers the process right after starting it, before the script gets its input (nothing of the
      // collection runs before): a look in between sees it unlowered, so this waits for the lowered state or the end.
      await until(() => (child = collectionChild(pid))?.nice === 19 || answered, 120_000);
      const response = await creation;
      expect(response.status).toBe(201);
      expect(child?.nice).toBe(19);
      if (child?.autogroup !== undefined) expect(child.autogroup).toMatch(/ nice 19$/);
    },
    180_000,
  );
});
