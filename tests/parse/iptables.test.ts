/**
 * iptables rules read into table, chain, matches and target: real `iptables-save` and `iptables -S` outputs
 * (tests/fixtures/parse/iptables-1.8.9, see the README there) and the spellings a hand-made line can take.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FirewallRule } from '@/lib/parse/types';
import { readFirewallRule } from '@/lib/parse/iptables';
import { parseRecord } from '@/lib/parse';
import { fixture, recordOf } from './fixture';

function rulesOf(argv: string[], file: string): FirewallRule[] {
  const result = parseRecord(recordOf('iptables-rules', argv, fixture(file)));
  expect(result?.problems).toEqual([]);
  return result?.state.firewall ?? [];
}

function read(line: string): FirewallRule {
  const rule = readFirewallRule('filter', line, 1, { command: 'iptables -S', lines: [line] });
  if (!rule) throw new Error(`not read: ${line}`);
  return rule;
}

describe('iptables-save of iptables 1.8.9 (nf_tables)', () => {
  const rules = rulesOf(['iptables-save'], 'iptables-1.8.9/iptables-save.txt');

  it('reads every rule with the table of the section it is in and its line in the output', () => {
    expect(rules.map((r) => [r.table, r.chain, r.target?.name, r.line])).toEqual([
      ['mangle', 'PREROUTING', 'MARK', 8],
      ['raw', 'PREROUTING', 'peerpod-PREROUTING', 17],
      ['raw', 'OUTPUT', 'peerpod-OUTPUT', 18],
      ['raw', 'peerpod-OUTPUT', 'CT', 19],
      ['raw', 'peerpod-PREROUTING', 'CT', 20],
      ['filter', 'INPUT', 'ACCEPT', 29],
      ['filter', 'INPUT', 'KUBE-FIREWALL', 30],
      ['filter', 'INPUT', 'DROP', 31],
      ['filter', 'FORWARD', 'ACCEPT', 32],
      ['filter', 'FORWARD', 'REJECT', 33],
      ['filter', 'KUBE-FIREWALL', 'DROP', 34],
      ['nat', 'POSTROUTING', 'MASQUERADE', 43],
    ]);
  });

  it("reads cloud-api-adaptor's NOTRACK as CT with --notrack, and its quoted comment as one word", () => {
    expect(rules[3]).toEqual({
      table: 'raw',
      chain: 'peerpod-OUTPUT',
      matches: {
        destination: { value: '192.0.2.10/32' },
        protocol: { value: 'udp' },
        modules: [
          { module: 'udp', options: [{ name: '--dport', args: ['4789'] }] },
          { module: 'comment', options: [{ name: '--comment', args: ['peerpod [vni:555005]'] }] },
        ],
      },
      target: { name: 'CT', options: [{ name: '--notrack', args: [] }] },
      rule: '-A peerpod-OUTPUT -d 192.0.2.10/32 -p udp -m udp --dport 4789 -m comment --comment "peerpod [vni:555005]" -j CT --notrack',
      line: 19,
      source: { command: 'iptables-save', lines: [rules[3]?.rule] },
    });
  });

  it("reads kube-proxy's localnet block: negated source, conntrack with a negated state list", () => {
    expect(rules[10]?.matches).toEqual({
      source: { value: '127.0.0.0/8', negated: true },
      destination: { value: '127.0.0.0/8' },
      modules: [
        { module: 'comment', options: [{ name: '--comment', args: ['block incoming localnet connections'] }] },
        { module: 'conntrack', options: [{ name: '--ctstate', args: ['RELATED,ESTABLISHED,DNAT'], negated: true }] },
      ],
    });
  });

  it('reads a device wildcard, a negated output device, REJECT with its reason and a negated port', () => {
    expect(rules[8]?.matches).toEqual({ inInterface: { name: 'cali', wildcard: true }, outInterface: { name: 'eth0', negated: true }, modules: [] });
    expect(rules[9]?.target).toEqual({ name: 'REJECT', options: [{ name: '--reject-with', args: ['icmp-port-unreachable'] }] });
    expect(rules[0]?.matches.modules[0]).toEqual({ module: 'tcp', options: [{ name: '--dport', args: ['22'], negated: true }] });
    expect(rules[0]?.target).toEqual({ name: 'MARK', options: [{ name: '--set-xmark', args: ['0x0/0x4000'] }] });
    expect(rules[7]?.matches.modules).toEqual([
      { module: 'multiport', options: [{ name: '--dports', args: ['4789,8472:8473'] }] },
      { module: 'addrtype', options: [{ name: '--dst-type', args: ['LOCAL'] }] },
    ]);
  });
});

describe('iptables -t raw -S of iptables 1.8.9', () => {
  it('reads the same rules as iptables-save prints for that table, with the table from the command line', () => {
    const fromS = rulesOf(['iptables', '-t', 'raw', '-S'], 'iptables-1.8.9/iptables-t-raw-S.txt');
    const fromSave = rulesOf(['iptables-save'], 'iptables-1.8.9/iptables-save.txt').filter((r) => r.table === 'raw');
    const parts = (r: FirewallRule) => ({ table: r.table, chain: r.chain, matches: r.matches, target: r.target, rule: r.rule });
    expect(fromS.map(parts)).toEqual(fromSave.map(parts));
  });
});

describe('the table of a rule above any table line', () => {
  const tableOf = (id: 'iptables-rules' | 'iptables-tables' | 'iptables-raw', argv: string[]) =>
    parseRecord(recordOf(id, argv, '-A INPUT -p udp --dport 4789 -j DROP\n*raw\n-A PREROUTING -j NOTRACK\n'))?.state.firewall?.map((r) => r.table);

  it('is the filter table for iptables -S, the one -t names, and none a rule judges for iptables-save of every table', () => {
    expect(tableOf('iptables-rules', ['iptables', '-S'])).toEqual(['filter', 'raw']);
    expect(tableOf('iptables-raw', ['iptables-save', '-t', 'raw'])).toEqual(['raw', 'raw']);
    // Cut from its "*TABLE" line (a grep of a paste), a rule of `iptables-save` may be in any table.
    expect(tableOf('iptables-tables', ['iptables-save'])).toEqual(['all', 'raw']);
    expect(tableOf('iptables-tables', ['/usr/sbin/iptables-save', '-c'])).toEqual(['all', 'raw']);
  });
});

describe('rule lines as people write them', () => {
  it('reads -I with and without a position; -A appends', () => {
    expect(read('-I INPUT 3 -i lo -j ACCEPT')).toMatchObject({ chain: 'INPUT', insert: { position: 3 }, matches: { inInterface: { name: 'lo' } } });
    expect(read('-I INPUT -j DROP').insert).toEqual({ position: 1 });
    expect(read('-A INPUT -j DROP').insert).toBeUndefined();
  });

  it('reads a jump to a user chain and a goto', () => {
    expect(read('-A FORWARD -j KUBE-FORWARD').target).toEqual({ name: 'KUBE-FORWARD', options: [] });
    expect(read('-A cali-FORWARD -g cali-from-hep-forward').target).toEqual({ name: 'cali-from-hep-forward', goto: true, options: [] });
  });

  it('keeps options of an unknown module and an unknown target, and reads the "!" iptables before 1.4.3 printed after a flag', () => {
    expect(read('-A X -m frobnicate --level 3 --loud ! --quiet x y -j FROB --with "a b"')).toMatchObject({
      matches: {
        modules: [
          {
            module: 'frobnicate',
            options: [
              { name: '--level', args: ['3'] },
              { name: '--loud', args: [] },
              { name: '--quiet', args: ['x', 'y'], negated: true },
            ],
          },
        ],
      },
      target: { name: 'FROB', options: [{ name: '--with', args: ['a b'] }] },
    });
    expect(read('-A X -s ! 10.0.0.0/8 -p udp --dport ! 53 -j DROP').matches).toEqual({
      source: { value: '10.0.0.0/8', negated: true },
      protocol: { value: 'udp' },
      modules: [{ module: 'udp', options: [{ name: '--dport', args: ['53'], negated: true }] }],
    });
  });

  it('reads a quoted word that looks like a flag or a "!" as a value, and unescapes quotes inside it', () => {
    const rule = read('-A X -m comment --comment "-j ACCEPT ! -s 1.2.3.4" -m comment --comment "say \\"hi\\"" -j DROP');
    expect(rule.matches.modules.map((m) => m.options[0]?.args)).toEqual([['-j ACCEPT ! -s 1.2.3.4'], ['say "hi"']]);
    expect(rule.target?.name).toBe('DROP');
  });

  it('drops counters from the rule text and keeps them out of the matches', () => {
    const rule = read('[5:300] -A INPUT -i lo -c 5 300 -j ACCEPT');
    expect(rule.rule).toBe('-A INPUT -i lo -j ACCEPT');
    expect(rule.matches).toEqual({ inInterface: { name: 'lo' }, modules: [] });
  });

  it('reads anything else as no rule: policies, chain declarations, a bare -A', () => {
    for (const line of ['-P INPUT ACCEPT', '-N KUBE-SERVICES', '-A', ':INPUT ACCEPT [0:0]']) {
      expect(readFirewallRule('filter', line, 1, { command: 'iptables -S', lines: [line] })).toBeUndefined();
    }
  });
});

/** One rule made of parts, printed the way iptables -S prints it. */
const ruleParts = fc.record({
  chain: fc.constantFrom('INPUT', 'FORWARD', 'cali-INPUT', 'peerpod-OUTPUT'),
  source: fc.option(fc.record({ value: fc.constantFrom('10.0.0.0/8', '192.0.2.7/32'), negated: fc.boolean() }), { nil: undefined }),
  inInterface: fc.option(fc.record({ name: fc.constantFrom('eth0', 'cali', 'vxlan.calico'), wildcard: fc.boolean(), negated: fc.boolean() }), { nil: undefined }),
  comment: fc.option(
    fc.string({ maxLength: 20 }).filter((s) => !/["\\\n\r]/.test(s)),
    { nil: undefined },
  ),
  dport: fc.option(fc.record({ port: fc.integer({ min: 1, max: 65535 }), negated: fc.boolean() }), { nil: undefined }),
  target: fc.constantFrom('ACCEPT', 'DROP', 'KUBE-SERVICES'),
});

describe('printed rules read back', () => {
  it('gives back every part a rule was printed from', () => {
    fc.assert(
      fc.property(ruleParts, (p) => {
        const neg = (n: boolean) => (n ? '! ' : '');
        const words = [`-A ${p.chain}`];
        if (p.source) words.push(`${neg(p.source.negated)}-s ${p.source.value}`);
        if (p.inInterface) words.push(`${neg(p.inInterface.negated)}-i ${p.inInterface.name}${p.inInterface.wildcard ? '+' : ''}`);
        if (p.dport) words.push(`-p udp -m udp ${neg(p.dport.negated)}--dport ${p.dport.port}`);
        if (p.comment !== undefined) words.push(`-m comment --comment "${p.comment}"`);
        words.push(`-j ${p.target}`);
        const rule = read(words.join(' '));
        expect(rule.chain).toBe(p.chain);
        expect(rule.target).toEqual({ name: p.target, options: [] });
        expect(rule.matches.source).toEqual(p.source && { value: p.source.value, ...(p.source.negated ? { negated: true } : {}) });
        expect(rule.matches.inInterface).toEqual(
          p.inInterface && { name: p.inInterface.name, ...(p.inInterface.wildcard ? { wildcard: true } : {}), ...(p.inInterface.negated ? { negated: true } : {}) },
        );
        const options = rule.matches.modules.flatMap((m) => m.options.map((o) => [m.module, o.name, o.args, o.negated === true]));
        expect(options).toEqual([
          ...(p.dport ? [['udp', '--dport', [String(p.dport.port)], p.dport.negated]] : []),
          ...(p.comment !== undefined ? [['comment', '--comment', [p.comment], false]] : []),
        ]);
      }),
      { numRuns: 300 },
    );
  });
});
