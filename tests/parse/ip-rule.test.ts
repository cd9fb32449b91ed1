import { describe, expect, it } from 'vitest';
import { parseRecord } from '@/lib/parse';
import type { PolicyRule } from '@/lib/parse/types';
import { interpretLine } from '@/lib/capture/paste/commandline';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { parseHost } from '@/lib/parse';
import { fixture, recordOf } from './fixture';

function rules(argv: string[], file: string): { rules: PolicyRule[]; problems: unknown[] } {
  const result = parseRecord(recordOf('ip-rule', argv, fixture(`ip-rule/${file}`)));
  return { rules: result?.state.policyRules ?? [], problems: result?.problems ?? [] };
}

const withoutSource = (list: PolicyRule[]) => list.map(({ source: _source, ...rule }) => rule);

describe('ip rule show', () => {
  it('reads the three rules of a host without policy routing', () => {
    const { rules: read, problems } = rules(['ip', '-j', 'rule', 'show'], 'root.json');
    expect(problems).toEqual([]);
    expect(withoutSource(read)).toEqual([
      { family: 'inet', priority: 0, from: 'all', table: 'local' },
      { family: 'inet', priority: 32766, from: 'all', table: 'main' },
      { family: 'inet', priority: 32767, from: 'all', table: 'default' },
    ]);
  });

  it('reads selectors, inversion, marks, ports, uid ranges and the actions other than a lookup from the JSON form', () => {
    const { rules: read, problems } = rules(['ip', '-j', 'rule', 'show'], 'netns.json');
    expect(problems).toEqual([]);
    const byPriority = new Map(withoutSource(read).map((r) => [r.priority, r]));
    expect(byPriority.get(100)).toEqual({ family: 'inet', priority: 100, from: '10.244.1.0/24', table: '100' });
    expect(byPriority.get(110)).toEqual({ family: 'inet', priority: 110, from: 'all', to: '192.0.2.0/24', iif: 'd0', table: '110' });
    expect(byPriority.get(120)).toMatchObject({ fwmark: '0x10/0xff', table: '120' });
    expect(byPriority.get(130)).toMatchObject({ not: true, from: '10.0.0.0/8', oif: 'd0', table: 'main' });
    expect(byPriority.get(140)).toMatchObject({ from: '198.51.100.7', action: 'blackhole' });
    expect(byPriority.get(140)?.table).toBeUndefined();
    expect(byPriority.get(150)).toMatchObject({ to: '203.0.113.0/24', action: 'unreachable' });
    expect(byPriority.get(160)).toMatchObject({ action: 'goto', goto: 32766 });
    expect(byPriority.get(170)).toMatchObject({ iif: 'lo', ipproto: 'udp', dport: '4789', table: '170' });
    expect(byPriority.get(180)).toMatchObject({ uidrange: '1000-2000', table: '180', suppressPrefixlength: 0 });
    expect(read.map((r) => r.priority)).toEqual([0, 100, 110, 120, 130, 140, 150, 160, 170, 180, 32766, 32767]);
  });

  it('reads the same rules from the text form as from the JSON form', () => {
    const json = rules(['ip', '-j', 'rule', 'show'], 'netns.json');
    const text = rules(['ip', 'rule', 'show'], 'netns.txt');
    expect(text.problems).toEqual([]);
    expect(withoutSource(text.rules)).toEqual(withoutSource(json.rules));
  });

  it('marks IPv6 rules as inet6, from their addresses and from -6 where a rule has none', () => {
    for (const [argv, file] of [
      [['ip', '-j', '-6', 'rule', 'show'], 'netns-6.json'],
      [['ip', '-6', 'rule', 'show'], 'netns-6.txt'],
    ] as const) {
      const { rules: read, problems } = rules([...argv], file);
      expect(problems).toEqual([]);
      expect(withoutSource(read)).toEqual([
        { family: 'inet6', priority: 0, from: 'all', table: 'local' },
        { family: 'inet6', priority: 200, from: 'fd00::/64', table: '200' },
        { family: 'inet6', priority: 32766, from: 'all', table: 'main' },
      ]);
    }
  });

  it('quotes the output line each rule was read from', () => {
    const text = rules(['ip', 'rule', 'show'], 'netns.txt').rules;
    expect(text[1].source).toEqual({ command: 'ip rule show', lines: ['100:\tfrom 10.244.1.0/24 lookup 100'] });
    const json = rules(['ip', '-j', 'rule', 'show'], 'netns.json').rules;
    expect(JSON.parse(JSON.stringify(json[1].source))).toEqual({ command: 'ip -j rule show', lines: ['{"priority":100,"src":"10.244.1.0","srclen":24,"table":"100"}'] });
  });

  it('reports a line it cannot read with its number and keeps the rules around it', () => {
    const stdout = '0:\tfrom all lookup local\nnot a rule\n32766:\tfrom all lookup main\n';
    const result = parseRecord(recordOf('ip-rule', ['ip', 'rule', 'show'], stdout));
    expect(result?.state.policyRules?.map((r) => r.priority)).toEqual([0, 32766]);
    expect(result?.problems).toEqual([expect.objectContaining({ line: 2, text: 'not a rule' })]);
  });
});

describe('ip rule in a paste', () => {
  it('recognises the show forms, JSON or text, with -6 kept as the family', () => {
    expect(interpretLine('ip rule')).toMatchObject({ kind: 'command', command: { id: 'ip-rule', format: 'text' } });
    expect(interpretLine('ip -j rule show')).toMatchObject({ kind: 'command', command: { id: 'ip-rule', format: 'json' } });
    expect(interpretLine('ip -6 ru list')).toMatchObject({ kind: 'command', command: { id: 'ip-rule', params: { family: 'inet6' } } });
    expect(interpretLine('ip -n blue rule show')).toMatchObject({ kind: 'command', command: { id: 'ip-rule', netns: 'blue' } });
  });

  it('does not take a rule change for a listing', () => {
    expect(interpretLine('ip rule add from 10.0.0.0/8 table 100')).toMatchObject({ kind: 'unknown' });
  });

  it('imports a pasted `ip rule` into the namespace it ran in', () => {
    const paste = ['[root@worker-1 ~]# ip rule', fixture('ip-rule/netns.txt').trimEnd(), '[root@worker-1 ~]# '].join('\n');
    const { hosts } = parseTranscript(paste);
    const state = parseHost(hosts[0]);
    expect(state.namespaces[0].policyRules?.map((r) => r.priority)).toEqual([0, 100, 110, 120, 130, 140, 150, 160, 170, 180, 32766, 32767]);
    expect(state.problems).toEqual([]);
  });
});
