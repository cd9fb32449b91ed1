/**
 * The collector script's one watchdog per host ends a command that runs past --timeout: the command becomes a timeout
 * record and the rest of the host is still read. Here in the root namespace (read only), with stand-ins that hang:
 * a `bpftool`, which runs in the namespace's group shell (or on its own with --no-batch), and a `bridge`, whose
 * batch is ended and whose command then runs, and is ended, on its own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';

const SCRIPT = path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-watchdog-'));
for (const tool of ['bpftool', 'bridge']) fs.writeFileSync(path.join(scratch, tool), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function collect(...options: string[]) {
  const started = Date.now();
  const run = spawnSync('sh', [SCRIPT, '--no-netns', '--timeout', '1', ...options], { env: { ...process.env, PATH: `${scratch}:${process.env.PATH ?? ''}` }, encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const { hosts, problems } = parseCollectorOutput(run.stdout);
  expect(problems).toEqual([]);
  const commands = hosts[0]?.namespaces[0]?.commands ?? [];
  return { seconds: (Date.now() - started) / 1000, record: (id: string) => commands.find((c) => c.id === id) };
}

describe('the collector script with a command that hangs', () => {
  it.each([['batched'], ['--no-batch']])('records it as timeout and reads the rest (%s)', (mode) => {
    const { seconds, record } = collect(...(mode === 'batched' ? [] : [mode]));
    expect(record('bpftool-net')).toMatchObject({ status: 'timeout', stdout: '' });
    expect(record('bridge-fdb')).toMatchObject({ status: 'timeout' });
    expect(record('ip-link')?.status).toBe('ok');
    expect(record('ip-addr')?.stdout).toContain('"ifname":"lo"');
    expect(record('hostname')?.status).toBe('ok');
    // Far below the stand-ins' 60 s: each was ended near its 1 s limit.
    expect(seconds).toBeLessThan(20);
  });
});
