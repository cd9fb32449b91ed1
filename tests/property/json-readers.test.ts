/**
 * Every reader of a JSON form (ip -j link/addr/route/neigh/netns, tc -j, bridge -j, ovs-vsctl -f json, ovn-nbctl
 * -f json, bpftool -j, sysctl as JSON, the peer-pod config) and the tolerant JSON reader under them, fed real
 * outputs damaged the ways pastes are damaged (issues 20 and 21). For every case: no throw, time linear in the
 * size, every problem on a line of the input, and JSON that does not parse is never taken without a word.
 * The run prints how many cases each reader was given.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CommandId, CommandRecord } from '@/lib/capture/types';
import { parserFor } from '@/lib/parse';
import { looksLikeJson } from '@/lib/parse/parser';
import { readJsonValues } from '@/lib/parse/json-values';
import type { ParseProblem } from '@/lib/parse/types';
import {
  assertInRounds,
  damagedCase,
  firstElements,
  formatTally,
  lineCount,
  newTally,
  sampleOutputs,
  seedForms,
  SINGLE_DOCUMENT_DAMAGES,
  timeBudgetMs,
  timedRun,
  type Case,
  type Tally,
} from './mutations';

/** Cases per reader: issue 20 asks for at least ten thousand. TUNNELSCOPE_PROPERTY_RUNS raises it for a longer hunt. */
const RUNS = Math.max(10_000, Number(process.env.TUNNELSCOPE_PROPERTY_RUNS) || 0);

const outputs = sampleOutputs();

/** Readers whose JSON form the sample does not hold, with an output of the form the tool prints. */
const EXTRA: CommandRecord[] = [
  record('sysctl', ['sysctl', '-a', '--json'], '{"net.ipv4.ip_forward":"1","net.ipv4.conf.all.rp_filter":"0","net.ipv4.conf.eth0.rp_filter":2}'),
  record('ip-route-get', ['ip', '-j', 'route', 'get', '192.0.2.7'], '[{"dst":"192.0.2.7","gateway":"10.0.0.1","dev":"eth0","prefsrc":"10.0.0.21","flags":[],"uid":0,"cache":[]}]'),
  record('netns-list', ['ip', '-j', 'netns', 'list'], '[{"name":"pod-a","id":1},{"name":"pod-b"}]'),
  record(
    'ip-netconf',
    ['ip', '-j', 'netconf', 'show'],
    '[{"family":"inet","interface":"eth0","forwarding":true,"rp_filter":"loose","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"all","forwarding":true,"rp_filter":"strict","mc_forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false},{"family":"inet","interface":"br0","forwarding":true,"rp_filter":3},{"family":"inet6","interface":"all","forwarding":false,"proxy_neigh":false,"ignore_routes_with_linkdown":false}]',
  ),
];

function record(id: CommandId, argv: string[], stdout: string): CommandRecord {
  return { id, argv, stdout, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format: 'json' };
}

const readers: CommandRecord[] = [
  ...[...outputs.values()].filter((r) => r.format === 'json' && parserFor(r.id) !== undefined),
  ...EXTRA.filter((r) => !outputs.has(r.id) || outputs.get(r.id)?.format !== 'json'),
];
const tallies = new Map<string, Tally>();

afterAll(() => {
  const lines = [...tallies].map(([name, tally]) => `  ${formatTally(name, tally)}`);
  const total = [...tallies.values()].reduce((sum, t) => sum + t.cases, 0);
  console.log(`property cases of the JSON readers (${total} in all):\n${lines.join('\n')}`);
});

function parsesWhole(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** What every reader owes every input: problems on lines of the input, with their text cut to one line. */
function checkProblems(problems: readonly ParseProblem[], text: string): void {
  const lines = lineCount(text);
  for (const p of problems) {
    expect(typeof p.message).toBe('string');
    if (p.line === undefined) continue;
    expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines, `problem line ${p.line} of ${lines}`).toBe(true);
    expect(p.text === undefined || p.text.length <= 300).toBe(true);
  }
}

/** One damage that leaves a single document: if the result is not JSON any more, something must be reported. */
function mustComplain(c: Case): boolean {
  return c.damages.length === 1 && SINGLE_DOCUMENT_DAMAGES.has(c.damages[0].kind) && c.text.trim() !== '' && looksLikeJson(c.text) && !parsesWhole(c.text);
}

describe('the tolerant JSON reader', () => {
  const seeds = readers.flatMap((r) => seedForms(firstElements(r.stdout, 2)));
  it(`reads ${RUNS} damaged outputs without a throw, in linear time, reporting what it skipped by line`, async () => {
    const tally = newTally();
    tallies.set('readJsonValues', tally);
    await assertInRounds(
      fc.property(damagedCase(seeds), (c) => {
        const { value: read, ms } = timedRun(tally, c.text, () => readJsonValues(c.text, 'cmd'));
        expect(ms).toBeLessThan(timeBudgetMs(c.text.length));
        checkProblems(read.problems, c.text);
        for (const v of read.values) expect(v.line >= 1 && v.line <= lineCount(c.text)).toBe(true);
        if (mustComplain(c)) expect(read.problems.length, 'invalid JSON read without a problem').toBeGreaterThan(0);
        // Every value read can be quoted as evidence.
        for (let i = 0; i < read.values.length; i++) expect(typeof read.texts.textOf(i)).toBe('string');
      }),
      RUNS,
    );
    expect(tally.cases).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);
});

describe.each(readers.map((r) => [r.argv.join(' '), r] as const))('the reader of %s', (name, seedRecord) => {
  const parser = parserFor(seedRecord.id);
  const seeds = seedForms(firstElements(seedRecord.stdout, 2));
  it(`takes ${RUNS} damaged outputs without a throw, in linear time, reporting what it skipped by line`, async () => {
    expect(parser).toBeDefined();
    const tally = newTally();
    tallies.set(name, tally);
    await assertInRounds(
      fc.property(damagedCase(seeds), (c) => {
        const input: CommandRecord = { ...seedRecord, stdout: c.text };
        const { value: result, ms } = timedRun(tally, c.text, () => parser?.(input));
        expect(ms).toBeLessThan(timeBudgetMs(c.text.length));
        checkProblems(result?.problems ?? [], c.text);
        if (mustComplain(c)) expect(result?.problems.length, 'invalid JSON read without a problem').toBeGreaterThan(0);
        // What the reader kept can be stored: evidence sources serialise, however deep the value was.
        expect(() => JSON.stringify(result?.state)).not.toThrow();
      }),
      RUNS,
    );
    expect(tally.cases).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);
});

describe('oversized and adversarial outputs', () => {
  const addr = outputs.get('ip-addr');
  /** The sample's `ip -j addr` with its elements repeated to about `chars` characters, on one line. */
  const bigAddr = (chars: number): string => {
    const elements = JSON.parse(addr?.stdout ?? '[]') as unknown[];
    const one = JSON.stringify(elements).slice(1, -1);
    return `[${Array<string>(Math.ceil(chars / one.length))
      .fill(one)
      .join(',')}]`;
  };
  const cases: [string, (chars: number) => string][] = [
    ['a lost object opener in every element', (chars) => bigAddr(chars).replaceAll('"addr_info":[{', '"addr_info":[ ')],
    ['a lost closer in every element', (chars) => bigAddr(chars).replaceAll('}]}', ']}')],
    ['openers only', (chars) => '['.repeat(chars)],
    ['nested objects', (chars) => '{"a":'.repeat(chars / 5)],
    ['closers only', (chars) => `[${'}'.repeat(chars)}`],
    ['one unterminated string', (chars) => `[{"a":"${'x'.repeat(chars)}`],
    ['commas only', (chars) => `[${','.repeat(chars)}]`],
    ['control characters', (chars) => `[{"a":"${'\u0001\u0000'.repeat(chars / 2)}"}]`],
  ];
  it.each(cases)('%s: read in time linear in the size', (_, make) => {
    const parser = parserFor('ip-addr');
    const tally = newTally();
    tallies.set(`ip -j addr, oversized: ${_}`, tally);
    const timeOf = (chars: number): number => {
      const text = make(chars);
      const { value, ms } = timedRun(tally, text, () => parser?.({ ...(addr as CommandRecord), stdout: text }));
      checkProblems(value?.problems ?? [], text);
      expect(value?.problems.length).toBeGreaterThan(0);
      return ms;
    };
    timeOf(250_000);
    const small = timeOf(1_000_000);
    const big = timeOf(4_000_000);
    expect(big).toBeLessThan(timeBudgetMs(4_000_000) + 12 * small);
  });

  it('a peer-pod config nested deeper than a value can be stored is reported, not kept', () => {
    const deep = `{"podip":"10.0.0.2/24","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const result = parserFor('peerpod-config')?.(record('peerpod-config', ['cat', '/run/peerpod/podnetwork.json'], deep));
    expect(result?.state.peerpodConfig).toBeUndefined();
    expect(result?.problems).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining('nested too deeply') })]);
    expect(() => JSON.stringify(result)).not.toThrow();
  });
});
