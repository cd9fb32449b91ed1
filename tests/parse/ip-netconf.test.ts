import { describe, expect, it } from 'vitest';
import { parseRecord } from '@/lib/parse';
import { interpretLine } from '@/lib/capture/paste/commandline';
import { fixture, recordOf } from './fixture';

/** The namespace of the fixtures: all strict, default and most devices loose, br0 an unnamed mode (3), ip_forward on. */
function sysctls(id: 'ip-netconf' | 'sysctl', argv: string[], file: string): { sysctls: Record<string, string>; problems: unknown[] } {
  const result = parseRecord(recordOf(id, argv, fixture(`ip-netconf/${file}`)));
  return { sysctls: result?.state.sysctls ?? {}, problems: result?.problems ?? [] };
}

describe('ip netconf show', () => {
  it('reads the keys and values the sysctl listing of the same namespace printed, and no other', () => {
    const listed = sysctls('sysctl', ['sysctl', '-a', '-r', '^net\\.ipv4\\.(ip_forward|conf\\..*\\.rp_filter)$'], 'netns.sysctl.txt');
    const json = sysctls('ip-netconf', ['ip', '-j', 'netconf', 'show'], 'netns.json');
    expect(json.problems).toEqual([]);
    expect(json.sysctls).toEqual(listed.sysctls);
    expect(json.sysctls).toMatchObject({
      'net.ipv4.conf.all.rp_filter': '1',
      'net.ipv4.conf.default.rp_filter': '2',
      'net.ipv4.conf.br0.rp_filter': '3',
      'net.ipv4.conf.eth0.7.rp_filter': '2',
      'net.ipv4.ip_forward': '1',
    });
  });

  it('reads the same from the text form', () => {
    const text = sysctls('ip-netconf', ['ip', 'netconf', 'show'], 'netns.txt');
    expect(text.problems).toEqual([]);
    expect(text.sysctls).toEqual(sysctls('ip-netconf', ['ip', '-j', 'netconf', 'show'], 'netns.json').sysctls);
  });

  it("reads old iproute2's text (ipv4, dev NAME), leaving a mode it calls unknown unknown", () => {
    const old = sysctls('ip-netconf', ['ip', 'netconf', 'show'], 'old-iproute2.txt');
    expect(old.problems).toEqual([]);
    expect(old.sysctls).toEqual({
      'net.ipv4.conf.lo.rp_filter': '0',
      'net.ipv4.conf.eth0.rp_filter': '1',
      'net.ipv4.conf.all.rp_filter': '2',
      'net.ipv4.conf.default.rp_filter': '0',
      'net.ipv4.ip_forward': '1',
    });
  });

  it('takes forwarding off in the all entry as ip_forward 0, and a device entry as no ip_forward at all', () => {
    const json = (rows: object[]) => parseRecord(recordOf('ip-netconf', ['ip', '-j', 'netconf', 'show'], `${JSON.stringify(rows)}\n`))?.state.sysctls;
    expect(json([{ family: 'inet', interface: 'eth0', forwarding: true, rp_filter: 'strict' }])).toEqual({ 'net.ipv4.conf.eth0.rp_filter': '1' });
    expect(json([{ family: 'inet', interface: 'all', forwarding: false, rp_filter: 'off' }])).toEqual({ 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.rp_filter': '0' });
    expect(json([{ family: 'inet6', interface: 'all', forwarding: true }])).toEqual({});
  });

  it('is recognised in a paste, with or without -j and -n', () => {
    expect(interpretLine('ip -j netconf show')).toMatchObject({ command: { id: 'ip-netconf', format: 'json' } });
    expect(interpretLine('ip -n pod1 netconf show')).toMatchObject({ command: { id: 'ip-netconf', format: 'text', netns: 'pod1' } });
  });
});
