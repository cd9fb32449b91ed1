import { describe, expect, it } from 'vitest';
import { batchArgv, batchSlot, splitBatch } from '@/lib/capture/collect/batch';
import type { RunResult } from '@/lib/capture/collect/runner';

function result(stdout: string, stderr: string, exitCode: number | null, status: RunResult['status'] = exitCode === 0 ? 'ok' : 'error'): RunResult {
  return { stdout, stderr, exitCode, status, durationMs: 30 };
}

describe('iproute2 batches', () => {
  it('groups commands by tool and global options, and keeps words the batch reader would split differently out', () => {
    expect(batchSlot(['ip', '-j', '-d', '-s', '-s', 'link', 'show'])).toEqual({ key: 'ip -j -d -s -s', line: 'link show' });
    expect(batchSlot(['tc', '-j', 'filter', 'show', 'dev', 'eth0', 'ingress'])).toEqual({ key: 'tc -j', line: 'filter show dev eth0 ingress' });
    expect(batchSlot(['tc', '-j', 'filter', 'show', 'dev', 'a#b', 'ingress'])).toBeNull();
    expect(batchSlot(['tc', '-j', 'filter', 'show', 'dev', `it's`, 'ingress'])).toBeNull();
    expect(batchSlot(['iptables-save', '-t', 'raw'])).toBeNull();
    expect(batchArgv('ip -j -s', 'pod a')).toEqual(['ip', '-n', 'pod a', '-j', '-s', '-force', '-batch', '-']);
    expect(batchArgv('bridge -j', null)).toEqual(['bridge', '-j', '-force', '-batch', '-']);
  });

  // The output of `tc -n NS -j -force -batch -` for qdisc show, two filter shows and one on a device that is gone.
  it('gives each line its output, and a failed line its own messages and status', () => {
    const stdout = '[{"kind":"clsact","handle":"ffff:","dev":"v0","parent":"ffff:fff1","options":{}}]\n[]\n[]\n';
    const parts = splitBatch(4, result(stdout, 'Cannot find device "nope"\nCommand failed -:3\n', 1));
    expect(parts?.map((p) => [p.status, p.exitCode, p.stdout, p.stderr])).toEqual([
      ['ok', 0, '[{"kind":"clsact","handle":"ffff:","dev":"v0","parent":"ffff:fff1","options":{}}]\n', ''],
      ['ok', 0, '[]\n', ''],
      ['error', 1, '', 'Cannot find device "nope"\n'],
      ['ok', 0, '[]\n', ''],
    ]);
  });

  it('refuses to split an output that does not add up, so the commands run one by one', () => {
    // `-n` naming a namespace that cannot be entered: one message, no line named.
    expect(splitBatch(3, result('', 'Cannot open network namespace "x": Invalid argument\n', 255))).toBeNull();
    expect(splitBatch(2, result('[]\n', '', 0))).toBeNull();
    expect(splitBatch(2, result('[]\n[]\n', 'Command failed -:7\n', 1))).toBeNull();
    expect(splitBatch(2, result('[]\n[]\n', '', null, 'timeout'))).toBeNull();
  });
});
