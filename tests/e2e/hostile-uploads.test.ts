/**
 * No upload holds the dashboard hostage (issue 21). The built server (`next start`) is sent the mangled paste of
 * the issue and a few pathological uploads while a client keeps loading an incident link: the link stays within
 * its normal latency (measured in the same run), each upload ends with a clear answer in bounded time, and the
 * server stops on SIGTERM while an analysis runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentBundle } from '../helpers/incident-sample';
import { createSnapshot } from './browser';
import { startApp, type RunningApp } from './server';

/** The analysis budget of this server: small, so that the test sees it spent. */
const TIMEOUT_MS = 3000;
const MAX_UPLOAD = 20 * 1024 * 1024;

let app: RunningApp;
let link = '';

beforeAll(async () => {
  app = await startApp({ env: { TUNNELSCOPE_ANALYSIS_TIMEOUT_MS: String(TIMEOUT_MS), TUNNELSCOPE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
  const meta = await createSnapshot(app.url, incidentBundle(), 'incident');
  link = `${app.url}/s/${meta.id}`;
}, 600_000);

afterAll(async () => {
  await app?.stop();
});

async function timedGet(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  return performance.now() - start;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Answer {
  status: number;
  code?: string;
  message?: string;
  ms: number;
}

async function post(body: string | Uint8Array<ArrayBuffer>, contentType = 'text/plain'): Promise<Answer> {
  const start = performance.now();
  const response = await fetch(`${app.url}/api/snapshots?name=paste.txt`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  return { status: response.status, code: json.error?.code, message: json.error?.message, ms: performance.now() - start };
}

const MANGLED =
  'root@node-a:~# ip -j addr\n' +
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"addr_info":[ "family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},' +
  '{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"mtu":1400,"address":"02:fc:00:00:00:01","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24}]}]\n';

/** Hosts with a few devices each: work in proportion to their number, past the budget for thousands. */
function manyHosts(hosts: number, devices: number): string {
  const parts: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const links = Array.from(
      { length: devices },
      (_, d) => `{"ifindex":${d + 1},"ifname":"eth${d}","flags":["UP"],"mtu":1500,"addr_info":[{"family":"inet","local":"10.${(i >> 8) & 255}.${i & 255}.${d + 1}","prefixlen":24}]}`,
    );
    parts.push(`root@h${i}:~# ip -j addr\n[${links.join(',')}]\n`);
  }
  return parts.join('');
}

const UPLOADS: [string, () => string | Uint8Array<ArrayBuffer>][] = [
  ['the mangled ip -j addr of the issue', () => MANGLED],
  ['JSON nested a million deep', () => `root@node-a:~# ip -j addr\n${'['.repeat(1_000_000)}\n`],
  ['the largest accepted upload, one line', () => `root@node-a:~# ip -j addr\n[{"ifname":"${'x'.repeat(MAX_UPLOAD - 100)}"}]\n`],
  ['a 64 MiB single line', () => new Uint8Array(64 * 1024 * 1024).fill(0x5b)],
  ['100,000 tiny hosts', () => manyHosts(100_000, 0)],
  ['4,000 hosts of 8 devices', () => manyHosts(4000, 8)],
];

describe('pathological uploads while an incident link is being loaded', () => {
  it('each upload ends with a clear answer in bounded time, and the link keeps its normal latency', async () => {
    // The link's normal latency, measured here, before any upload.
    for (let i = 0; i < 5; i++) await timedGet(link);
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) baseline.push(await timedGet(link));

    let uploading = true;
    const during: number[] = [];
    const viewer = (async () => {
      while (uploading) during.push(await timedGet(link));
    })();

    const answers: [string, Answer][] = [];
    try {
      for (const [name, make] of UPLOADS) answers.push([name, await post(make())]);
    } finally {
      uploading = false;
      await viewer;
    }

    for (const [name, answer] of answers) {
      // Success where the input is legitimately fine, otherwise a 4xx/5xx that says what went wrong.
      expect([201, 400, 413, 422, 503], name).toContain(answer.status);
      if (answer.status !== 201) expect(answer.message?.length ?? 0, name).toBeGreaterThan(20);
      // Bounded: the budget, plus reading, importing and storing a 20 MiB body on a loaded 2-core machine.
      expect(answer.ms, name).toBeLessThan(TIMEOUT_MS + 60_000);
    }
    const byName = new Map(answers);
    expect(byName.get('the mangled ip -j addr of the issue')?.status).toBe(201);
    expect(byName.get('a 64 MiB single line')).toMatchObject({ status: 413, code: 'payload_too_large' });
    const big = byName.get('4,000 hosts of 8 devices');
    if (big?.status === 422) expect(big.message).toContain(`took longer than ${TIMEOUT_MS / 1000} s (the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS)`);

    // The link was served throughout, within a generous multiple of its own normal latency.
    expect(during.length).toBeGreaterThan(answers.length);
    const normal = quantile(baseline, 0.9);
    expect(quantile(during, 0.9), `p90 ${quantile(during, 0.9).toFixed(0)} ms against ${normal.toFixed(0)} ms before`).toBeLessThan(Math.max(10 * normal, normal + 1500));
    console.log(
      `incident link p90: ${normal.toFixed(0)} ms before, ${quantile(during, 0.9).toFixed(0)} ms during ${during.length} loads; uploads: ${answers
        .map(([name, a]) => `${name} → ${a.status} in ${(a.ms / 1000).toFixed(1)} s`)
        .join('; ')}`,
    );
  }, 600_000);

  it('the server stops on SIGTERM while an analysis is running', async () => {
    // An upload whose analysis runs for its whole budget; stopping is asked for once the server says it is analysing.
    const body = manyHosts(4500, 8);
    const upload = post(body).catch(() => undefined);
    await expect.poll(async () => ((await (await fetch(`${app.url}/api/healthz`)).json()) as { analyses: { running: number } }).analyses.running, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
    const start = performance.now();
    await app.stop();
    expect(performance.now() - start).toBeLessThan(15_000);
    await upload;
  }, 120_000);
});
