import { describe, expect, it } from 'vitest';
import type { CommandRecord } from '@/lib/capture/types';
import { PARSERS, parseHost, parseRecord } from '@/lib/parse';
import { readJsonValues } from '@/lib/parse/json-values';
import { fixture, recordOf } from './fixture';

const LINK_JSON =
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"link_type":"loopback","address":"00:00:00:00:00:00"},\n' +
  ' {"ifindex":2,"link_index":9,"ifname":"eth0","flags":["BROADCAST","UP","LOWER_UP"],"mtu":1400,"address":"0a:58:0a:84:02:2e","link_netnsid":0,"linkinfo":{"info_kind":"veth"}},\n' +
  ' {"ifindex":3,"ifname":"vxlan1","flags":["BROADCAST","UP"],"linkinfo":{"info_kind":"vxlan","info_data":{"id":555';

describe('malformed input', () => {
  it('keeps every complete element of truncated JSON and reports the line where the cut element starts', () => {
    const result = parseRecord(recordOf('ip-link', ['ip', '-j', '-d', 'link', 'show'], LINK_JSON));
    expect(result?.state.interfaces?.map((i) => i.name)).toEqual(['lo', 'eth0']);
    expect(result?.problems).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining('truncated') })]);
    expect(result?.problems[0].text).toContain('"vxlan1"');
  });

  it('reports an unreadable JSON element by line and reads the elements after it', () => {
    const bad = '[{"dst":"10.0.0.0/24","dev":"eth0","flags":[]},\n{"dst": oops},\n{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]}]';
    const result = parseRecord(recordOf('ip-route', ['ip', '-j', 'route'], bad));
    expect(result?.state.routes?.map((r) => r.dst)).toEqual(['10.0.0.0/24', 'default']);
    expect(result?.problems).toEqual([expect.objectContaining({ line: 2, text: '{"dst": oops},' })]);
  });

  it('reports garbage lines in the middle of ip -d link text by line number and keeps the devices around them', () => {
    const lines = fixture('iproute2-4x/ip-d-link-show.txt').split('\n');
    lines.splice(4, 0, '### scrollback lost here ###');
    const result = parseRecord(recordOf('ip-link', ['ip', '-d', 'link', 'show'], lines.join('\n')));
    expect(result?.problems).toEqual([{ command: 'ip -d link show', line: 5, text: '### scrollback lost here ###', message: expect.any(String) }]);
    expect(result?.state.interfaces).toHaveLength(8);
  });

  it('reports garbage lines in route, neighbour, tc and ovs-vsctl show text and still reads the rest', () => {
    const cases: [CommandRecord, number, number][] = [
      [recordOf('ip-route', ['ip', 'r'], 'default via 10.0.0.1 dev eth0\n%%garbage%%\n10.0.0.0/24 dev eth0 scope link\n'), 2, 2],
      [recordOf('ip-neigh', ['ip', 'neigh'], '10.0.0.1 dev eth0 lladdr 52:54:00:00:00:01 STALE\nnot a neighbour\n'), 1, 2],
      [recordOf('tc-filter', ['tc', 'filter', 'show', 'dev', 'eth0', 'ingress'], fixture('text/tc-filter-u32-old.txt').replace('u32 \n', 'u32 \ngarbage\n')), 1, 2],
      [recordOf('ovs-show', ['ovs-vsctl', 'show'], fixture('ovs/show.txt').replace('    Bridge br-int\n', '    Bridge br-int\nsomething else\n')), 5, 3],
      [recordOf('sysctl', ['sysctl', '-a'], 'net.ipv4.ip_forward = 1\nsysctl: permission denied\n'), 1, 2],
    ];
    for (const [record, kept, badLine] of cases) {
      const result = parseRecord(record);
      expect(result?.problems.length, record.argv.join(' ')).toBe(1);
      expect(result?.problems[0].line, record.argv.join(' ')).toBe(badLine);
      const s = result?.state;
      const count = (s?.routes ?? s?.neighbors ?? s?.tcFilters ?? s?.ovs?.interfaces ?? Object.keys(s?.sysctls ?? {})).length;
      expect(count, record.argv.join(' ')).toBe(kept);
    }
  });

  it('never throws, whatever any registered parser is given', () => {
    const inputs = ['', '[', '{', ']]]', '{"data":[[1,2]]}', '[1,"x",null,{}]', '\u0000\u0001', '1: : <> mtu', 'filter pref', '"unterminated', '[{"ifindex":"x"}]'];
    for (const [id, parser] of Object.entries(PARSERS)) {
      for (const stdout of inputs) {
        expect(() => parser(recordOf(id as CommandRecord['id'], ['tool'], stdout)), `${id} on ${JSON.stringify(stdout)}`).not.toThrow();
      }
    }
  });

  it('reads several JSON documents printed one after another', () => {
    const { values, problems } = readJsonValues('[{"a":1}]\n[{"a":2},{"a":3}]\n', 'x');
    expect(problems).toEqual([]);
    expect(values.map((v) => [v.value, v.line])).toEqual([
      [{ a: 1 }, 1],
      [{ a: 2 }, 2],
      [{ a: 3 }, 2],
    ]);
  });
});

describe('format sniffing', () => {
  it('parses JSON pasted into a record declared as text, and text in a record declared as JSON', () => {
    const jsonAsText: CommandRecord = {
      ...recordOf('ip-neigh', ['ip', 'neigh'], '[{"dst":"10.0.0.1","dev":"eth0","lladdr":"52:54:00:00:00:01","state":["STALE"]}]'),
      format: 'text',
    };
    const textAsJson: CommandRecord = { ...recordOf('ip-neigh', ['ip', '-j', 'neigh'], '10.0.0.1 dev eth0 lladdr 52:54:00:00:00:01 STALE\n'), format: 'json' };
    const a = parseRecord(jsonAsText);
    const b = parseRecord(textAsJson);
    expect(a?.problems).toEqual([]);
    expect(b?.problems).toEqual([]);
    expect(a?.state.neighbors?.[0]).toMatchObject({ dst: '10.0.0.1', lladdr: '52:54:00:00:00:01', state: ['STALE'] });
    expect(b?.state.neighbors?.[0]).toMatchObject({ dst: '10.0.0.1', lladdr: '52:54:00:00:00:01', state: ['STALE'] });
  });

  it('does not take a "[snip]" line for JSON', () => {
    const result = parseRecord(recordOf('ip-route', ['ip', 'r'], '[snip]\ndefault via 10.0.0.1 dev eth0\n'));
    expect(result?.state.routes).toHaveLength(1);
    expect(result?.problems.map((p) => p.line)).toEqual([1]);
  });
});

describe('parseHost', () => {
  const base = { name: 'worker-a', role: 'worker' as const, collectedAt: '2025-01-01T00:00:00Z', status: 'partial' as const };

  it('records missing tools, turns failed and timed-out commands into problems, and still parses the rest', () => {
    const missing: CommandRecord = { ...recordOf('ovs-bridge', ['ovs-vsctl', '-f', 'json', 'list', 'Bridge'], ''), status: 'missing-tool', exitCode: null };
    const failed: CommandRecord = {
      ...recordOf('tc-filter', ['tc', '-j', 'filter', 'show', 'dev', 'eth9', 'ingress'], ''),
      status: 'error',
      exitCode: 1,
      stderr: 'Cannot find device "eth9"\n',
    };
    const timedOut: CommandRecord = { ...recordOf('ip-neigh', ['ip', '-j', 'neigh'], ''), status: 'timeout', exitCode: null };
    const link = recordOf('ip-link', ['ip', '-j', '-d', 'link', 'show'], LINK_JSON.slice(0, LINK_JSON.lastIndexOf(',\n')) + ']');
    const host = parseHost({ ...base, namespaces: [{ netns: null, commands: [missing, failed, timedOut, link] }] });
    expect(host.missingTools).toEqual(['ovs-vsctl']);
    expect(host.problems.map((p) => p.command)).toEqual(['tc -j filter show dev eth9 ingress', 'ip -j neigh']);
    expect(host.problems[0].message).toContain('Cannot find device "eth9"');
    expect(host.problems[1].message).toContain('timed out');
    expect(host.namespaces[0].interfaces.map((i) => i.name)).toEqual(['lo', 'eth0']);
  });

  it('quotes the command as typed, without a namespace prefix, and the compact JSON object as evidence', () => {
    const link = recordOf('ip-link', ['ip', '-j', '-d', 'link', 'show'], LINK_JSON.slice(0, LINK_JSON.lastIndexOf(',\n')) + ']');
    const host = parseHost({ ...base, namespaces: [{ netns: 'pod-ns-1', commands: [link] }] });
    const eth0 = host.namespaces[0].interfaces[1];
    expect(eth0.source?.command).toBe('ip -j -d link show');
    expect(eth0.source?.lines).toHaveLength(1);
    expect(JSON.parse(eth0.source?.lines[0] ?? '')).toMatchObject({ ifname: 'eth0', address: '0a:58:0a:84:02:2e' });
  });

  it('merges OVS tables from separate commands into one OVS state on the host', () => {
    const tables = ['Bridge', 'Port', 'Interface'].map((t) => recordOf(`ovs-${t.toLowerCase()}` as CommandRecord['id'], ['ovs-vsctl', '-f', 'json', 'list', t], fixture(`ovs/list-${t}.json`)));
    const host = parseHost({ ...base, namespaces: [{ netns: null, commands: tables }] });
    expect(host.ovs?.bridges.map((b) => b.name)).toEqual(['br-int']);
    expect(host.ovs?.ports).toHaveLength(5);
    expect(host.ovs?.interfaces.find((i) => i.ofport === -1)?.name).toBe('veth-pod9');
  });
});
