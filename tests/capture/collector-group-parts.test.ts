/**
 * A namespace's group commands write their output into shared files, each part after a mark line, and the records
 * are cut back out of them. Outputs that end without a newline, lines that end in x or look like a mark, stderr
 * without a newline and a failing exit must come out of a group exactly as they come out of a command run on its
 * own (--no-batch), and no part may spill into the next command's record. Root namespace only, read only, with
 * stand-ins on PATH for bpftool and iptables-save.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import type { CommandRecord } from '@/lib/capture/types';

const SCRIPT = path.join(import.meta.dirname, '..', '..', 'public', 'tunnelscope-collect.sh');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-group-parts-'));
const STAND_INS: Record<string, string> = {
  // stdout and stderr without a final newline, a line that is only x, one that ends in x and one shaped like a mark.
  bpftool: `#!/bin/sh\nprintf 'x\\nends in x\\n#ts:000000000000 g 3\\nlast' ; printf 'warn one\\nwarn two' >&2; exit 3\n`,
  // Each table its own text, so that a part read into the wrong record shows.
  'iptables-save': `#!/bin/sh\nprintf '*%s\\nCOMMIT\\nx\\n' "$2"\n`,
};
for (const [tool, text] of Object.entries(STAND_INS)) fs.writeFileSync(path.join(scratch, tool), text, { mode: 0o755 });
const realIp = spawnSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).stdout.trim();
/**
 * ips whose `netconf` the ip batch cannot hold, so that the group reads the sysctl listing itself: one without the
 * object (old or trimmed), one that takes -j but prints its text form (iproute2 before netconf's JSON).
 */
const NETCONF_ANSWERS = {
  unknown: `echo 'Object "netconf" is unknown, try "ip help".' >&2; exit 255`,
  text: `echo 'ipv4 all forwarding off rp_filter off mc_forwarding 0'; exit 0`,
};
const withoutJsonNetconf = Object.entries(NETCONF_ANSWERS).map(([name, answer]) => {
  const dir = path.join(scratch, `netconf-${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'ip'), `#!/bin/sh\ncase " $* " in *" netconf "*) ${answer} ;; esac\nexec ${realIp} "$@"\n`, { mode: 0o755 });
  return dir;
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function collect(options: string[] = [], first = scratch): Map<string, CommandRecord> {
  const run = spawnSync('sh', [SCRIPT, '--no-netns', ...options], { env: { ...process.env, PATH: `${first}:${scratch}:${process.env.PATH ?? ''}` }, encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const { hosts, problems } = parseCollectorOutput(run.stdout);
  expect(problems).toEqual([]);
  return new Map((hosts[0]?.namespaces[0]?.commands ?? []).map((c) => [c.id, c]));
}

function comparable(record: CommandRecord | undefined) {
  if (record === undefined) return undefined;
  const { durationMs: _ms, ...rest } = record;
  return rest;
}

describe("the collector script's group of commands", () => {
  it('records each command as it records it run on its own, its part only', () => {
    const [grouped, textNetconf] = withoutJsonNetconf.map((dir) => collect([], dir));
    const single = collect(['--no-batch']);
    // Without netconf in the ip batch, the group reads the sysctl listing's files with one grep.
    for (const records of [grouped, textNetconf]) {
      expect(records.has('ip-netconf')).toBe(false);
      expect(records.get('sysctl')?.stdout).toMatch(/^net\.ipv4\.conf\.all\.rp_filter = \d\n/m);
    }
    expect(grouped.get('bpftool-net')).toMatchObject({ stdout: 'x\nends in x\n#ts:000000000000 g 3\nlast', stderr: 'warn one\nwarn two', exitCode: 3, status: 'error' });
    expect(grouped.get('iptables-raw')?.stdout).toBe('*raw\nCOMMIT\nx\n');
    expect(grouped.get('iptables-filter')?.stdout).toBe('*filter\nCOMMIT\nx\n');
    for (const id of ['bpftool-net', 'iptables-raw', 'iptables-filter', 'sysctl']) expect(comparable(grouped.get(id)), id).toEqual(comparable(single.get(id)));
    // Where the ip batch reads netconf, the sysctl listing is not run.
    const batched = collect();
    expect(batched.get('ip-netconf')?.status).toBe('ok');
    expect(batched.has('sysctl')).toBe(false);
  });

  it('gives each command of a namespace its shell cannot enter the reason once', () => {
    // A private mount namespace whose /run holds a namespace name that is no namespace: listed, never entered.
    const enter = 'mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/netns && : >/run/netns/bogus && exec sh "$1" --netns bogus';
    const run = spawnSync('unshare', ['-m', 'sh', '-c', enter, 'sh', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const { hosts, problems } = parseCollectorOutput(run.stdout);
    expect(problems).toEqual([]);
    const commands = hosts[0]?.namespaces.find((n) => n.netns === 'bogus')?.commands ?? [];
    expect(commands.map((c) => c.id)).toEqual(expect.arrayContaining(['ip-link', 'ip-netconf', 'tc-qdisc', 'iptables-tables', 'bpftool-net']));
    for (const c of commands) {
      expect(c.status, c.id).toBe('error');
      expect(c.stderr, c.id).toMatch(/^nsenter: [^\n]+\n$/);
    }
  });
});
