/**
 * The dashboard runs each heap's garbage collection on that heap's own thread (--single-threaded-gc): V8's helper
 * threads are shared by the whole process and run at the server's priority, so without it most of a lowered analysis
 * thread's collection work would run level with the threads serving readers (issue 20, creation under load).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..', '..');
const FLAG = '--single-threaded-gc';

/** The node options of the command's shebang, as `env -S` splits them. */
function shebangFlags(): string[] {
  const [shebang] = readFileSync(path.join(ROOT, 'bin', 'tunnelscope.mjs'), 'utf8').split('\n', 1);
  return shebang.split(/\s+/).filter((word) => word.startsWith('--'));
}

/**
 * A worker thread makes garbage (objects kept a while, then dropped) in a node started with `flags`; the CPU time
 * (ms, in ticks of 10) that thread used, and that the process's other threads but the main one used meanwhile.
 */
const PROBE = `
const { Worker } = require('node:worker_threads');
const fs = require('node:fs');
const cpu = () => Object.fromEntries(fs.readdirSync('/proc/self/task').map((t) => {
  const s = fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return [t, (Number(f[11]) + Number(f[12])) * 10];
}));
const before = cpu();
const worker = new Worker(\`
  const { parentPort } = require('node:worker_threads');
  const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
  let keep = [];
  for (let i = 0; i < 4e6; i++) { const o = { i, s: 'x' + i, a: [i, i + 1] }; if (i % 4 === 0) keep.push(o); if (keep.length > 4e5) keep = []; }
  parentPort.postMessage(tid);
\`, { eval: true });
worker.once('message', (tid) => {
  const after = cpu();
  let helpers = 0;
  let own = 0;
  for (const [t, ms] of Object.entries(after)) {
    const used = ms - (before[t] ?? 0);
    if (t === tid) own += used;
    else if (t !== String(process.pid)) helpers += used;
  }
  console.log(JSON.stringify({ own, helpers }));
  void worker.terminate();
});`;

function probe(flags: readonly string[]): { own: number; helpers: number } {
  const run = spawnSync(process.execPath, [...flags, '-e', PROBE], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { own: number; helpers: number };
}

describe('garbage collection of the dashboard’s threads', () => {
  it('is set for every way the dashboard starts: the command, npm start and npm run demo', () => {
    expect(shebangFlags()).toContain(FLAG);
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start.split(' ')).toContain(FLAG);
    expect(readFileSync(path.join(ROOT, 'scripts', 'demo.mjs'), 'utf8')).toMatch(/run\(process\.execPath, \['--single-threaded-gc', 'bin\/tunnelscope\.mjs', 'demo'/);
  });

  it.runIf(process.platform === 'linux')('runs on the thread that made the garbage, not on the shared helper threads', () => {
    // Without the flag (the control), V8 does much of a worker's collection on its helper threads.
    const shared = probe(shebangFlags().filter((flag) => flag !== FLAG));
    expect(shared.helpers).toBeGreaterThanOrEqual(50);
    const own = probe(shebangFlags());
    expect(own.helpers).toBeLessThanOrEqual(20);
    expect(own.own).toBeGreaterThan(0);
  });
});
