/**
 * Fix commands are pasted into root shells. Each quoted word is read back by a real POSIX shell (dash as /bin/sh)
 * in a scratch directory, so a quoting mistake shows up as a different word or as a file the payload created.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inNetns, iptablesDelete, note, part, sh, shellQuote, sysctlName } from '@/lib/diagnose/fix';
import { runRecorded as runInScratch } from '../helpers/hostile-checks';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'h20-fix-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Runs `line` with recorders as the only commands on PATH; returns the argv of each command it ran. */
function runRecorded(line: string): string[][] {
  return runInScratch(line, scratch);
}

function createdFiles(): string[] {
  return fs.readdirSync(scratch).filter((f) => f !== 'bin' && f !== 'argv.log');
}

const HOSTILE = [
  'ts$(touch${IFS}PWNED1)x',
  'e`id`',
  "it's",
  '"; touch PWNED2; "',
  '<script>alert(1)</script>',
  'a b\tc',
  'line\nbreak; touch PWNED3',
  '\u001b[31mred\u001b[0m',
  'nbsp\u00a0c1\u0085',
  'ünïcødé-🔥',
  '*',
  '~root',
  '{a,b}',
  '!!',
  '#not-a-comment',
  '$HOME',
  'a\\b',
  '',
  '-x',
];

describe('shellQuote', () => {
  it('leaves plain names, addresses and MACs as they are, so that fixes stay readable', () => {
    for (const w of ['eth0', 'vxlan_sys_4789', 'br-ex', '10.0.0.1/24', 'fe80::1', '0a:58:0a:84:02:2e', 'net.ipv4.conf.all.rp_filter=2', 'k8s-node@x']) {
      expect(shellQuote(w)).toBe(w);
    }
  });

  it('quotes every other word so that /bin/sh reads it back as exactly one word and runs nothing', () => {
    for (const word of HOSTILE) {
      const [argv, ...more] = runRecorded(`ip link set ${shellQuote(word)} up`);
      expect(more).toEqual([]);
      expect(argv).toEqual(['ip', 'link', 'set', word, 'up']);
    }
    expect(createdFiles()).toEqual([]);
  });

  it('never lets a raw control character reach the terminal', () => {
    const quoted = shellQuote('\u001b]0;title\u0007x\u009b');
    // eslint-disable-next-line no-control-regex
    expect(quoted).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('sh, part and note', () => {
  it('quotes each interpolated value, keeps numbers and parts, and leaves optional parts out', () => {
    const dev = 'e`id`';
    const gw: string | undefined = undefined;
    const metric = 100 as number;
    const line = sh`ip route replace ${'10.0.0.0/8'}${gw ? part` via ${gw}` : null} dev ${dev}${metric > 0 && part` metric ${metric}`}${false}`;
    expect(line).toBe("ip route replace 10.0.0.0/8 dev 'e`id`' metric 100");
    expect(runRecorded(line)).toEqual([['ip', 'route', 'replace', '10.0.0.0/8', 'dev', dev, 'metric', '100']]);
  });

  it('takes an array as several words, each quoted', () => {
    expect(sh`tc filter add ${['dev', 'a b', 'ingress']}`).toBe("tc filter add dev 'a b' ingress");
  });

  it('prefixes ip netns exec with the namespace quoted, and nothing in the root namespace', () => {
    const ns = 'ts$(touch${IFS}PWNED1)x';
    const line = inNetns(ns, sh`ip link set ${'e`id`'} up`);
    expect(line).toBe("ip netns exec 'ts$(touch${IFS}PWNED1)x' ip link set 'e`id`' up");
    expect(runRecorded(line)).toEqual([['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'e`id`', 'up']]);
    expect(inNetns(null, sh`ip link set eth0 up`)).toBe('ip link set eth0 up');
    expect(createdFiles()).toEqual([]);
  });

  it('keeps a comment on one line whatever the names hold, so a line break cannot start a command', () => {
    const line = note`restart flannel on ${'node\ntouch PWNED4'}`;
    expect(line.startsWith('# ')).toBe(true);
    expect(line).not.toMatch(/[\r\n]/);
    expect(runRecorded(line)).toEqual([]);
    expect(createdFiles()).toEqual([]);
  });
});

describe('iptablesDelete', () => {
  it('turns an iptables-save rule into its delete command, word by word', () => {
    const line = iptablesDelete('raw', '-A PREROUTING -s 10.0.0.1/32 -m comment --comment "peerpod [vni:5]" -j NOTRACK');
    expect(line).toBe("iptables -t raw -D PREROUTING -s 10.0.0.1/32 -m comment --comment 'peerpod [vni:5]' -j NOTRACK");
    expect(runRecorded(line)).toEqual([['iptables', '-t', 'raw', '-D', 'PREROUTING', '-s', '10.0.0.1/32', '-m', 'comment', '--comment', 'peerpod [vni:5]', '-j', 'NOTRACK']]);
  });

  it('leaves a rule that a shell would not read as plain words to a person, as a comment', () => {
    for (const rule of ['-A INPUT -j DROP; touch PWNED5', '-A INPUT -m comment --comment "$(touch PWNED6)" -j DROP', '-A INPUT `touch PWNED7`', '-I INPUT -j DROP']) {
      const line = iptablesDelete('filter', rule);
      expect(line.startsWith('# delete this filter rule by hand')).toBe(true);
      expect(runRecorded(line)).toEqual([]);
    }
    expect(createdFiles()).toEqual([]);
  });
});

describe('sysctlName', () => {
  it('writes a dot in a device name as a slash, as sysctl expects', () => {
    expect(sysctlName('eth0.100')).toBe('eth0/100');
    expect(sysctlName('eth0')).toBe('eth0');
  });
});
