import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner, localScratchRoot } from '@/lib/capture/collect/runner';

const SCRIPT_FILE = path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh');

/**
 * Where the collector script makes its scratch directory, seen from inside a run: a stand-in `date` (which the
 * script asks for its header's date once its directory exists) reads the path of the lock the script holds open on
 * fd 8. The run goes in
 * a mount namespace of its own where /dev/shm is what `shm` mounts: the machine's own is never touched.
 */
function scratchOf(shm: string, env: NodeJS.ProcessEnv): { place: string; output: string } {
  const dir = mkdtempSync(path.join(work, 'run-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const seen = path.join(dir, 'seen');
  writeFileSync(path.join(bin, 'date'), `#!/bin/sh\nreadlink /proc/$$/fd/8 >'${seen}'\necho 2001-02-03T04:05:06Z\n`, { mode: 0o755 });
  const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${shm}\nexec sh "$0" --no-netns`, SCRIPT_FILE], {
    encoding: 'utf8',
    env: { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return { place: path.dirname(path.dirname(readFileSync(seen, 'utf8').trim())), output: run.stdout };
}

let work: string;
const withoutTmpdir: NodeJS.ProcessEnv = { ...process.env };
delete withoutTmpdir.TMPDIR;

describe("where the collector's scratch files go", () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tscol-place-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('goes in memory when /dev/shm is a tmpfs with room, and the run is whole', () => {
    const { place, output } = scratchOf('mount -t tmpfs -o size=1g tunnelscope-test /dev/shm', withoutTmpdir);
    expect(place).toBe('/dev/shm');
    expect(output).toMatch(/^#tunnelscope-collect format=1 host=\S+ role=\S+ date=2001-02-03T04:05:06Z /);
    expect(output).toMatch(/ end id=ip-link ns=- exit=0 status=ok /);
  });

  it('stays on /tmp when /dev/shm is small (a container’s), not a tmpfs, or read-only', () => {
    expect(scratchOf('mount -t tmpfs -o size=64m tunnelscope-test /dev/shm', withoutTmpdir).place).toBe('/tmp');
    const disk = mkdtempSync(path.join(work, 'disk-'));
    expect(scratchOf(`mount --bind '${disk}' /dev/shm`, withoutTmpdir).place).toBe('/tmp');
    expect(scratchOf('mount -t tmpfs -o size=1g,ro tunnelscope-test /dev/shm', withoutTmpdir).place).toBe('/tmp');
  });

  it('goes where $TMPDIR or --tmpdir says', () => {
    const chosen = mkdtempSync(path.join(work, 'chosen-'));
    expect(scratchOf('mount -t tmpfs -o size=1g tunnelscope-test /dev/shm', { ...withoutTmpdir, TMPDIR: chosen }).place).toBe(chosen);
  });

  it('is chosen by the same rule for a local runner', () => {
    const before = process.env.TMPDIR;
    try {
      process.env.TMPDIR = work;
      expect(new LocalRunner().scratchRoot).toBe(work);
      delete process.env.TMPDIR;
      // What stat(1) says of this machine's /dev/shm: type, free blocks and their size.
      const stat = spawnSync('stat', ['-f', '-c', '%T %a %S', '/dev/shm'], { encoding: 'utf8' });
      const [type, free, size] = stat.stdout.trim().split(' ');
      const roomy = stat.status === 0 && type === 'tmpfs' && Number(free) * Number(size) >= 256 * 1024 * 1024;
      expect(localScratchRoot()).toBe(roomy ? '/dev/shm' : os.tmpdir());
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });
});
