import { describe, expect, it } from 'vitest';
import { filterHooks, wantsFilterJob } from '@/lib/commands/tc-hooks';
import type { CommandRecord } from '@/lib/capture/types';

// `tc -j qdisc show` in a peer-pod namespace (lab, iproute2 6.1): legacy ingress qdiscs on eth0 and vxlan1.
const PEER_POD_QDISCS =
  '[{"kind":"noqueue","handle":"0:","dev":"lo","root":true,"refcnt":2,"options":{}},' +
  '{"kind":"noqueue","handle":"0:","dev":"eth0","root":true,"refcnt":2,"options":{}},' +
  '{"kind":"ingress","handle":"ffff:","dev":"eth0","parent":"ffff:fff1","options":{}},' +
  '{"kind":"clsact","handle":"ffff:","dev":"lxc1","parent":"ffff:fff1","options":{}},' +
  '{"kind":"ingress","handle":"ffff:","dev":"vxlan1","parent":"ffff:fff1","options":{}}]\n';

function qdiscRecord(stdout: string, status: CommandRecord['status'] = 'ok'): CommandRecord {
  return { id: 'tc-qdisc', argv: ['tc', '-j', 'qdisc', 'show'], stdout, stderr: '', exitCode: status === 'ok' ? 0 : 1, durationMs: 1, status, format: 'json' };
}

describe('filterHooks', () => {
  it('gives clsact devices both hooks, legacy ingress devices only ingress, and other devices none', () => {
    expect(filterHooks(qdiscRecord(PEER_POD_QDISCS))).toEqual(
      new Map([
        ['eth0', ['ingress']],
        ['lxc1', ['ingress', 'egress']],
        ['vxlan1', ['ingress']],
      ]),
    );
  });

  it('knows nothing when the qdisc listing failed, is missing or is not JSON', () => {
    expect(filterHooks(undefined)).toBeUndefined();
    expect(filterHooks(qdiscRecord('', 'missing-tool'))).toBeUndefined();
    expect(filterHooks(qdiscRecord('qdisc ingress ffff: dev eth0 parent ffff:fff1'))).toBeUndefined();
  });
});

describe('wantsFilterJob', () => {
  it('asks only for hooks a qdisc can hold', () => {
    const wanted = wantsFilterJob([qdiscRecord(PEER_POD_QDISCS)]);
    expect(wanted({ dev: 'eth0', hook: 'ingress' })).toBe(true);
    expect(wanted({ dev: 'eth0', hook: 'egress' })).toBe(false);
    expect(wanted({ dev: 'lxc1', hook: 'egress' })).toBe(true);
    expect(wanted({ dev: 'lo', hook: 'ingress' })).toBe(false);
  });

  it('asks for every device and hook when the qdiscs are unknown', () => {
    const wanted = wantsFilterJob([qdiscRecord('', 'timeout')]);
    expect(wanted({ dev: 'lo', hook: 'egress' })).toBe(true);
  });
});
