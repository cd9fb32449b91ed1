import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { COLLECTOR_SCRIPT } from '../helpers/collect-script';
import { until } from '../helpers/until';

const SCRIPT_FILE = path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh');

/** Whether `pid` still runs (a zombie no longer does). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A directory with a stand-in `date` that ignores SIGTERM and hangs, after writing its pid and the scratch
 * directories it finds under `root`. The script asks for the date of its header once its scratch directory exists,
 * outside any watched command, so a stop reaches its SIGTERM trap only once that ends: past the grace, only SIGKILL
 * ends the run.
 */
function hangingDate(dir: string, root: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const seen = path.join(dir, 'seen');
  writeFileSync(
    path.join(bin, 'date'),
    `#!/bin/sh\ntrap '' TERM\nls -d '${root}'/tunnelscope-run-*/tunnelscope-collect.* '${root}'/tunnelscope-collect.* >'${seen}.tmp' 2>/dev/null\necho $$ >>'${seen}.tmp' && mv '${seen}.tmp' '${seen}'\nexec sleep 120\n`,
    { mode: 0o755 },
  );
  return bin;
}

/** Whether a process of the session `sid` leads still runs. */
function sessionRuns(sid: number): boolean {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[3]) === sid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    });
}

/** What the stand-in saw: the scratch directories, and its own pid (the sleep's). */
function seen(dir: string): { dirs: string[]; pid: number } {
  const lines = readFileSync(path.join(dir, 'seen'), 'utf8').trim().split('\n');
  return { dirs: lines.slice(0, -1), pid: Number(lines.at(-1)) };
}

describe("the collector's scratch directory", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'tscol-scratch-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is gone after a run the local runner had to kill outright', async () => {
    const dir = mkdtempSync(path.join(scratch, 'killed-'));
    const root = path.join(dir, 'tmp');
    mkdirSync(root);
    const bin = hangingDate(dir, root);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = root;
    try {
      const runner = new PrefixRunner(['env', `PATH=${bin}:${process.env.PATH ?? ''}`], new LocalRunner());
      const control = new AbortController();
      const collecting = collectWithScript(runner, COLLECTOR_SCRIPT, { name: 'h', scriptArgs: ['--no-netns'], signal: control.signal });
      await until(() => existsSync(path.join(dir, 'seen')));
      const during = seen(dir);
      expect(during.dirs).toHaveLength(1);
      expect(during.dirs[0].startsWith(`${root}/tunnelscope-run-`)).toBe(true);
      control.abort();
      const host = await collecting;
      expect([host.status, host.error]).toEqual(['failed', 'cancelled']);
      // SIGKILL it was: the stand-in ignored SIGTERM, and its shell could not run its trap before it ended.
      expect(running(during.pid)).toBe(false);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });

  it("is removed, with all its run left running, when only the script's own shell is killed", async () => {
    const root = mkdtempSync(path.join(scratch, 'orphaned-'));
    const dir = mkdtempSync(path.join(scratch, 'orphaned-tool-'));
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // A tool that hangs in a namespace's job, well within the time limit: only the script's end can stop it.
    writeFileSync(path.join(bin, 'conntrack'), `#!/bin/sh\necho $$ >'${dir}/pid.tmp' && mv '${dir}/pid.tmp' '${dir}/pid'\nexec sleep 120\n`, { mode: 0o755 });
    const child = spawn('sh', [SCRIPT_FILE, '--no-netns', '--timeout', '60', '--tmpdir', root], { detached: true, stdio: 'ignore', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    const sid = child.pid ?? 0;
    await until(() => existsSync(path.join(dir, 'pid')));
    expect(readdirSync(root)).toHaveLength(1);
    expect(sessionRuns(sid)).toBe(true);
    process.kill(sid, 'SIGKILL');
    await until(() => !sessionRuns(sid));
    expect(running(Number(readFileSync(path.join(dir, 'pid'), 'utf8')))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('says where it could not be made, and collects nothing', () => {
    const nowhere = path.join(scratch, 'no-such-dir');
    const run = spawnSync('sh', [SCRIPT_FILE, '--no-netns', '--tmpdir', nowhere], { encoding: 'utf8' });
    expect([run.status, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toContain(`tunnelscope-collect: cannot make a scratch directory in ${nowhere} (see --tmpdir)`);
  });

  it('is removed by a later run once its run is dead, and kept while its run lives; nothing else is', async () => {
    const root = mkdtempSync(path.join(scratch, 'root-'));
    const start = (name: string): { dir: string; child: ChildProcess; ended: Promise<unknown> } => {
      const dir = path.join(scratch, `${path.basename(root)}-${name}`);
      mkdirSync(dir);
      const bin = hangingDate(dir, root);
      const child = spawn('sh', [SCRIPT_FILE, '--no-netns', '--tmpdir', root], { detached: true, stdio: 'ignore', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      return { dir, child, ended: new Promise((resolve) => child.once('exit', resolve)) };
    };

    const dead = start('dead');
    await until(() => existsSync(path.join(dead.dir, 'seen')));
    const deadRun = seen(dead.dir);
    expect(deadRun.dirs).toHaveLength(1);
    process.kill(-(dead.child.pid ?? 0), 'SIGKILL');
    await dead.ended;
    await until(() => !running(deadRun.pid));
    expect(existsSync(deadRun.dirs[0])).toBe(true);

    const live = start('live');
    await until(() => existsSync(path.join(live.dir, 'seen')));
    const liveDir = seen(live.dir).dirs.find((d) => d !== deadRun.dirs[0]);
    expect(liveDir).toBeDefined();

    // Look-alikes with a free lock: another name, a directory still starting (no mark yet), a symlink, another owner.
    const unlocked = (at: string): void => {
      mkdirSync(at);
      writeFileSync(path.join(at, 'lock'), '');
      writeFileSync(path.join(at, 'locked'), '');
    };
    unlocked(path.join(root, 'other.x'));
    mkdirSync(path.join(root, 'tunnelscope-collect.starting'));
    writeFileSync(path.join(root, 'tunnelscope-collect.starting', 'lock'), '');
    const target = path.join(scratch, `${path.basename(root)}-target`);
    unlocked(target);
    symlinkSync(target, path.join(root, 'tunnelscope-collect.link'));
    const theirs = path.join(root, 'tunnelscope-collect.theirs');
    unlocked(theirs);
    chownSync(theirs, 65534, 65534);

    const next = spawn('sh', [SCRIPT_FILE, '--no-netns', '--tmpdir', root], { stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';
    next.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const code = await new Promise((resolve) => next.once('exit', resolve));
    expect(code).toBe(0);
    expect(printed).toMatch(/^#tunnelscope-collect format=1 /);

    const left = readdirSync(root).sort();
    expect(left).toEqual(['other.x', path.basename(liveDir ?? ''), 'tunnelscope-collect.link', 'tunnelscope-collect.starting', 'tunnelscope-collect.theirs'].sort());
    expect(existsSync(path.join(target, 'locked'))).toBe(true);

    // Stopped the ordinary way, the live run removes its own.
    process.kill(-(live.child.pid ?? 0), 'SIGTERM');
    process.kill(seen(live.dir).pid, 'SIGKILL');
    await live.ended;
    await until(() => !existsSync(liveDir ?? ''));
  });
});
