/**
 * Names with spaces, quotes and shell payloads between public/tunnelscope-collect.sh and its reader: the script run
 * with stand-ins for the network tools (each prints nothing and fails; `ip netns list` lists hostile names) enters
 * each namespace under its whole name, and the reader takes a host name back whole, whatever it holds.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import type { HostCapture } from '@/lib/capture/types';
import { collectorOutput } from '../cluster/collector-text';

const SCRIPT = path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh');
/** A namespace name is a file name: anything but a slash. */
const NAMES = [`it's "q" <script>alert(1)<script> ünï`, '`touch PWNED2`;|&<img src=x onerror=alert(1)>', 'ts$(touch${IFS}PWNED1)x'];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-names-'));

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the collector script', () => {
  it('enters every namespace `ip netns list` names under its whole name, with or without an id', () => {
    const bin = path.join(scratch, 'bin');
    fs.mkdirSync(bin);
    const listing = NAMES.map((n, i) => (i % 2 === 0 ? `${n} (id: ${i})` : n)).join('\n');
    fs.writeFileSync(path.join(scratch, 'netns'), `${listing}\n`);
    const ip = `#!/bin/sh\nif [ "$1 $2" = "netns list" ]; then cat '${path.join(scratch, 'netns')}'; exit 0; fi\nexit 1\n`;
    fs.writeFileSync(path.join(bin, 'ip'), ip, { mode: 0o755 });
    for (const tool of ['tc', 'bridge', 'ovs-vsctl', 'ovn-nbctl', 'iptables-save', 'sysctl', 'bpftool', 'conntrack', 'nsenter']) {
      fs.writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    }
    const run = spawnSync('sh', [SCRIPT, '--role', 'worker'], { cwd: scratch, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: scratch, NODE_ENV: 'test' }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const { hosts } = parseCollectorOutput(run.stdout);
    expect(hosts[0]?.namespaces.map((n) => n.netns)).toEqual([null, ...NAMES]);
    expect(fs.readdirSync(scratch).filter((f) => f.startsWith('PW'))).toEqual([]);
  });
});

describe('the collector output reader', () => {
  it('reads a host name with spaces, quotes, `=` and payloads whole, and the header fields after it as they are', () => {
    const host: HostCapture = {
      name: `vm'$(touch PW) role=podvm <img src=x onerror=alert(2)> boundary=0 🔥`,
      role: 'worker',
      collectedAt: '2026-01-01T00:00:00.000Z',
      status: 'complete',
      namespaces: [],
    };
    const read = parseCollectorOutput(collectorOutput(host, '5eed')).hosts[0];
    expect([read?.name, read?.role]).toEqual([host.name, 'worker']);
  });
});
