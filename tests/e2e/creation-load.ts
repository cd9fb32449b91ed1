/**
 * Snapshots made while people read: `count` creations at once, half uploads of the lab's incident bundle and half
 * collections from the bundled sample source, then a check that each was stored whole (listed, and its view,
 * report and page readable). Shared by tests/e2e/creation-load.test.ts and the load bench.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { CaptureBundle } from '@/lib/capture/types';
import { LAB_SAMPLE } from './server';

export interface Creation {
  status: number;
  id?: string;
  title: string;
}

/** Runs the creations at once; each answer's status and the id it names. */
export async function createAtOnce(base: string, count: number, headers: Record<string, string> = {}): Promise<Creation[]> {
  // Read by URL, not through tests/helpers (which uses __dirname): the bench loads this file as an ES module.
  const bundle = JSON.parse(readFileSync(LAB_SAMPLE, 'utf8')) as CaptureBundle;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const title = `made under load ${i}`;
      const body = i % 2 === 0 ? { bundle, title } : { source: 'sample', title };
      const response = await fetch(`${base}/api/snapshots`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json().catch(() => ({}))) as { snapshot?: { id: string } };
      return { status: response.status, id: answer.snapshot?.id, title };
    }),
  );
}

/** What is wrong with the stored creations: each must be listed under its title and readable in full. */
export async function storedWhole(base: string, creations: Creation[], headers: Record<string, string> = {}): Promise<string[]> {
  const problems: string[] = [];
  const listed = (await (await fetch(`${base}/api/snapshots?limit=200`, { headers })).json()) as { items: { id: string; title: string }[] };
  for (const creation of creations) {
    if (creation.status !== 201 || !creation.id) {
      problems.push(`${creation.title}: answered ${creation.status}`);
      continue;
    }
    if (!listed.items.some((item) => item.id === creation.id && item.title === creation.title)) problems.push(`${creation.title}: not listed`);
    for (const suffix of ['', '/report.md']) {
      const response = await fetch(`${base}/api/snapshots/${creation.id}${suffix}`, { headers });
      const text = await response.text();
      if (response.status !== 200 || text.length === 0) problems.push(`${creation.title}: ${suffix || 'view'} answered ${response.status}`);
      else if (suffix === '' && !(JSON.parse(text) as { findings?: unknown[] }).findings?.length) problems.push(`${creation.title}: view without findings`);
    }
    const page = await fetch(`${base}/s/${creation.id}`, { headers });
    await page.arrayBuffer();
    if (page.status !== 200) problems.push(`${creation.title}: page answered ${page.status}`);
  }
  return problems;
}

/** The scheduling policy Linux numbers 5: a thread that runs only on CPU time nothing else wants. */
export const SCHED_IDLE = 5;

export interface ThreadState {
  tid: number;
  nice: number;
  /** The scheduling policy: 0 the usual one, or SCHED_IDLE. */
  policy: number;
  cpuMs: number;
}

/** Linux counts CPU time in /proc in ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The fields of a /proc stat file after the command name, which is in parentheses and may hold spaces. */
export function statFields(file: string): string[] {
  const stat = readFileSync(file, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Each thread of process `pid` as Linux schedules it; a thread that ends while they are read is left out. */
export function threadsOf(pid: number): ThreadState[] {
  const threads: ThreadState[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
      threads.push({ tid: Number(tid), nice: Number(fields[16]), policy: Number(fields[38]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND });
    } catch {
      // Ended meanwhile.
    }
  }
  return threads;
}
