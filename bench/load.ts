/**
 * Load: an incident link opened by 200 and then 500 people at once. autocannon drives `tunnelscope serve` (the page,
 * the API view and the embed of the lab's incident snapshot, and of a 500-host snapshot's overview) and, in the same
 * run, a plain Node server that sends the same bytes with the same headers (a page's with the nonce of one answer), so the figures are read against what
 * sending those bytes costs on this machine. BENCH_LOAD_SECONDS (default 10) per URL and client count,
 * BENCH_LOAD_CLIENTS (default 200,500), BENCH_LOAD_ROWS (words, comma separated: only the rows whose label holds one, e.g.
 * `page`). Clients ask for compressed answers, as browsers do. The server runs with its
 * per-client read and creation limits off (TUNNELSCOPE_READ_RATE_PER_MINUTE=0, TUNNELSCOPE_RATE_LIMIT_PER_MINUTE=0):
 * every client here is this one process. Each row runs against Tunnelscope as it starts (the front thread
 * answering kept answers), against a second server on the same store with the front in Next.js's thread
 * (TUNNELSCOPE_FRONT_THREAD=0), and against the static server, one after the other.
 *
 * Then creation under load: 200 viewers on the incident page, alone and while 20 uploads and collections run at
 * once; every creation must be stored whole, and the viewers' p99 is printed for both, next to the static server's
 * (BENCH_SKIP_CREATION=1 skips it; BENCH_LOAD_ONLY=creation runs it without the rows before). With it, where the CPU went
 * while the creations ran: the server's threads (its main thread, the rest at its priority, those it lowered), the
 * processes it started, and this process (the viewers' load tool and the creating client).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { createAtOnce, SCHED_IDLE, statFields, storedWhole, threadsOf, type ThreadState } from '@/tests/e2e/creation-load';
import { ensureBuild, freePort } from '@/tests/e2e/server';
import { syntheticBundle } from './synthetic';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CLIENTS = (process.env.BENCH_LOAD_CLIENTS ?? '200,500').split(',').map(Number);
/** BENCH_LOAD_ROUNDS (default 1): the rows again, each round printed, then each row's median ratio. */
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 1);
const ROW_WORDS = (process.env.BENCH_LOAD_ROWS ?? '').split(',').filter(Boolean);
const HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited during start-up`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

interface Captured {
  path: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Written by Node's HTTP server itself on every response, by the static server as by Tunnelscope. */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** The exact answer Tunnelscope gives a browser for `path` (body bytes as base64, as sent on the wire). */
async function capture(base: string, urlPath: string): Promise<Captured> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${base}${urlPath}`, { headers: HEADERS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // Every header Tunnelscope sent but those Node writes per response, so that both servers send as many bytes.
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string' && !PER_RESPONSE.has(name)) headers[name] = value;
        }
        resolve({ path: urlPath, status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('base64') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain Node HTTP server in its own process sending each captured answer as it is (with serve's backlog). */
const STATIC_SERVER = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const answers = new Map(JSON.parse(readFileSync(process.argv[1], 'utf8')).map((a) => [a.path, { ...a, bytes: Buffer.from(a.body, 'base64') }]));
createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const a = answers.get(req.url);
  if (!a) { res.statusCode = 404; return res.end(); }
  res.writeHead(a.status, { ...a.headers, 'content-length': a.bytes.length });
  res.end(a.bytes);
}).listen({ port: Number(process.argv[2]), host: '127.0.0.1', backlog: 4096 });
`;

/** The Node flags on the command's first line, which a shell gives it and `node bin/tunnelscope.mjs` would not. */
function commandFlags(cli: string): string[] {
  const [shebang] = readFileSync(cli, 'utf8').split('\n', 1);
  return shebang.startsWith('#!') ? shebang.split(/\s+/).filter((word) => word.startsWith('--')) : [];
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time a process has used (all its threads, user and system), in ms; Linux's /proc. */
function cpuMs(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

interface Measured {
  result: Result;
  /** CPU time of the server per answered request, in µs. */
  cpuUs: number;
}

/** `run`, with the server's CPU time per request. */
async function measured(url: string, connections: number, server: ChildProcess): Promise<Measured> {
  const before = cpuMs(server.pid);
  const result = await run(url, connections);
  return { result, cpuUs: ((cpuMs(server.pid) - before) * 1000) / Math.max(1, result.requests.total) };
}

interface Row {
  label: string;
  bytes: number;
  clients: number;
  /** Tunnelscope as it starts (the front thread answering kept answers). */
  ts: Result;
  /** Tunnelscope with the front in Next.js's thread (TUNNELSCOPE_FRONT_THREAD=0), for comparison. */
  inThread: Result;
  plain: Result;
  /** CPU µs per request of each. */
  cpu: { ts: number; inThread: number; plain: number };
}

function run(url: string, connections: number): Promise<Result> {
  // A request unanswered after 10 s (or the whole run, if shorter) counts as a timeout.
  return autocannon({ url, connections, duration: SECONDS, timeout: Math.min(10, SECONDS), headers: HEADERS });
}

/** Viewers on `url` for as long as `during` runs (at least a second, so that there are figures). */
async function runDuring<T>(url: string, connections: number, during: Promise<T>): Promise<[Result, T]> {
  let stop: () => void = () => {};
  const viewers = new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: 600, timeout: 10, headers: HEADERS }, (error, result) => (error ? reject(error) : resolve(result)));
    stop = () => instance.stop();
  });
  const [outcome] = await Promise.all([during, new Promise((r) => setTimeout(r, 1000))]);
  stop();
  return [await viewers, outcome];
}

/** The server's threads and the CPU time of the processes it has reaped (ms). */
function threadsCpu(pid: number): { threads: ThreadState[]; reapedMs: number } {
  const own = statFields(`/proc/${pid}/stat`);
  return { threads: threadsOf(pid), reapedMs: ((Number(own[13]) + Number(own[14])) * 1000) / CLOCK_TICKS };
}

/** CPU used between two readings: the server's main thread, its other threads at its priority (the busiest named), those it lowered, its reaped processes. */
function cpuSplit(pid: number, before: ReturnType<typeof threadsCpu>, after: ReturnType<typeof threadsCpu>): string {
  const then = new Map(before.threads.map((t) => [t.tid, t.cpuMs]));
  const used = after.threads.map((t) => ({ ...t, cpuMs: t.cpuMs - (then.get(t.tid) ?? 0) }));
  const sum = (list: ThreadState[]) => list.reduce((total, t) => total + t.cpuMs, 0).toFixed(0);
  const lowered = (t: ThreadState) => t.nice > 0 || t.policy === SCHED_IDLE;
  const main = used.filter((t) => t.tid === pid);
  const others = used.filter((t) => t.tid !== pid && !lowered(t)).sort((a, b) => b.cpuMs - a.cpuMs);
  const below = used.filter(lowered);
  const busiest = others
    .slice(0, 3)
    .map((t) => `${t.cpuMs.toFixed(0)}`)
    .join(', ');
  return (
    `main thread ${sum(main)} ms; other threads at its priority ${sum(others)} ms (busiest ${busiest}); ` +
    `threads it lowered ${sum(below)} ms (${below.length} threads now, ${below.filter((t) => t.policy === SCHED_IDLE).length} under SCHED_IDLE); processes it started ${(after.reapedMs - before.reapedMs).toFixed(0)} ms`
  );
}

function ms(usage: NodeJS.CpuUsage): string {
  return ((usage.user + usage.system) / 1000).toFixed(0);
}

/** 20 creations at once while 200 viewers load the incident page; before and during, next to the static server. */
async function creationUnderLoad(url: string, staticUrl: string, page: string, server: ChildProcess): Promise<void> {
  const clients = 200;
  const pid = server.pid as number;
  const quietCpu = { server: threadsCpu(pid), self: process.cpuUsage() };
  const quiet = await run(`${url}${page}`, clients);
  const quietSplit = `${cpuSplit(pid, quietCpu.server, threadsCpu(pid))}; this process ${ms(process.cpuUsage(quietCpu.self))} ms`;
  const started = performance.now();
  const busyCpu = { server: threadsCpu(pid), self: process.cpuUsage() };
  const [busy, creations] = await runDuring(`${url}${page}`, clients, createAtOnce(url, 20));
  const busySplit = `${cpuSplit(pid, busyCpu.server, threadsCpu(pid))}; this process (load tool and creating client) ${ms(process.cpuUsage(busyCpu.self))} ms`;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const plain = await run(`${staticUrl}${page}`, clients);
  const problems = await storedWhole(url, creations);
  console.log(`creation under load: 20 uploads and collections at once (${seconds} s), ${clients} viewers on the incident page`);
  console.log(`  | viewers | req/s | p50 | p99 | errors (timeouts) | p99 ratio to static |`);
  console.log(`  |---|---|---|---|---|---|`);
  for (const [label, r] of [
    ['static server', plain],
    ['before', quiet],
    ['during the creations', busy],
  ] as const) {
    console.log(`  | ${label} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${failures(r)} | ${(r.latency.p99 / Math.max(1, plain.latency.p99)).toFixed(2)}× |`);
  }
  console.log(`  CPU before, server: ${quietSplit}`);
  console.log(`  CPU during the creations, server: ${busySplit}`);
  console.log(`  stored whole and listed: ${creations.length - problems.length}/${creations.length}${problems.length ? ` — ${problems.join('; ')}` : ''}`);
  if (problems.length > 0) throw new Error(`creations under load were lost or half-written: ${problems.join('; ')}`);
}

function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KB`;
}

/** Errors and non-2xx answers (of which timeouts). */
function failures(r: Result): string {
  return `${r.errors + r.non2xx} (${r.timeouts})`;
}

/** Errors and non-2xx answers other than timeouts, then timeouts. */
function errorsAndTimeouts(r: Result): string {
  return `${r.errors + r.non2xx - r.timeouts} | ${r.timeouts}`;
}

function ratio(r: Result, plain: Result): number | undefined {
  return plain.latency.p99 > 0 ? r.latency.p99 / plain.latency.p99 : undefined;
}

function shown(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

function print(rows: Row[]): void {
  console.log(
    `  | URL | bytes sent | clients | Tunnelscope req/s | p50 | p99 | p99 ratio to static | errors | timeouts | front in Next.js's thread: req/s | p99 | ratio | errors | timeouts | static req/s | static p50 | static p99 | static errors | static timeouts | CPU µs/request: Tunnelscope, in Next.js's thread, static |`,
  );
  console.log(`  |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(
      `  | ${r.label} | ${kb(r.bytes)} | ${r.clients} | ${r.ts.requests.average.toFixed(0)} | ${r.ts.latency.p50} ms | ${r.ts.latency.p99} ms | ${shown(ratio(r.ts, r.plain))} | ${errorsAndTimeouts(r.ts)} | ` +
        `${r.inThread.requests.average.toFixed(0)} | ${r.inThread.latency.p99} ms | ${shown(ratio(r.inThread, r.plain))} | ${errorsAndTimeouts(r.inThread)} | ` +
        `${r.plain.requests.average.toFixed(0)} | ${r.plain.latency.p50} ms | ${r.plain.latency.p99} ms | ${errorsAndTimeouts(r.plain)} | ` +
        `${r.cpu.ts.toFixed(0)}, ${r.cpu.inThread.toFixed(0)}, ${r.cpu.plain.toFixed(0)} |`,
    );
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Per row over the rounds: the median p99 ratio of each server to static, and the rounds within 2×. */
function printMedians(rounds: Row[][]): void {
  console.log(`load, medians over ${rounds.length} rounds (p99 ratio to the static server of the same round)`);
  console.log(
    `  | URL | clients | Tunnelscope ratio | rounds within 2× | front in Next.js's thread ratio | rounds within 2× | errors + timeouts (all rounds) | CPU µs/request: Tunnelscope, in Next.js's thread, static |`,
  );
  console.log(`  |---|---|---|---|---|---|---|---|`);
  for (const [i, first] of rounds[0].entries()) {
    const rows = rounds.map((round) => round[i]);
    const ts = rows.map((r) => ratio(r.ts, r.plain) ?? Infinity);
    const inThread = rows.map((r) => ratio(r.inThread, r.plain) ?? Infinity);
    const failed = rows.reduce((sum, r) => sum + r.ts.errors + r.ts.non2xx, 0);
    const within = (values: number[]) => `${values.filter((v) => v <= 2).length}/${values.length}`;
    const cpu = (pick: (r: Row) => number) => median(rows.map(pick)).toFixed(0);
    console.log(
      `  | ${first.label} | ${first.clients} | ${median(ts).toFixed(2)}× | ${within(ts)} | ${median(inThread).toFixed(2)}× | ${within(inThread)} | ${failed} | ` +
        `${cpu((r) => r.cpu.ts)}, ${cpu((r) => r.cpu.inThread)}, ${cpu((r) => r.cpu.plain)} |`,
    );
  }
}

export async function loadBench(): Promise<void> {
  const cli = path.join('bin', 'tunnelscope.mjs');
  await ensureBuild();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-load-'));
  const children: ChildProcess[] = [];
  try {
    process.env.TUNNELSCOPE_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    const base = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
    if (!base.ok) throw new Error(base.error);
    const [{ createStore }, { createSnapshot }] = await Promise.all([import('@/lib/store'), import('@/lib/serve/snapshots')]);
    const store = await createStore({ kind: 'sqlite', file: path.join(dataDir, 'tunnelscope.db') });
    const incident = await createSnapshot(store, { bundle: base.bundle, title: 'load: the lab incident' });
    const big = await createSnapshot(store, { bundle: syntheticBundle(base.bundle, 500, 4), title: 'load: 500 hosts' });
    await store.close();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Creations and hundreds of viewers come from one client (this one): the per-client limits are lifted for the bench.
    const serve = (listenPort: number, frontThread: string): ChildProcess =>
      spawn(process.execPath, [...commandFlags(cli), cli, 'serve', '-p', String(listenPort), '--host', '127.0.0.1'], {
        env: {
          ...process.env,
          TUNNELSCOPE_DATA_DIR: dataDir,
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: 'production',
          TUNNELSCOPE_RATE_LIMIT_PER_MINUTE: '0',
          TUNNELSCOPE_READ_RATE_PER_MINUTE: '0',
          TUNNELSCOPE_FRONT_THREAD: frontThread,
        },
        stdio: 'ignore',
      });
    const server = serve(port, '1');
    children.push(server);
    await waitFor(`${url}/api/healthz`, server);
    // The same store, served with the front in Next.js's thread: before and after in the same run.
    const inThreadPort = await freePort();
    const inThreadUrl = `http://127.0.0.1:${inThreadPort}`;
    const inThreadServer = serve(inThreadPort, '0');
    children.push(inThreadServer);
    await waitFor(`${inThreadUrl}/api/healthz`, inThreadServer);

    const targets: [string, string][] = [
      ['incident page /s/<id>', `/s/${incident.id}`],
      ['incident API view', `/api/snapshots/${incident.id}`],
      ['incident embed', `/embed/${incident.id}`],
      ['500 hosts page /s/<id>', `/s/${big.id}`],
      ['500 hosts API overview', `/api/snapshots/${big.id}?level=overview`],
      ['500 hosts embed', `/embed/${big.id}`],
    ];
    // The first request renders (and goes out uncompressed, as the front keeps it); the static server sends what
    // everyone after gets, the kept answer compressed as the client asked.
    await Promise.all(targets.flatMap(([, p]) => [capture(url, p), capture(inThreadUrl, p)]));
    const captured = await Promise.all(targets.map(([, p]) => capture(url, p)));
    for (const c of captured) if (c.status !== 200) throw new Error(`${c.path} answered ${c.status}`);
    const answersFile = path.join(dataDir, 'answers.json');
    writeFileSync(answersFile, JSON.stringify(captured));
    const staticPort = await freePort();
    const staticUrl = `http://127.0.0.1:${staticPort}`;
    const plain = spawn(process.execPath, ['--input-type=module', '-e', STATIC_SERVER, answersFile, String(staticPort)], { stdio: 'ignore' });
    children.push(plain);
    await waitFor(`${staticUrl}/healthz`, plain);

    console.log(
      `load (autocannon, ${SECONDS} s per row, loopback; static = a plain Node server sending the same bytes; per-client read and creation limits off; load average ${loadavg()[0].toFixed(1)} at the start)`,
    );
    // autocannon's code, and each server's path for a kept answer, are compiled while they run: a first short run
    // against each server, so that the first row does not pay for it alone.
    for (const warmed of [staticUrl, url, inThreadUrl]) await autocannon({ url: `${warmed}${targets[0][1]}`, connections: 50, duration: 2, headers: HEADERS });
    const rounds: Row[][] = [];
    const onlyCreation = process.env.BENCH_LOAD_ONLY === 'creation';
    for (let round = 1; round <= (onlyCreation ? 0 : ROUNDS); round += 1) {
      const rows: Row[] = [];
      for (const clients of CLIENTS) {
        for (const [i, [label, p]] of targets.entries()) {
          if (ROW_WORDS.length > 0 && !ROW_WORDS.some((word) => label.includes(word))) continue;
          const ts = await measured(`${url}${p}`, clients, server);
          const inThread = await measured(`${inThreadUrl}${p}`, clients, inThreadServer);
          const st = await measured(`${staticUrl}${p}`, clients, plain);
          const cpu = { ts: ts.cpuUs, inThread: inThread.cpuUs, plain: st.cpuUs };
          rows.push({ label, bytes: Buffer.from(captured[i]?.body ?? '', 'base64').length, clients, ts: ts.result, inThread: inThread.result, plain: st.result, cpu });
        }
      }
      if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
      print(rows);
      console.log(`  load average ${loadavg()[0].toFixed(1)} at the end of the rows`);
      rounds.push(rows);
    }
    if (rounds.length > 1) printMedians(rounds);
    if (process.env.BENCH_SKIP_CREATION === '1') console.log('creation under load: skipped (BENCH_SKIP_CREATION=1)');
    else await creationUnderLoad(url, staticUrl, targets[0][1], server);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
