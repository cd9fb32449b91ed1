/**
 * Snapshot creation under load (issue 20): 20 uploads and collections at once while viewers keep loading an
 * incident link through `tunnelscope serve`. Every creation is stored whole and listed, no viewer request fails,
 * and the viewers' p99 before and during is printed (the timing target itself is the bench's, run on a quiet
 * machine: `npm run bench`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentBundle } from '../helpers/incident-sample';
import { createSnapshot } from './browser';
import { createAtOnce, storedWhole } from './creation-load';
import { startApp, type RunningApp } from './server';

const VIEWERS = 20;
const CREATIONS = 20;

let app: RunningApp;
let link = '';

beforeAll(async () => {
  app = await startApp({ env: { TUNNELSCOPE_RATE_LIMIT_PER_MINUTE: '0' } });
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

describe('snapshot creation while viewers load a link', () => {
  it('stores all 20 whole and lists them, and no viewer request fails', async () => {
    let requests = 0;
    const quiet = await view(() => requests++ >= 400);
    let finished = false;
    const [creations, busy] = await Promise.all([createAtOnce(app.url, CREATIONS).finally(() => (finished = true)), view(() => finished)]);
    expect(creations.map((c) => c.status)).toEqual(Array.from({ length: CREATIONS }, () => 201));
    expect(new Set(creations.map((c) => c.id)).size).toBe(CREATIONS);
    expect(await storedWhole(app.url, creations)).toEqual([]);
    expect([...quiet.failures, ...busy.failures]).toEqual([]);
    expect(busy.latencies.length).toBeGreaterThan(0);
    console.log(
      `viewers (${VIEWERS} clients): p99 ${p99(quiet.latencies).toFixed(0)} ms over ${quiet.latencies.length} requests before, ` +
        `${p99(busy.latencies).toFixed(0)} ms over ${busy.latencies.length} during ${CREATIONS} creations (machine shared; the target is the bench's)`,
    );
  }, 300_000);
});
